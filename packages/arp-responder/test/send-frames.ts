// Integration-test helper: sends the hex frames given on argv on --interface, through the same
// AF_PACKET link the responders use, then exits. Prints {"event":"sent","count":N}.
import { parseArgs } from 'node:util';
import { BpfBuilder, openPacketLink } from '@ironlb/raw-link';
import { hexToBytes } from '@ironlb/raw-link/testing';

const { values, positionals } = parseArgs({
  options: { interface: { type: 'string' } },
  allowPositionals: true,
});
const link = openPacketLink(values.interface ?? 'v1', {
  etherType: 0x0806,
  filter: new BpfBuilder().ret(0).build(),
});
for (const hex of positionals) link.send(hexToBytes(hex));
link.close();
process.stdout.write(`${JSON.stringify({ event: 'sent', count: positionals.length })}\n`);
