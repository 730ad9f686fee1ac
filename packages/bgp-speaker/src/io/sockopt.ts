// Socket options node:net cannot set (DESIGN.md §8), through libc via koffi (FFI with prebuilt
// binaries inside its npm package: no compiler needed). Loaded lazily: only sessions that ask for
// a TTL, GTSM or a TCP-MD5 password pay for it.
//   - TCP-MD5 (RFC 2385): setsockopt(IPPROTO_TCP, TCP_MD5SIG, struct tcp_md5sig) per peer address,
//     on the listening socket (accepted sockets inherit the keys) and on a dialling socket before
//     connect() — which is why active sessions with options open their socket here (socket()),
//     set the options and hand the descriptor to net.Socket({ fd }) to connect.
//   - TTL (IP_TTL / IPV6_UNICAST_HOPS) from the SYN on; GTSM (RFC 5082) receive side with
//     IP_MINTTL / IPV6_MINHOPCOUNT, which the kernel enforces for every segment, SYN included.
// Linux only (the numbers below are Linux's).
import { endianness } from 'node:os';
import { parseAddress } from '../codec/prefix.js';

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const IPPROTO_IP = 0;
const IPPROTO_TCP = 6;
const IPPROTO_IPV6 = 41;
const IP_TTL = 2;
const IP_MINTTL = 21;
const IPV6_UNICAST_HOPS = 16;
const IPV6_MINHOPCOUNT = 73;
const TCP_MD5SIG = 14;
/** sizeof(struct tcp_md5sig): sockaddr_storage 128, flags, prefixlen, keylen u16, ifindex i32, key[80]. */
const MD5SIG_SIZE = 216;
export const MD5_MAX_KEY_BYTES = 80;

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, len: number): number;
  close(fd: number): number;
  errno(): number;
}

let libc: Libc | null = null;
let loading: Promise<void> | null = null;

/** Loads libc's socket/setsockopt once; rejects when FFI is unavailable on this platform. */
export function loadSockopt(): Promise<void> {
  loading ??= (async () => {
    if (process.platform !== 'linux')
      throw new Error(`socket options need Linux, not ${process.platform}`);
    const koffi = (await import('koffi')).default;
    const lib = koffi.load('libc.so.6');
    const socket = lib.func('int socket(int domain, int type, int protocol)');
    const setsockopt = lib.func(
      'int setsockopt(int fd, int level, int name, const uint8_t *value, uint32_t len)',
    );
    const close = lib.func('int close(int fd)');
    libc = {
      socket: (d, t, p) => socket(d, t, p) as number,
      setsockopt: (fd, level, name, value, len) =>
        setsockopt(fd, level, name, value, len) as number,
      close: (fd) => close(fd) as number,
      errno: () => koffi.errno(),
    };
  })();
  return loading;
}

export function sockoptLoaded(): boolean {
  return libc !== null;
}

export class SockoptError extends Error {
  constructor(
    readonly what: string,
    readonly errno: number,
  ) {
    super(`${what} failed (errno ${errno})`);
    this.name = 'SockoptError';
  }
}

function lib(): Libc {
  if (!libc) throw new SockoptError('socket options not loaded (call enableSocketOptions)', 0);
  return libc;
}

function int32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, endianness() === 'LE');
  return b;
}

function set(fd: number, level: number, name: number, value: Uint8Array, what: string): void {
  const l = lib();
  if (l.setsockopt(fd, level, name, value, value.length) !== 0)
    throw new SockoptError(what, l.errno());
}

/** A non-blocking TCP socket of this family, for net.Socket({ fd }). */
export function openTcpSocket(family: 'ipv4' | 'ipv6'): number {
  const l = lib();
  const fd = l.socket(
    family === 'ipv4' ? AF_INET : AF_INET6,
    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
    0,
  );
  if (fd < 0) throw new SockoptError('socket()', l.errno());
  return fd;
}

export function closeFd(fd: number): void {
  lib().close(fd);
}

/**
 * TTL of what the socket sends. `v6Socket`: the socket is AF_INET6; `v4Traffic`: it carries IPv4
 * (an AF_INET socket, or an IPv4-mapped peer on a dual-stack one), which IP_TTL governs.
 */
export function setTtl(fd: number, ttl: number, v6Socket: boolean, v4Traffic: boolean): void {
  if (v4Traffic) set(fd, IPPROTO_IP, IP_TTL, int32(ttl), 'IP_TTL');
  if (v6Socket) set(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, int32(ttl), 'IPV6_UNICAST_HOPS');
}

/** GTSM receive side: the kernel drops segments arriving with a lower TTL / hop limit. */
export function setMinTtl(fd: number, minTtl: number, v6Socket: boolean, v4Traffic: boolean): void {
  if (v4Traffic) set(fd, IPPROTO_IP, IP_MINTTL, int32(minTtl), 'IP_MINTTL');
  if (v6Socket) set(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, int32(minTtl), 'IPV6_MINHOPCOUNT');
}

/**
 * Adds (or with an empty key, removes) the TCP-MD5 key for segments to and from `peer`. On an
 * AF_INET6 socket an IPv4 peer is written IPv4-mapped; the kernel keys it as IPv4.
 */
export function setMd5Key(fd: number, peer: string, key: string, v6Socket: boolean): void {
  const k = new TextEncoder().encode(key);
  if (k.length > MD5_MAX_KEY_BYTES) throw new SockoptError('TCP_MD5SIG key over 80 bytes', 0);
  const a = parseAddress(peer);
  const b = new Uint8Array(MD5SIG_SIZE);
  const dv = new DataView(b.buffer);
  const le = endianness() === 'LE';
  if (v6Socket) {
    dv.setUint16(0, AF_INET6, le);
    if (a.family === 'ipv4') {
      b[18] = 0xff;
      b[19] = 0xff;
      b.set(a.bytes, 20);
    } else {
      b.set(a.bytes, 8);
    }
  } else {
    if (a.family !== 'ipv4') throw new SockoptError('TCP_MD5SIG: IPv6 peer on an IPv4 socket', 0);
    dv.setUint16(0, AF_INET, le);
    b.set(a.bytes, 4);
  }
  dv.setUint16(130, k.length, le);
  b.set(k, 136);
  set(fd, IPPROTO_TCP, TCP_MD5SIG, b, 'TCP_MD5SIG');
}
