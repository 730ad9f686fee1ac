import { createInterface } from 'node:readline';
import type { Logger } from '../deps.js';
import type { L2Event } from '../events.js';
import type { L2Responder } from '../io/responder.js';

/**
 * Runs a responder as a child process driven over stdio, for integration tests that start it
 * inside a network namespace and talk to it from the test. stdin: one command per line —
 * "announce ADDR", "withdraw ADDR", "reannounce ADDR" (anything else only reads back the state).
 * stdout: JSON lines with a `time` stamp — {"event":"ready","iface"} once, every L2Event as
 * {"event": type, ...event}, then {"event":"ack", cmd, addr, announced, counters, linkStats} per
 * command, or {"event":"error", cmd, addr, code} when the command throws. Warnings and errors the
 * responder logs go to stderr as JSON lines. SIGTERM closes the responder and exits 0.
 */
export function serveResponderOverStdio(
  iface: string,
  create: (onEvent: (event: L2Event) => void, logger: Logger) => L2Responder,
): void {
  const out = (o: Record<string, unknown>) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...o })}\n`);
  const log =
    (level: string) =>
    (fields: Readonly<Record<string, unknown>>, msg?: string): void => {
      const err = fields.err instanceof Error ? { err: fields.err.message } : {};
      process.stderr.write(`${JSON.stringify({ level, msg, ...fields, ...err })}\n`);
    };
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: log('warn'),
    error: log('error'),
  };
  const r = create((e) => out({ event: e.type, ...e }), logger);
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
        linkStats: r.linkStats(),
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
