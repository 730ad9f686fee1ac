// Integration-test harness: runs the library API (not a CLI) inside a network namespace.
// argv: --interface IF [--refresh-interval-ms N] [--burst-duration-ms N]
// stdin: one command per line — "announce ADDR", "withdraw ADDR", "reannounce ADDR", "state ADDR".
// stdout: JSON lines — every L2Event, plus {"event":"ack",...} after each command.
import { parseArgs } from 'node:util';
import { serveResponderOverStdio } from '@ironlb/raw-link/testing';
import { createArpResponder } from '../src/index.js';

const { values } = parseArgs({
  options: {
    interface: { type: 'string' },
    'refresh-interval-ms': { type: 'string' },
    'burst-duration-ms': { type: 'string' },
  },
});
const iface = values.interface ?? 'eth0';
serveResponderOverStdio(iface, (onEvent, logger) =>
  createArpResponder(
    { onEvent, logger },
    {
      iface,
      refreshIntervalMs: Number(values['refresh-interval-ms'] ?? 0),
      ...(values['burst-duration-ms']
        ? { burstDurationMs: Number(values['burst-duration-ms']) }
        : {}),
    },
  ),
);
