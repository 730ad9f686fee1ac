import type { Mac } from './codec/mac.js';

/**
 * A raw Ethernet link: what a responder needs from the OS, nothing more. The real driver is
 * {@link openCapLink} (libpcap through `cap`); tests use the in-memory links of `./testing`.
 */
export interface Link {
  /** Interface name, e.g. "eth0". */
  readonly name: string;
  /** The interface's own MAC: replies carry it, and frames from it are ours. */
  readonly mac: Mac;
  /** Sends one complete Ethernet frame (header included, already padded). */
  send(frame: Uint8Array): void;
  /**
   * Registers the receive handler (one per link; a new call replaces the old one). `frame` is the
   * handler's own copy. Only frames that passed the link's BPF filter arrive.
   */
  onFrame(handler: (frame: Uint8Array) => void): void;
  close(): void;
}

export interface LinkOpenOptions {
  /**
   * tcpdump-syntax BPF filter compiled into the kernel, so unrelated traffic never reaches the
   * process. A function receives the interface MAC (to exclude frames the host itself sends).
   */
  filter: string | ((mac: Mac) => string);
  /** Kernel capture ring size in bytes. Default 4 MiB: a burst of ~30k small frames (an ARP storm) fits while the event loop is busy. */
  bufferSizeBytes?: number;
}

/** Opens a link on an interface; what responders take as a dependency. */
export type LinkOpener = (iface: string, options: LinkOpenOptions) => Link;
