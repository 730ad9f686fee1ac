import { readFileSync } from 'node:fs';
import { parseMac } from '../codec/mac.js';
import type { BpfProgram } from '../codec/bpf.js';
import { encodeBpfProgram, validateBpf } from '../codec/bpf.js';
import { RawLinkError, RawLinkErrorCode } from '../errors.js';
import type { Link, LinkOpenOptions, LinkStats } from '../link.js';
import type { Libc } from './native.js';
import { loadLibc } from './native.js';

/** Reads an interface's MAC from sysfs (Linux). Throws RawLinkError NO_SUCH_INTERFACE. */
export function readInterfaceMac(iface: string, sysfsRoot = '/sys/class/net'): Uint8Array {
  if (!/^[^/\s]{1,15}$/.test(iface) || iface === '.' || iface === '..')
    throw new RawLinkError(RawLinkErrorCode.NoSuchInterface, `no such interface: ${iface}`, {
      iface,
    });
  let text: string;
  try {
    text = readFileSync(`${sysfsRoot}/${iface}/address`, 'utf8').trim();
  } catch (cause) {
    throw new RawLinkError(
      RawLinkErrorCode.NoSuchInterface,
      `no such interface: ${iface}`,
      { iface },
      { cause },
    );
  }
  return parseMac(text);
}

// linux/socket.h, linux/if_packet.h, linux/if_ether.h
const AF_PACKET = 17;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_ERROR = 4;
const SOL_PACKET = 263;
const PACKET_RX_RING = 5;
const PACKET_STATISTICS = 6;
const PACKET_VERSION = 10;
const TPACKET_V2 = 1;
const MSG_DONTWAIT = 0x40;
const ARPHRD_ETHER = 1;
const EPERM = 1;
const EACCES = 13;

// struct tpacket2_hdr (32 bytes): the kernel writes a frame, then sets tp_status to
// TP_STATUS_USER; we read it and hand the slot back by writing TP_STATUS_KERNEL.
const TP_STATUS_KERNEL = 0;
const TP_STATUS_USER = 1;
const HDR_LEN = 4; // offset of tp_len
const HDR_SNAPLEN = 8;
const HDR_MAC = 12;

/** Ring slot size: 256 bytes leave 190 bytes of frame after the kernel's headers (NS: 86–94). */
export const RING_FRAME_BYTES = 256;
const RING_BLOCK_BYTES = 1 << 16;
/** Default receive ring: 4 MiB, 16 384 frames. */
export const DEFAULT_RING_BYTES = 4 << 20;
/** Frames handed to the handler per wake-up before yielding to the event loop. */
const MAX_FRAMES_PER_WAKEUP = 4096;

function sockaddrLl(etherType: number, ifindex: number): Uint8Array {
  // struct sockaddr_ll: sll_family u16, sll_protocol be16, sll_ifindex i32, then hatype, pkttype,
  // halen and the address, unused for bind.
  const b = new Uint8Array(20);
  const v = new DataView(b.buffer);
  v.setUint16(0, AF_PACKET, true);
  v.setUint16(2, etherType, false);
  v.setInt32(4, ifindex, true);
  return b;
}

function fail(
  code: RawLinkErrorCode,
  what: string,
  iface: string,
  errno: number,
  extra: Record<string, unknown> = {},
): RawLinkError {
  const hint =
    errno === EPERM || errno === EACCES
      ? ' (raw sockets need CAP_NET_RAW: run as root or grant the capability)'
      : '';
  return new RawLinkError(code, `${what} on ${iface} failed: errno ${errno}${hint}`, {
    iface,
    errno,
    ...extra,
  });
}

/**
 * Opens `iface` as a Linux AF_PACKET socket (raw Ethernet frames) with a TPACKET_V2 receive ring,
 * without libpcap. Why this shape (issue 13, measured in BENCHMARKS.md):
 * - bound to one EtherType (ARP, or IPv6 for NDP): the kernel hands the socket nothing else, and
 *   outgoing frames are not copied to it (only ETH_P_ALL taps see those);
 * - a classic BPF program attached before the bind drops, in the kernel, frames that are not for
 *   us (other targets, other stations' unicast, VLAN-tagged, our own MAC): no wake-up for them;
 * - the ring is mapped into the process (no rmem_max limit, no copy, no recv call per frame):
 *   the kernel queues frames while the event loop is busy, and a wake-up drains every frame
 *   queued so far;
 * - readiness comes from libuv's epoll through koffi's poll handle, like any Node socket;
 * - no promiscuous mode: the NIC's own filters and the NDP responder's multicast joins decide
 *   what reaches the interface.
 * Requires CAP_NET_RAW. Throws RawLinkError NO_SUCH_INTERFACE / OPEN_FAILED / NATIVE_UNAVAILABLE.
 */
