import type { AnnounceOptions, L2Responder } from '@ironlb/raw-link';
import type { NdpResponderDeps } from '../deps.js';
import { silentLogger } from '@ironlb/clock';
import { createL2Responder, formatIPv6, openPacketLink, parseIPv6 } from '@ironlb/raw-link';
import { solicitedNodeGroup } from '../codec/ndp.js';
import { ndpProtocolFactory } from '../machine/ndp-machine.js';
import { createUdp6Membership } from './multicast.js';

export interface NdpResponderOptions {
  /** Interface to answer on. */
  iface: string;
  /** Spacing of unsolicited-NA burst rounds, milliseconds. Default 1100 (MetalLB). */
  burstIntervalMs?: number;
  /** Burst length after the last trigger, milliseconds. Default 5000 (MetalLB). */
  burstDurationMs?: number;
  /** Periodic unsolicited NA after the burst, milliseconds; 0 = off. Default 0 (see MetalLB #2910). */
  refreshIntervalMs?: number;
  /** Receive ring, bytes. Default 4 MiB. */
  ringSizeBytes?: number;
}

/**
 * Starts answering Neighbor Solicitations on `options.iface` for the addresses later passed to
 * `announce()`, joining each address's solicited-node group (reference-counted: several addresses
 * can share one group). Throws RawLinkError if the interface cannot be opened.
 */
export function createNdpResponder(
  deps: NdpResponderDeps,
  options: NdpResponderOptions,
): L2Responder {
  const logger = deps.logger ?? silentLogger;
  const ownMembership = deps.membership === undefined;
  const membership = deps.membership ?? createUdp6Membership({ logger });
  const groups = new Map<string, number>();
  const iface = options.iface;
  const onMembership = (change: 'added' | 'removed', address: string) => {
    const group = formatIPv6(solicitedNodeGroup(parseIPv6(address)));
    const n = groups.get(group) ?? 0;
    try {
      if (change === 'added') {
        if (n === 0) membership.join(group, iface);
        groups.set(group, n + 1);
      } else if (n > 0) {
        if (n === 1) {
          groups.delete(group);
          membership.leave(group, iface);
        } else groups.set(group, n - 1);
      }
    } catch (err) {
      // Answering still works where frames arrive anyway (promiscuous capture); say so loudly.
      logger.error({ err, group, iface }, 'ndp: solicited-node group membership failed');
    }
    deps.onMembership?.(change, address);
  };
  const announce: Partial<AnnounceOptions> = {};
  if (options.burstIntervalMs !== undefined) announce.burstIntervalMs = options.burstIntervalMs;
  if (options.burstDurationMs !== undefined) announce.burstDurationMs = options.burstDurationMs;
  if (options.refreshIntervalMs !== undefined)
    announce.refreshIntervalMs = options.refreshIntervalMs;
  const r = createL2Responder(
    { ...deps, openLink: deps.openLink ?? openPacketLink, onMembership },
    {
      iface,
      ...(options.ringSizeBytes !== undefined ? { ringSizeBytes: options.ringSizeBytes } : {}),
    },
    ndpProtocolFactory({ iface, announce }),
  );
  return {
    ...r,
    iface: r.iface,
    mac: r.mac,
    macBytes: r.macBytes,
    close() {
      r.close();
      if (ownMembership) membership.close();
    },
  };
}
