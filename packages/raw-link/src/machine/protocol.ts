import type { BpfProgram } from '../codec/bpf.js';
import type { AnnounceEvent, AnnounceState } from './announce.js';
import type { L2Event } from '../events.js';

/** Inputs of a responder machine: announcement-set changes, time, and received frames. */
export type L2MachineEvent = AnnounceEvent | { readonly type: 'frame'; readonly frame: Uint8Array };

/**
 * Why a request for one of our addresses was not answered although it asked for it (issue 14):
 * the kernel ignores the same requests.
 */
export type L2IgnoreReason =
  /** The requester's protocol address cannot be a sender: broadcast, multicast, loopback, 0/8, ... */
  | 'bad-sender'
  /** A message that fails RFC 4861 §7.1 validation although its target is ours. */
  | 'invalid';

/** Outputs of a responder machine, executed by the io layer in order. */
export type L2Action =
  | { readonly type: 'send'; readonly frame: Uint8Array }
  | { readonly type: 'event'; readonly event: L2Event }
  /** An address entered the set (first owner): e.g. join its solicited-node group. */
  | { readonly type: 'added'; readonly address: string }
  /** An address left the set (last owner gone). */
  | { readonly type: 'removed'; readonly address: string }
  /** A request for `address` was ignored (counted, not reported as an event). */
  | { readonly type: 'ignored'; readonly address: string; readonly reason: L2IgnoreReason };

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
  /** The EtherType the link receives (ARP 0x0806, IPv6 0x86dd). */
  readonly etherType: number;
  /** Validates address text for this protocol and returns the canonical key; throws the package's error. */
  canonical(address: string): string;
  /** The kernel filter for this interface while `addresses` (canonical) are announced. */
  filter(addresses: readonly string[]): BpfProgram;
  initial(): S;
  step(state: S, event: L2MachineEvent, nowMs: number): { state: S; actions: L2Action[] };
}

/** How a responder makes its machine once it knows the interface's MAC. */
export interface L2ProtocolFactory<S extends L2MachineState> {
  /** The EtherType the link receives (ARP 0x0806, IPv6 0x86dd). */
  readonly etherType: number;
  create(mac: Uint8Array): L2Protocol<S>;
}
