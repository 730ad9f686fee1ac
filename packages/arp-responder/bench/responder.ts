// Bench harness: an ARP responder inside a namespace, as shipped (createArpResponder on the
// default AF_PACKET link), with per-request timestamps for the "where the time goes" rows.
//   --interface IF --address IP...   what to answer
//   --all-arp                        anchor: a kernel filter passing every ARP frame (what a
//                                    responder that reads all ARP, as MetalLB's does, costs)
//   --nice=N                         experiment only: a scheduling priority for this process
// Protocol on stdio: see serveBenchResponder in @ironlb/bench-kit/l2.
import { setPriority } from 'node:os';
import { parseArgs } from 'node:util';
import { serveBenchResponder, stampingOpener } from '@ironlb/bench-kit/l2';
import { BPF_ACCEPT, BpfBuilder, BpfOp } from '@ironlb/raw-link';
import { createArpResponder } from '../src/index.js';

const { values } = parseArgs({
  options: {
    interface: { type: 'string' },
    address: { type: 'string', multiple: true },
    'all-arp': { type: 'boolean' },
    nice: { type: 'string' },
  },
});
if (values.nice) setPriority(Number(values.nice));
const allArp = new BpfBuilder()
  .load(BpfOp.LdAbsH, 12)
  .jump(BpfOp.JeqK, 0x0806, null, 'drop')
  .ret(BPF_ACCEPT)
  .label('drop')
  .ret(0)
  .build();
const links = stampingOpener(values['all-arp'] ? { passAll: allArp } : {});
const r = createArpResponder(
  { openLink: links.open },
  { iface: values.interface ?? 'eth0', burstDurationMs: 0 },
);
for (const a of values.address ?? []) r.announce(a);
serveBenchResponder(
  links.take,
  () => r.linkStats(),
  () => r.close(),
);