export function openPacketLink(iface: string, options: LinkOpenOptions): Link {
  const mac = readInterfaceMac(iface);
  let type = ARPHRD_ETHER;
  try {
    type = Number(readFileSync(`/sys/class/net/${iface}/type`, 'utf8').trim());
  } catch {
    // sysfs without the file: let the socket calls decide
  }
  if (type !== ARPHRD_ETHER)
    throw new RawLinkError(RawLinkErrorCode.OpenFailed, `${iface} is not an Ethernet link`, {
      iface,
      hardwareType: type,
    });
  const c = loadLibc();
  const ifindex = c.ifNameToIndex(iface);
  if (!ifindex)
    throw new RawLinkError(RawLinkErrorCode.NoSuchInterface, `no such interface: ${iface}`, {
      iface,
    });
  const ringBytes = ringSize(options.ringSizeBytes ?? DEFAULT_RING_BYTES);
  // Protocol 0 receives nothing until the bind below: ring and filter are in place first.
  const fd = c.socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw fail(RawLinkErrorCode.OpenFailed, 'socket(AF_PACKET)', iface, c.errno());
  let ring: { view: ArrayBuffer; unmap(): void } | undefined;
  try {
    const int = (v: number) => new Uint8Array(new Int32Array([v]).buffer);
    if (c.setsockopt(fd, SOL_PACKET, PACKET_VERSION, int(TPACKET_V2), 4) < 0)
      throw fail(RawLinkErrorCode.OpenFailed, 'PACKET_VERSION', iface, c.errno());
    const req = new Uint32Array([
      RING_BLOCK_BYTES,
      ringBytes / RING_BLOCK_BYTES,
      RING_FRAME_BYTES,
      ringBytes / RING_FRAME_BYTES,
    ]);
    if (c.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, new Uint8Array(req.buffer), 16) < 0)
      throw fail(RawLinkErrorCode.OpenFailed, 'PACKET_RX_RING', iface, c.errno(), { ringBytes });
    ring = c.mapShared(fd, ringBytes);
    if (!ring) throw fail(RawLinkErrorCode.OpenFailed, 'mmap of the ring', iface, c.errno());
    const filter = typeof options.filter === 'function' ? options.filter(mac) : options.filter;
    attach(c, fd, filter, iface);
    const addr = sockaddrLl(options.etherType, ifindex);
    if (c.bind(fd, addr, addr.length) < 0)
      throw fail(RawLinkErrorCode.OpenFailed, 'bind', iface, c.errno());
  } catch (err) {
    ring?.unmap();
    c.close(fd);
    throw err;
  }
  return new PacketLink(c, fd, iface, mac, ring, options.onError);
}

function ringSize(bytes: number): number {
  if (!Number.isFinite(bytes) || bytes < RING_BLOCK_BYTES || bytes > 1 << 30)
    throw new RawLinkError(RawLinkErrorCode.Invalid, `ringSizeBytes out of range: ${bytes}`, {
      ringSizeBytes: bytes,
    });
  return Math.floor(bytes / RING_BLOCK_BYTES) * RING_BLOCK_BYTES;
}

function attach(c: Libc, fd: number, program: BpfProgram, iface: string): void {
  validateBpf(program);
  const bytes = encodeBpfProgram(program, c.littleEndian);
  if (c.attachFilter(fd, bytes, program.length) < 0)
    throw fail(RawLinkErrorCode.OpenFailed, 'SO_ATTACH_FILTER', iface, c.errno(), {
      instructions: program.length,
    });
}

class PacketLink implements Link {
  private handler: ((frame: Uint8Array) => void) | undefined;
  private readonly bytes: Uint8Array;
  private readonly words: DataView;
  private readonly slots: number;
  private head = 0;
  private closed = false;
  private readonly poller: { close(): void };
  private readonly counts = { received: 0, truncated: 0, kernelDrops: 0, sendErrors: 0 };

