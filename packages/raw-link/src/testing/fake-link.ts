import { formatMac, parseMac } from '../codec/mac.js';
import type { Link, LinkOpener, LinkOpenOptions } from '../link.js';

/** A frame seen on a {@link FakeSegment}, with who sent it. */
export interface SegmentFrame {
  from: string;
  frame: Uint8Array;
}

/**
 * An in-memory Ethernet segment (a hub): every frame sent by one attached link is delivered to all
 * links, including the sender — libpcap on Linux also captures outgoing frames, so responders must
 * ignore their own. Delivery is synchronous.
 */
export class FakeSegment {
  readonly links = new Map<string, FakeLink>();
  /** Every frame sent on the segment, in order. */
  readonly log: SegmentFrame[] = [];

  /** Creates and attaches a link. */
  attach(name: string, mac: string): FakeLink {
    const link = new FakeLink(this, name, parseMac(mac));
    this.links.set(name, link);
    return link;
  }

  /** Puts a frame on the wire as if some other host sent it. */
  inject(frame: Uint8Array, from = 'external'): void {
    this.log.push({ from, frame: Uint8Array.from(frame) });
    for (const l of [...this.links.values()]) l.deliver(frame);
  }

  /** A LinkOpener that returns the attached link of that name (throws if none). */
  opener(): LinkOpener {
    return (iface: string, options: LinkOpenOptions) => {
      const l = this.links.get(iface);
      if (!l) throw new Error(`FakeSegment: no link ${iface}`);
      l.openedWith = options;
      l.filter = typeof options.filter === 'function' ? options.filter(l.mac) : options.filter;
      l.closed = false;
      return l;
    };
  }
}

/** One endpoint of a {@link FakeSegment}. */
export class FakeLink implements Link {
  readonly sent: Uint8Array[] = [];
  openedWith: LinkOpenOptions | undefined;
  /** The BPF filter text the link was opened with (not applied by the fake). */
  filter: string | undefined;
  closed = false;
  private handler: ((frame: Uint8Array) => void) | undefined;

  constructor(
    private readonly segment: FakeSegment,
    readonly name: string,
    readonly mac: Uint8Array,
  ) {}

  get macText(): string {
    return formatMac(this.mac);
  }

  send(frame: Uint8Array): void {
    if (this.closed) throw new Error(`FakeLink ${this.name} is closed`);
    const copy = Uint8Array.from(frame);
    this.sent.push(copy);
    this.segment.log.push({ from: this.name, frame: copy });
    for (const l of [...this.segment.links.values()]) l.deliver(copy);
  }

  onFrame(handler: (frame: Uint8Array) => void): void {
    this.handler = handler;
  }

  close(): void {
    this.closed = true;
    this.handler = undefined;
  }

  /** @internal */
  deliver(frame: Uint8Array): void {
    if (!this.closed) this.handler?.(Uint8Array.from(frame));
  }
}
