// Integration-test harness: runs the library API (not the CLI) inside a network namespace.
// stdin: one command per line — "announce ADDR", "withdraw ADDR", "reannounce ADDR", "counters ADDR".
// stdout: JSON lines — every L2Event, plus {"event":"ack",...} after each command.
import { parseArgs } from 'node:util';
import { serveResponderOverStdio } from '@ironlb/raw-link/testing';
import { createArpResponder } from '../src/index.js';

const { values } = parseArgs({
  options: { interface: { type: 'string' }, 'refresh-interval-ms': { type: 'string' } },
});
const iface = values.interface ?? 'eth0';
serveResponderOverStdio(iface, (onEvent) =>
  createArpResponder(
    { onEvent },
    { iface, refreshIntervalMs: Number(values['refresh-interval-ms'] ?? 0) },
  ),
);
