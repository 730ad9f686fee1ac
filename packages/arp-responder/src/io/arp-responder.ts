import type { AnnounceOptions, L2Responder, L2ResponderDeps } from '@ironlb/raw-link';
import { createL2Responder, openCapLink } from '@ironlb/raw-link';
import { arpProtocol } from '../machine/arp-machine.js';

/** Every dependency is optional: `openLink` defaults to libpcap via cap, the clock to the real one. */
export type ArpResponderDeps = Partial<L2ResponderDeps>;

export interface ArpResponderOptions {
  /** Interface to answer on (must exist; its MAC is used in every reply). */
  iface: string;
  /** Spacing of gratuitous burst rounds, milliseconds. Default 1100 (MetalLB). */
  burstIntervalMs?: number;
  /** Burst length after the last trigger, milliseconds. Default 5000 (MetalLB). */
  burstDurationMs?: number;
  /** Periodic gratuitous ARP after the burst, milliseconds; 0 = off. Default 0 (MetalLB #2910 for why you may want it). */
  refreshIntervalMs?: number;
  /** Kernel capture buffer, bytes. Default 4 MiB. */
  bufferSizeBytes?: number;
}

/**
 * Starts answering ARP on `options.iface` for the addresses later passed to `announce()`.
 * Default link driver: libpcap via cap (needs CAP_NET_RAW). Throws RawLinkError if the interface
 * cannot be opened.
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
    { ...deps, openLink: deps.openLink ?? openCapLink },
    {
      iface: options.iface,
      ...(options.bufferSizeBytes !== undefined
        ? { bufferSizeBytes: options.bufferSizeBytes }
        : {}),
    },
    (mac) => arpProtocol({ iface: options.iface, mac, announce }),
  );
}
