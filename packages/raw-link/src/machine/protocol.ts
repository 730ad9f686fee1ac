import type { AnnounceEvent, AnnounceState } from './announce.js';
import type { L2Event } from '../events.js';

/** Inputs of a responder machine: announcement-set changes, time, and received frames. */
export type L2MachineEvent = AnnounceEvent | { readonly type: 'frame'; readonly frame: Uint8Array };

/** Outputs of a responder machine, executed by the io layer in order. */
export type L2Action =
  | { readonly type: 'send'; readonly frame: Uint8Array }
  | { readonly type: 'event'; readonly event: L2Event }
  /** An address entered the set (first owner): e.g. join its solicited-node group. */
  | { readonly type: 'added'; readonly address: string }
  /** An address left the set (last owner gone). */
  | { readonly type: 'removed'; readonly address: string };

/** Protocol machine state: at least the shared announcement state. */
export interface L2MachineState {
  readonly announce: AnnounceState;
}

/**
 * A pure responder machine for one interface (ARP or NDP): what the generic io loop
 * ({@link createL2Responder}) needs to know about a protocol.
 */
export interface L2Protocol<S extends L2MachineState> {
  /** "arp" or "ndp": used in logs. */
  readonly name: string;
  /** Validates address text for this protocol and returns the canonical key; throws the package's error. */
  canonical(address: string): string;
  /** The kernel BPF filter for this interface (tcpdump syntax). */
  filter(): string;
  initial(): S;
  step(state: S, event: L2MachineEvent, nowMs: number): { state: S; actions: L2Action[] };
}
