// IP_TTL / IPV6_UNICAST_HOPS on a connected TCP socket. Node's net module cannot set either
// (DESIGN.md §8), so this calls libc's setsockopt through koffi (FFI, prebuilt binaries shipped
// inside the npm package). Loaded lazily: only sessions that ask for a TTL pay for it.
// This is also the seam for TCP-MD5 (TCP_MD5SIG) in a later issue.
import type net from 'node:net';

const IPPROTO_IP = 0;
const IP_TTL = 2;
const IPPROTO_IPV6 = 41;
const IPV6_UNICAST_HOPS = 16;

type SetSockopt = (fd: number, level: number, name: number, value: number[], len: number) => number;

let setsockopt: SetSockopt | null = null;
let loading: Promise<void> | null = null;

/** Loads libc's setsockopt once; rejects when FFI is unavailable on this platform. */
export function loadSockopt(): Promise<void> {
  loading ??= (async () => {
    const koffi = (await import('koffi')).default;
    const lib = koffi.load('libc.so.6');
    setsockopt = lib.func(
      'int setsockopt(int fd, int level, int name, _In_ int *value, uint32_t len)',
    ) as SetSockopt;
  })();
  return loading;
}

/**
 * Sets the TTL (IPv4) or hop limit (IPv6) of a connected socket's outgoing packets. Returns false
 * when it cannot (FFI not loaded, no file descriptor, or setsockopt failed).
 */
export function setSocketTtl(sock: net.Socket, ttl: number): boolean {
  // `_handle.fd` is libuv's descriptor of a TCP handle on Unix; not part of Node's public API.
  const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (!setsockopt || fd === undefined || fd < 0) return false;
  const v6 = sock.remoteFamily === 'IPv6' && !(sock.remoteAddress ?? '').startsWith('::ffff:');
  return (
    setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, [ttl], 4) === 0
  );
}
