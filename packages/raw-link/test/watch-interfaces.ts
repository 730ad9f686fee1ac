// Integration-test harness: the interface watcher in this network namespace, as JSON lines.
//   argv[2]: rescan period in ms (default one hour: only explicit rescans).
//   stdout: {"event":"change",added,removed,current} for every change the watcher reports (its
//   first scan, its timer, or an explicit rescan), {"event":"ready",current} once, and
//   {"event":"scanned",added,removed,current} after each `rescan` line on stdin.
//   stderr: warnings (a failed scan), so a failing test shows why.
import { createInterface } from 'node:readline';
import type { InterfaceChange } from '../src/index.js';
import { createInterfaceWatcher } from '../src/index.js';

const intervalMs = Number(process.argv[2] ?? 3_600_000);
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const log = (level: string) => (obj: object, msg?: string) =>
  process.stderr.write(
    `${JSON.stringify({ level, msg, ...obj, err: String((obj as { err?: unknown }).err ?? '') })}\n`,
  );
const logger = { debug: () => {}, info: () => {}, warn: log('warn'), error: log('error') };
const shape = (event: string, c: InterfaceChange) => ({
  event,
  added: c.added.map((i) => i.name),
  removed: c.removed.map((i) => i.name),
  current: c.current,
});
const w = createInterfaceWatcher({ logger }, { rescanIntervalMs: intervalMs }, (c) =>
  out(shape('change', c)),
);
out({ event: 'ready', current: w.current() });
// The watcher's timers are unref'd (a library never keeps a process alive on its own).
const keepAlive = setInterval(() => {}, 1 << 30);
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line.trim() === 'rescan') out(shape('scanned', w.rescan()));
});
const stop = () => {
  w.close();
  clearInterval(keepAlive);
  process.exit(0);
};
rl.on('close', stop);
process.on('SIGTERM', stop);
