// Integration-test helper for the responders: sends the hex frames given on argv through the same
// AF_PACKET link the responders use, then exits 0 and prints {"event":"sent","count":N}.
// Usage: send-frames.ts --interface IF [--ether-type 0x0806] HEX...
import { parseArgs } from 'node:util';
import { BpfBuilder, openPacketLink } from '../src/index.js';
import { hexToBytes } from '../src/testing/index.js';

const { values, positionals } = parseArgs({
  options: { interface: { type: 'string' }, 'ether-type': { type: 'string' } },
  allowPositionals: true,
});
const link = openPacketLink(values.interface ?? 'v1', {
  etherType: Number(values['ether-type'] ?? 0x0806),
  // Send only: receive nothing.
  filter: new BpfBuilder().ret(0).build(),
});
for (const hex of positionals) link.send(hexToBytes(hex));
link.close();
process.stdout.write(`${JSON.stringify({ event: 'sent', count: positionals.length })}\n`);
