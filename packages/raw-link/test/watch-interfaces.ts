// Integration-test harness: prints the eligible interfaces of this network namespace as seen by
// readInterfaces()/eligibleInterfaces(), then, for every `rescan` line on stdin, the change the
// watcher reports, as JSON lines. The test drives the rescans so the result does not depend on
// timer scheduling on a busy machine; the timer path is covered by the manual-clock unit tests.
import { createInterface } from 'node:readline';
import { createInterfaceWatcher } from '../src/index.js';

const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
// Warnings (a failed scan) go to stderr, so a failing test shows why.
const log = (level: string) => (obj: object, msg?: string) =>
  process.stderr.write(
    `${JSON.stringify({ level, msg, ...obj, err: String((obj as { err?: unknown }).err ?? '') })}\n`,
  );
const logger = { debug: () => {}, info: () => {}, warn: log('warn'), error: log('error') };
// One hour: only the test's explicit rescans run.
const w = createInterfaceWatcher({ logger }, { rescanIntervalMs: 3_600_000 }, () => {});
out({ event: 'ready', current: w.current() });
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line.trim() !== 'rescan') return;
  const c = w.rescan();
  out({
    event: 'change',
    added: c.added.map((i) => i.name),
    removed: c.removed.map((i) => i.name),
    current: c.current,
  });
});
rl.on('close', () => {
  w.close();
  process.exit(0);
});
process.on('SIGTERM', () => {
  w.close();
  process.exit(0);
});
