// The receive-side TTL / Hop Limit check of RFC 5881 §5 ("received ... MUST be discarded if the
// TTL or Hop Limit is not equal to 255") and RFC 5883 §2 (a configured minimum), enforced by the
// kernel before a datagram reaches the socket.
//
// Why a socket filter and not IP_MINTTL / IPV6_MINHOPCOUNT: Linux accepts both options on a UDP
// socket but only TCP honours them (tcp_v4_rcv / tcp_v6_rcv check them; udp does not) — measured
// here on Linux 6.18: a UDP socket with IP_MINTTL 255 still receives a datagram sent with TTL 254.
// So we attach a classic BPF program (SO_ATTACH_FILTER) that loads the TTL (IPv4 header byte 8)
// or Hop Limit (IPv6 header byte 7) relative to the network header (SKF_NET_OFF) and drops the
// datagram when it is below the minimum. Node's dgram can set the sending TTL but cannot do this,
// nor read a received TTL (DESIGN.md §8), so this calls libc's setsockopt through koffi (FFI with
// prebuilt binaries in the npm package) on the socket's file descriptor. Loaded lazily, once.
import type dgram from 'node:dgram';
import { BfdError, BfdErrorCode } from '../errors.js';

// Linux values: include/uapi/asm-generic/socket.h, include/uapi/linux/filter.h.
const SOL_SOCKET = 1;
const SO_ATTACH_FILTER = 26;
const SKF_NET_OFF = -0x100000;
const BPF_LD_B_ABS = 0x30; // BPF_LD | BPF_B | BPF_ABS
const BPF_JGE_K = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const BPF_RET_K = 0x06; // BPF_RET | BPF_K
/** Offset of the TTL in an IPv4 header, of the Hop Limit in an IPv6 header. */
const TTL_OFFSET = { ipv4: 8, ipv6: 7 } as const;

interface Ffi {
  setsockopt: (fd: number, level: number, name: number, value: Buffer, len: number) => number;
  address: (b: Buffer) => bigint;
  pointerSize: number;
}

let ffi: Ffi | null = null;
let loading: Promise<void> | null = null;
let loadError: Error | null = null;

/** Loads libc's setsockopt once. Never rejects: `ttlCheckAvailable()` says whether it worked. */
export function loadSockopt(): Promise<void> {
  loading ??= (async () => {
    try {
      if (process.platform !== 'linux') throw new Error(`not Linux (${process.platform})`);
      const koffi = (await import('koffi')).default;
      const lib = koffi.load('libc.so.6');
      ffi = {
        setsockopt: lib.func(
          'int setsockopt(int fd, int level, int name, const void *value, uint32_t len)',
        ) as Ffi['setsockopt'],
        address: (b) => koffi.address(b) as bigint,
        pointerSize: koffi.sizeof('void *'),
      };
    } catch (err) {
      loadError = err as Error;
    }
  })();
  return loading;
}

export function ttlCheckAvailable(): boolean {
  return ffi !== null;
}

/**
 * libuv's file descriptor of a bound dgram socket. Read through the socket's internal state
 * (not `_handle`, whose getter is deprecated with a warning, DEP0112); undefined if Node changes.
 */
export function socketFd(sock: dgram.Socket): number | undefined {
  const sym = Object.getOwnPropertySymbols(sock).find((s) => s.description === 'state symbol');
  const state = sym
    ? (sock as unknown as Record<symbol, { handle?: { fd?: number } }>)[sym]
    : undefined;
  const fd = state?.handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * The classic BPF program: A = TTL; if A >= min accept, else drop. 8 bytes per instruction
 * (struct sock_filter: u16 code, u8 jt, u8 jf, u32 k) in little-endian byte order (x64, arm64;
 * setMinTtl refuses big-endian hosts).
 */
export function minTtlProgram(family: 'ipv4' | 'ipv6', minTtl: number): Buffer {
  const ins: [number, number, number, number][] = [
    [BPF_LD_B_ABS, 0, 0, (SKF_NET_OFF + TTL_OFFSET[family]) >>> 0],
    [BPF_JGE_K, 0, 1, minTtl],
    [BPF_RET_K, 0, 0, 0xffffffff], // accept the whole datagram
    [BPF_RET_K, 0, 0, 0], // drop
  ];
  const b = Buffer.alloc(8 * ins.length);
  ins.forEach(([code, jt, jf, k], i) => {
    b.writeUInt16LE(code, i * 8);
    b.writeUInt8(jt, i * 8 + 2);
    b.writeUInt8(jf, i * 8 + 3);
    b.writeUInt32LE(k, i * 8 + 4);
  });
  return b;
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function unavailable(message: string, detail: Record<string, unknown>): BfdError {
  return new BfdError(BfdErrorCode.TtlCheckUnavailable, message, { detail });
}

/**
 * Makes the kernel drop every datagram for `sock` whose TTL (udp4) or Hop Limit (udp6) is below
 * `minTtl`; replaces any earlier program. Throws BfdError TTL_CHECK_UNAVAILABLE.
 */
export function setMinTtl(sock: dgram.Socket, family: 'ipv4' | 'ipv6', minTtl: number): void {
  if (!ffi)
    throw unavailable(
      `cannot install the receive TTL check: FFI unavailable (${loadError?.message ?? 'not loaded'})`,
      {},
    );
  if (!isLittleEndian())
    throw unavailable('receive TTL check: big-endian hosts are not supported', {});
  const fd = socketFd(sock);
  if (fd === undefined)
    throw unavailable('cannot install the receive TTL check: no file descriptor', {});
  const program = minTtlProgram(family, minTtl);
  // struct sock_fprog { unsigned short len; struct sock_filter *filter; } — the pointer is
  // aligned to its own size. The kernel copies the program, so the buffers may go afterwards.
  const fprog = Buffer.alloc(2 * ffi.pointerSize);
  fprog.writeUInt16LE(program.length / 8, 0);
  if (ffi.pointerSize === 8) fprog.writeBigUInt64LE(ffi.address(program), 8);
  else fprog.writeUInt32LE(Number(ffi.address(program)), 4);
  const rc = ffi.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, fprog.length);
  if (rc !== 0)
    throw unavailable('setsockopt(SO_ATTACH_FILTER) failed for the receive TTL check', {
      fd,
      minTtl,
    });
}
