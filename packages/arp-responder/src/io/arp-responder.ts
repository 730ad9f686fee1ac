import type { AnnounceOptions, L2Responder } from '@ironlb/raw-link';
import { createL2Responder, openPacketLink } from '@ironlb/raw-link';
import type { ArpResponderDeps } from '../deps.js';
import { arpProtocolFactory } from '../machine/arp-machine.js';

export interface ArpResponderOptions {
  /** Interface to answer on (must exist; its MAC is used in every reply). */
  iface: string;
  /** Spacing of gratuitous burst rounds, milliseconds. Default 1100 (MetalLB). */
  burstIntervalMs?: number;
  /** Burst length after the last trigger, milliseconds. Default 5000 (MetalLB). */
  burstDurationMs?: number;
  /** Periodic gratuitous ARP after the burst, milliseconds; 0 = off. Default 0 (MetalLB #2910 for why you may want it). */
  refreshIntervalMs?: number;
  /** Receive ring, bytes. Default 4 MiB. */
  ringSizeBytes?: number;
}

/**
 * Starts answering ARP on `options.iface` for the addresses later passed to `announce()`.
 * The default link needs CAP_NET_RAW and the optional dependency koffi. Throws RawLinkError if the
 * interface cannot be opened (NO_SUCH_INTERFACE, OPEN_FAILED, NATIVE_UNAVAILABLE).
 */
export function createArpResponder(
  deps: ArpResponderDeps,
  options: ArpResponderOptions,
): L2Responder {
  const announce: Partial<AnnounceOptions> = {};
  if (options.burstIntervalMs !== undefined) announce.burstIntervalMs = options.burstIntervalMs;
  if (options.burstDurationMs !== undefined) announce.burstDurationMs = options.burstDurationMs;
  if (options.refreshIntervalMs !== undefined)
    announce.refreshIntervalMs = options.refreshIntervalMs;
  return createL2Responder(
    { ...deps, openLink: deps.openLink ?? openPacketLink },
    {
      iface: options.iface,
      ...(options.ringSizeBytes !== undefined ? { ringSizeBytes: options.ringSizeBytes } : {}),
    },
    arpProtocolFactory({ iface: options.iface, announce }),
  );
}
