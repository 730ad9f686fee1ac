import type { BpfProgram } from '../codec/bpf.js';
import { PacketType, runBpf } from '../codec/bpf.js';
import { formatMac, isBroadcastMac, isMulticastMac, macEquals, parseMac } from '../codec/mac.js';
import type { Link, LinkOpener, LinkOpenOptions, LinkStats } from '../link.js';

/** A frame seen on a {@link FakeSegment}, with who sent it. */
export interface SegmentFrame {
  from: string;
  frame: Uint8Array;
}

/**
 * An in-memory Ethernet segment (a hub). A frame sent by one attached link reaches every other
 * link that was opened for its EtherType and whose kernel filter — run by the BPF interpreter, as
 * the kernel would — accepts it; as on Linux, a link does not receive what it sent. Delivery is
 * synchronous.
 */
export class FakeSegment {
  readonly links = new Map<string, FakeLink>();
  /** Every frame put on the segment, in order. */
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
    for (const l of [...this.links.values()]) if (l.name !== from) l.deliver(frame);
  }

  /** A LinkOpener that returns the attached link of that name (throws if none). */
  opener(): LinkOpener {
    return (iface: string, options: LinkOpenOptions) => {
      const l = this.links.get(iface);
      if (!l) throw new Error(`FakeSegment: no link ${iface}`);
      l.openedWith = options;
      l.etherType = options.etherType;
      l.setFilter(typeof options.filter === 'function' ? options.filter(l.mac) : options.filter);
      l.closed = false;
      return l;
    };
  }
}

/** One endpoint of a {@link FakeSegment}. Until opened it receives every frame, unfiltered. */
export class FakeLink implements Link {
  readonly sent: Uint8Array[] = [];
  openedWith: LinkOpenOptions | undefined;
  /** The EtherType the link was opened for (undefined: all). */
  etherType: number | undefined;
  /** The kernel filter now attached (applied by this fake with the BPF interpreter). */
  filter: BpfProgram | undefined;
  /** Every filter attached, in order. */
  readonly filters: BpfProgram[] = [];
  closed = false;
  private readonly counts: LinkStats = { received: 0, truncated: 0, kernelDrops: 0, sendErrors: 0 };
  /** Frames the filter or the EtherType kept from the handler. */
  filtered = 0;
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
    this.segment.inject(copy, this.name);
  }

  onFrame(handler: (frame: Uint8Array) => void): void {
    this.handler = handler;
  }

  setFilter(program: BpfProgram): void {
    this.filter = program;
    this.filters.push(program);
  }

  stats(): LinkStats {
    return { ...this.counts };
  }

  close(): void {
    this.closed = true;
    this.handler = undefined;
  }

  /** @internal */
  deliver(frame: Uint8Array): void {
    if (this.closed || !this.handler) return;
    if (
      this.etherType !== undefined &&
      (((frame[12] ?? 0) << 8) | (frame[13] ?? 0)) !== this.etherType
    )
      return;
    if (this.filter) {
      const packetType = isBroadcastMac(frame)
        ? PacketType.Broadcast
        : isMulticastMac(frame)
          ? PacketType.Multicast
          : macEquals(frame, this.mac)
            ? PacketType.Host
            : PacketType.OtherHost;
      if (runBpf(this.filter, frame, { packetType }) === 0) {
        this.filtered++;
        return;
      }
    }
    this.counts.received++;
    this.handler(Uint8Array.from(frame));
  }
}