  constructor(
    private readonly c: Libc,
    private readonly fd: number,
    readonly name: string,
    readonly mac: Uint8Array,
    private readonly ring: { view: ArrayBuffer; unmap(): void },
    private readonly onError: ((err: RawLinkError) => void) | undefined,
  ) {
    this.bytes = new Uint8Array(ring.view);
    this.words = new DataView(ring.view);
    this.slots = ring.view.byteLength / RING_FRAME_BYTES;
    this.poller = c.poll(fd, () => this.drain());
  }

  /**
   * Hands every frame the kernel has put in the ring to the handler, in order, then gives the
   * slots back. The handler's view of a frame points into the ring and is valid only during the
   * call. At most MAX_FRAMES_PER_WAKEUP per call: epoll is level-triggered, so a long backlog is
   * resumed on the next turn of the event loop instead of starving timers.
   */
  private drain(): void {
    let n = 0;
    for (; n < MAX_FRAMES_PER_WAKEUP && !this.closed; n++) {
      const base = this.head * RING_FRAME_BYTES;
      // tp_status is written last by the kernel (after a write barrier), so reading it first and
      // the frame after is the order libpcap uses; x86 and arm64 do not reorder dependent loads
      // across the event-loop boundary that separates two wake-ups.
      if ((this.words.getUint32(base, true) & TP_STATUS_USER) === 0) break;
      const len = this.words.getUint32(base + HDR_LEN, true);
      const snap = this.words.getUint32(base + HDR_SNAPLEN, true);
      const at = base + this.words.getUint16(base + HDR_MAC, true);
      this.counts.received++;
      if (snap < len || at + snap > base + RING_FRAME_BYTES) this.counts.truncated++;
      else {
        try {
          this.handler?.(this.bytes.subarray(at, at + snap));
        } catch (err) {
          this.words.setUint32(base, TP_STATUS_KERNEL, true);
          this.head = (this.head + 1) % this.slots;
          throw err;
        }
      }
      this.words.setUint32(base, TP_STATUS_KERNEL, true);
      this.head = (this.head + 1) % this.slots;
    }
    if (n === 0 && !this.closed) this.clearSocketError();
  }

  /**
   * A wake-up without frames is an error condition (the interface went down or away): read
   * SO_ERROR to clear it, or level-triggered epoll would report it forever and spin the CPU.
   */
  private clearSocketError(): void {
    const v = new Uint8Array(4);
    const len = new Uint32Array([4]);
    if (this.c.getsockopt(this.fd, SOL_SOCKET, SO_ERROR, v, len) < 0) return;
    const errno = new DataView(v.buffer).getInt32(0, true);
    if (errno !== 0)
      this.onError?.(
        new RawLinkError(RawLinkErrorCode.LinkError, `link ${this.name}: socket error ${errno}`, {
          iface: this.name,
          errno,
        }),
      );
  }

  send(frame: Uint8Array): void {
    if (this.closed)
      throw new RawLinkError(RawLinkErrorCode.SendFailed, `link ${this.name} is closed`, {
        iface: this.name,
      });
    if (this.c.send(this.fd, frame, frame.length, MSG_DONTWAIT) < 0) {
      this.counts.sendErrors++;
      throw fail(RawLinkErrorCode.SendFailed, 'send', this.name, this.c.errno());
    }
  }

  onFrame(handler: (frame: Uint8Array) => void): void {
    this.handler = handler;
  }

  setFilter(program: BpfProgram): void {
    if (this.closed) return;
    attach(this.c, this.fd, program, this.name);
  }

  stats(): LinkStats {
    if (!this.closed) {
      // struct tpacket_stats { tp_packets, tp_drops }: reading resets the kernel's counters.
      const v = new Uint8Array(8);
      if (this.c.getsockopt(this.fd, SOL_PACKET, PACKET_STATISTICS, v, new Uint32Array([8])) === 0)
        this.counts.kernelDrops += new DataView(v.buffer).getUint32(4, true);
    }
    return { ...this.counts };
  }

  close(): void {
    if (this.closed) return;
    this.stats();
    this.closed = true;
    this.handler = undefined;
    this.poller.close();
    this.c.close(this.fd);
    // The ring view must not be touched after this: no more drains are scheduled.
    this.ring.unmap();
  }
}
