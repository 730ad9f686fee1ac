// Sends one unicast Neighbor Solicitation WITHOUT a Source Link-Layer option (a NUD probe as
// Juniper sends it, MetalLB #2920) from this namespace and prints the NA that comes back.
// Usage: nud-probe.ts --interface IF --from IP --target IP --dst-mac MAC [--timeout-ms N]
import { parseArgs } from 'node:util';
import {
  BPF_ACCEPT,
  BpfBuilder,
  BpfOp,
  formatIPv6,
  formatMac,
  openPacketLink,
} from '@ironlb/raw-link';
import { decodeNdpFrame, linkLayerOption, NdpOptionType } from '../src/index.js';
import { neighborSolicitationFrame } from '../src/testing/index.js';

const { values } = parseArgs({
  options: {
    interface: { type: 'string' },
    from: { type: 'string' },
    target: { type: 'string' },
    'dst-mac': { type: 'string' },
    'timeout-ms': { type: 'string' },
  },
});
const iface = values.interface ?? 'eth0';
// Neighbor Advertisements only: ICMPv6 (next header 58) of type 136.
const naOnly = new BpfBuilder()
  .load(BpfOp.LdAbsB, 20)
  .jump(BpfOp.JeqK, 58, null, 'drop')
  .load(BpfOp.LdAbsB, 54)
  .jump(BpfOp.JeqK, 136, null, 'drop')
  .ret(BPF_ACCEPT)
  .label('drop')
  .ret(0)
  .build();
const link = openPacketLink(iface, { etherType: 0x86dd, filter: naOnly });
const timer = setTimeout(
  () => {
    process.stdout.write(`${JSON.stringify({ event: 'timeout' })}\n`);
    link.close();
    process.exit(3);
  },
  Number(values['timeout-ms'] ?? 2000),
);
link.onFrame((frame) => {
  const p = decodeNdpFrame(frame);
  if (p.message.kind !== 'na' || formatIPv6(p.message.target) !== values.target) return;
  const tlla = linkLayerOption(p.message.options, NdpOptionType.TargetLinkLayerAddress);
  process.stdout.write(
    `${JSON.stringify({
      event: 'na',
      target: formatIPv6(p.message.target),
      solicited: p.message.solicited,
      override: p.message.override,
      tlla: tlla ? formatMac(tlla) : null,
      dstMac: formatMac(p.dstMac),
      dst: formatIPv6(p.dst),
    })}\n`,
  );
  clearTimeout(timer);
  link.close();
  process.exit(0);
});
link.send(
  neighborSolicitationFrame({
    fromMac: formatMac(link.mac),
    fromIp: values.from ?? '::1',
    target: values.target ?? '::1',
    unicast: true,
    dstMac: values['dst-mac'] ?? 'ff:ff:ff:ff:ff:ff',
    withSourceLinkLayer: false,
  }),
);
process.stdout.write(`${JSON.stringify({ event: 'sent' })}\n`);
