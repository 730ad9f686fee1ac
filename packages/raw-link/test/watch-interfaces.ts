// Integration-test harness: prints the eligible interfaces of this network namespace as seen by
// readInterfaces()/eligibleInterfaces(), then every change the watcher reports, as JSON lines.
import { createInterfaceWatcher } from '../src/index.js';

const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const w = createInterfaceWatcher({}, { rescanIntervalMs: 200 }, (c) =>
  out({
    event: 'change',
    added: c.added.map((i) => i.name),
    removed: c.removed.map((i) => i.name),
    current: c.current,
  }),
);
out({ event: 'ready', current: w.current() });
const keepAlive = setInterval(() => {}, 1 << 30);
process.on('SIGTERM', () => {
  w.close();
  clearInterval(keepAlive);
  process.exit(0);
});
