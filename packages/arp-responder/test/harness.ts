// Integration-test harness: runs the library API (not the CLI) inside a network namespace.
// stdin: one command per line — "announce ADDR", "withdraw ADDR", "reannounce ADDR", "counters ADDR".
// stdout: JSON lines — every L2Event, plus {"event":"ack",...} after each command.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { L2Responder } from '@ironlb/raw-link';
import { createArpResponder } from '../src/index.js';

const { values } = parseArgs({
  options: { interface: { type: 'string' }, 'refresh-interval-ms': { type: 'string' } },
});
const iface = values.interface ?? 'eth0';
const out = (o: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...o })}\n`);
const r: L2Responder = createArpResponder(
  { onEvent: (e) => out({ event: e.type, ...e }) },
  { iface, refreshIntervalMs: Number(values['refresh-interval-ms'] ?? 0) },
);
out({ event: 'ready', iface });
const keepAlive = setInterval(() => {}, 1 << 30);
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, addr = ''] = line.trim().split(/\s+/);
  try {
    if (cmd === 'announce') r.announce(addr);
    else if (cmd === 'withdraw') r.withdraw(addr);
    else if (cmd === 'reannounce') r.reannounce(addr);
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
