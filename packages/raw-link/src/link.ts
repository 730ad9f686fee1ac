import type { BpfProgram } from './codec/bpf.js';
import type { Mac } from './codec/mac.js';
import type { RawLinkError } from './errors.js';

/**
 * A raw Ethernet link: what a responder needs from the OS, nothing more. The real driver is
 * {@link openPacketLink} (an AF_PACKET socket); tests use the in-memory links of `./testing`.
 */
export interface Link {
  /** Interface name, e.g. "eth0". */
  readonly name: string;
  /** The interface's own MAC: replies carry it, and frames from it are ours. */
  readonly mac: Mac;
  /** Sends one complete Ethernet frame (header included, already padded). Throws RawLinkError SEND_FAILED. */
  send(frame: Uint8Array): void;
  /**
   * Registers the receive handler (one per link; a new call replaces the old one). Only frames of
   * the link's EtherType that pass its filter arrive. `frame` is valid only during the call (the
   * real driver hands out a view of its receive ring): copy what you keep.
   */
  onFrame(handler: (frame: Uint8Array) => void): void;
  /** Replaces the kernel filter (atomically: no frame sees neither or both). */
  setFilter(program: BpfProgram): void;
  /** Counters since the link was opened. */
  stats(): LinkStats;
  close(): void;
}

export interface LinkStats {
  /** Frames handed over by the kernel (after the filter). */
  received: number;
  /** Frames longer than a ring slot, skipped. */
  truncated: number;
  /** Frames the filter accepted but the kernel dropped because the receive ring was full. */
  kernelDrops: number;
  /** Sends that failed. */
  sendErrors: number;
}

export interface LinkOpenOptions {
  /** The EtherType the link receives (0x0806 ARP, 0x86dd IPv6); the kernel hands over nothing else. */
  etherType: number;
  /**
   * Classic BPF program the kernel runs on every frame of that EtherType (see `BpfBuilder`); a
   * function receives the interface MAC (to drop frames from ourselves).
   */
  filter: BpfProgram | ((mac: Mac) => BpfProgram);
  /**
   * Receive ring size in bytes (rounded down to 64 KiB). Default 4 MiB: 16 384 frame slots, enough
   * to queue a 20k-request burst that arrives faster than it is answered.
   */
  ringSizeBytes?: number;
  /** Errors the link reports after opening (interface gone). Default: ignored. */
  onError?: (err: RawLinkError) => void;
}

/** Opens a link on an interface; what responders take as a dependency. */
export type LinkOpener = (iface: string, options: LinkOpenOptions) => Link;
