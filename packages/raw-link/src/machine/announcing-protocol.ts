import type { BpfProgram } from '../codec/bpf.js';
import type { Mac } from '../codec/mac.js';
import { formatMac } from '../codec/mac.js';
import type { AnnounceOptions } from './announce.js';
import { DEFAULT_ANNOUNCE_OPTIONS, initialAnnounceState, stepAnnounce } from './announce.js';
import type { L2Action, L2MachineEvent, L2MachineState, L2Protocol } from './protocol.js';

/** What a protocol adds to the shared announcement schedule to become an {@link L2Protocol}. */
export interface AnnouncingProtocolSpec {
  /** "arp" or "ndp": used in logs. */
  readonly name: string;
  /** The EtherType the link receives. */
  readonly etherType: number;
  /** Interface name (reported in events). */
  readonly iface: string;
  /** The interface's MAC (reported in `gratuitous` events). */
  readonly mac: Mac;
  /** Announcement schedule; default MetalLB's (1.1 s × 5 s, no refresh). */
  readonly announce?: Partial<AnnounceOptions> | undefined;
  /** Validates address text and returns the canonical key; throws the package's error. */
  canonical(address: string): string;
  /** The kernel filter for this interface while `addresses` are announced. */
  filter(addresses: readonly string[]): BpfProgram;
  /** Reaction to a received frame (pure; the state is not changed by frames). */
  onFrame(state: L2MachineState, frame: Uint8Array): L2Action[];
  /** The frames of one announcement round for `address` (gratuitous ARP pair / unsolicited NA). */
  announcementFrames(address: string): Uint8Array[];
}

/**
 * The machine both responders share (DESIGN.md §3, pure): frames go to the protocol's `onFrame`;
 * every other event drives the announcement schedule ({@link stepAnnounce}), whose `announce`
 * actions become the protocol's announcement frames followed by one `gratuitous` event — frames
 * first, so event consumers never delay them. `added` / `removed` pass through unchanged.
 */
export function announcingProtocol(spec: AnnouncingProtocolSpec): L2Protocol<L2MachineState> {
  const options: AnnounceOptions = { ...DEFAULT_ANNOUNCE_OPTIONS, ...spec.announce };
  const { iface } = spec;
  const macText = formatMac(spec.mac);
  return {
    name: spec.name,
    etherType: spec.etherType,
    canonical: (address) => spec.canonical(address),
    filter: (addresses) => spec.filter(addresses),
    initial: () => ({ announce: initialAnnounceState() }),
    step(state: L2MachineState, event: L2MachineEvent, nowMs: number) {
      if (event.type === 'frame') return { state, actions: spec.onFrame(state, event.frame) };
      const r = stepAnnounce(state.announce, event, nowMs, options);
      const actions: L2Action[] = [];
      for (const a of r.actions) {
        if (a.type === 'announce') {
          const frames = spec.announcementFrames(a.address);
          for (const frame of frames) actions.push({ type: 'send', frame });
          actions.push({
            type: 'event',
            event: {
              type: 'gratuitous',
              iface,
              address: a.address,
              mac: macText,
              reason: a.reason,
              frames: frames.length,
            },
          });
        } else actions.push(a);
      }
      return { state: { announce: r.state }, actions };
    },
  };
}
