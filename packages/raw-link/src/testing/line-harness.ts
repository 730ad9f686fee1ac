import { createInterface } from 'node:readline';
import type { L2Event } from '../events.js';
import type { L2Responder } from '../io/responder.js';

/**
 * Runs a responder as a child process driven over stdio, for integration tests that start it
 * inside a network namespace and talk to it from the test. stdin: one command per line —
 * "announce ADDR", "withdraw ADDR", "reannounce ADDR" (anything else only reads back the state).
 * stdout: JSON lines with a `time` stamp — {"event":"ready","iface"} once, every L2Event as
 * {"event": type, ...event}, then {"event":"ack", cmd, addr, announced, counters} per command, or
 * {"event":"error", cmd, addr, code} when the command throws. SIGTERM closes the responder and
 * exits 0.
 */
export function serveResponderOverStdio(
  iface: string,
  create: (onEvent: (event: L2Event) => void) => L2Responder,
): void {
  const out = (o: Record<string, unknown>) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...o })}\n`);
  const r = create((e) => out({ event: e.type, ...e }));
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
}
