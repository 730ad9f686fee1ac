// Integration-test harness for createL2Announcer: discovers the interfaces of this namespace every
// 300 ms (the real timer). stdin: "announce ADDR [IFACE,...] [OWNER]" | "withdraw ADDR [OWNER]" |
// "status"; stdout: JSON lines — every announcer event, and an "ack" per command.
import { createInterface } from 'node:readline';
import { createL2Announcer } from '../src/index.js';

const out = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
const ann = createL2Announcer(
  { onEvent: (e) => out({ event: e.type, ...e }) },
  { rescanIntervalMs: 300 },
);
out({ event: 'ready', interfaces: ann.interfaces().map((i) => i.name) });
const keepAlive = setInterval(() => {}, 1 << 30);
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, addr = '', ifaces = '', owner = ''] = line.trim().split(/\s+/);
  try {
    if (cmd === 'announce')
      out({
        event: 'ack',
        ...ann.announce(addr, { interfaces: ifaces ? ifaces.split(',') : [], owner }),
      });
    else if (cmd === 'withdraw') {
      ann.withdraw(addr, { owner: ifaces });
      out({ event: 'ack', status: ann.status() });
    } else out({ event: 'ack', status: ann.status() });
  } catch (e) {
    out({ event: 'error', code: (e as { code?: string }).code });
  }
});
process.on('SIGTERM', () => {
  ann.close();
  clearInterval(keepAlive);
  process.exit(0);
});
