// Bench harness: an NDP responder inside a namespace, as shipped (createNdpResponder on the
// default AF_PACKET link), with per-request timestamps for the "where the time goes" rows.
//   --interface IF --address IP...   what to answer
//   --all-ndp                        anchor: a kernel filter passing every NS/NA (what a responder
//                                    that reads all of them costs)
// Protocol on stdio: see serveBenchResponder in @ironlb/bench-kit/l2.
import { parseArgs } from 'node:util';
import { serveBenchResponder, stampingOpener } from '@ironlb/bench-kit/l2';
import { BPF_ACCEPT, BpfBuilder, BpfOp } from '@ironlb/raw-link';
import { createNdpResponder } from '../src/index.js';

const { values } = parseArgs({
  options: {
    interface: { type: 'string' },
    address: { type: 'string', multiple: true },
    'all-ndp': { type: 'boolean' },
  },
});
const allNdp = new BpfBuilder()
  .load(BpfOp.LdAbsH, 12)
  .jump(BpfOp.JeqK, 0x86dd, null, 'drop')
  .load(BpfOp.LdAbsB, 20)
  .jump(BpfOp.JeqK, 58, null, 'drop')
  .load(BpfOp.LdAbsB, 54)
  .jump(BpfOp.JeqK, 135, 'ndp', null)
  .jump(BpfOp.JeqK, 136, 'ndp', 'drop')
  .label('ndp')
  .ret(BPF_ACCEPT)
  .label('drop')
  .ret(0)
  .build();
const links = stampingOpener(values['all-ndp'] ? { passAll: allNdp } : {});
const r = createNdpResponder(
  { openLink: links.open },
  { iface: values.interface ?? 'eth0', burstDurationMs: 0 },
);
for (const a of values.address ?? []) r.announce(a);
serveBenchResponder(
  links.take,
  () => r.linkStats(),
  () => r.close(),
);
