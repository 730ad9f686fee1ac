// Integration-test harness: runs the ndp-responder library API inside a network namespace.
// stdin: "announce ADDR" | "withdraw ADDR" | anything else (state); stdout: JSON lines (L2Events,
// then an "ack" per command); warnings on stderr.
import { parseArgs } from 'node:util';
import { serveResponderOverStdio } from '@ironlb/raw-link/testing';
import { createNdpResponder } from '../src/index.js';

const { values } = parseArgs({ options: { interface: { type: 'string' } } });
const iface = values.interface ?? 'eth0';
serveResponderOverStdio(iface, (onEvent, logger) =>
  createNdpResponder({ onEvent, logger }, { iface }),
);
