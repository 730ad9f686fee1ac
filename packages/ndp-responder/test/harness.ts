// Integration-test harness: runs the ndp-responder library API inside a network namespace.
// stdin: "announce ADDR" | "withdraw ADDR"; stdout: JSON lines (L2Events, then an "ack" per command).
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createNdpResponder } from '../src/index.js';

const { values } = parseArgs({ options: { interface: { type: 'string' } } });
const iface = values.interface ?? 'eth0';
const out = (o: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...o })}\n`);
const r = createNdpResponder({ onEvent: (e) => out({ event: e.type, ...e }) }, { iface });
out({ event: 'ready', iface });
const keepAlive = setInterval(() => {}, 1 << 30);
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, addr = ''] = line.trim().split(/\s+/);
  try {
    if (cmd === 'announce') r.announce(addr);
    else if (cmd === 'withdraw') r.withdraw(addr);
    out({
      event: 'ack',
      cmd,
      addr,
      announced: r.announced(),
      counters: r.counters().get(addr) ?? null,
    });
  } catch (e) {
    out({ event: 'error', cmd, addr, code: (e as { code?: string }).code });
  }
});
process.on('SIGTERM', () => {
  r.close();
  clearInterval(keepAlive);
  process.exit(0);
});
