// IP_MINTTL / IPV6_MINHOPCOUNT on a UDP socket: the kernel then drops every packet that arrives
// with a lower TTL / Hop Limit, which is how RFC 5881 §5 ("received ... MUST be discarded if the
// TTL or Hop Limit is not equal to 255") and RFC 5883 §2 (a configured minimum) are enforced.
// Node's dgram can set the sending TTL but neither of these, nor read a received TTL
// (DESIGN.md §8), so this calls libc's setsockopt through koffi (FFI with prebuilt binaries in
// the npm package) on the socket's file descriptor. Loaded lazily, once.
import type dgram from 'node:dgram';
import { BfdError, BfdErrorCode } from '../errors.js';

// Linux values (include/uapi/linux/in.h, in6.h).
const IPPROTO_IP = 0;
const IP_MINTTL = 21;
const IPPROTO_IPV6 = 41;
const IPV6_MINHOPCOUNT = 73;

type SetSockopt = (fd: number, level: number, name: number, value: number[], len: number) => number;
type GetSockopt = (
  fd: number,
  level: number,
  name: number,
  value: number[],
  len: number[],
) => number;

let setsockopt: SetSockopt | null = null;
let getsockopt: GetSockopt | null = null;
let loading: Promise<void> | null = null;
let loadError: Error | null = null;

/** Loads libc's setsockopt once. Never rejects: `minTtlAvailable()` says whether it worked. */
export function loadSockopt(): Promise<void> {
  loading ??= (async () => {
    try {
      if (process.platform !== 'linux') throw new Error(`not Linux (${process.platform})`);
      const koffi = (await import('koffi')).default;
      const lib = koffi.load('libc.so.6');
      setsockopt = lib.func(
        'int setsockopt(int fd, int level, int name, _In_ int *value, uint32_t len)',
      ) as SetSockopt;
      getsockopt = lib.func(
        'int getsockopt(int fd, int level, int name, _Out_ int *value, _Inout_ uint32_t *len)',
      ) as GetSockopt;
    } catch (err) {
      loadError = err as Error;
    }
  })();
  return loading;
}

export function minTtlAvailable(): boolean {
  return setsockopt !== null;
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

function unavailable(message: string, detail: Record<string, unknown>): BfdError {
  return new BfdError(BfdErrorCode.TtlCheckUnavailable, message, { detail });
}

/** Sets IP_MINTTL (udp4) or IPV6_MINHOPCOUNT (udp6); throws TTL_CHECK_UNAVAILABLE. */
export function setMinTtl(sock: dgram.Socket, family: 'ipv4' | 'ipv6', ttl: number): void {
  if (!setsockopt)
    throw unavailable(
      `cannot set a minimum TTL: FFI unavailable (${loadError?.message ?? 'not loaded'})`,
      {},
    );
  const fd = socketFd(sock);
  if (fd === undefined) throw unavailable('cannot set a minimum TTL: no file descriptor', {});
  const v6 = family === 'ipv6';
  const rc = setsockopt(
    fd,
    v6 ? IPPROTO_IPV6 : IPPROTO_IP,
    v6 ? IPV6_MINHOPCOUNT : IP_MINTTL,
    [ttl],
    4,
  );
  if (rc !== 0)
    throw unavailable(`setsockopt(${v6 ? 'IPV6_MINHOPCOUNT' : 'IP_MINTTL'}) failed`, { fd, ttl });
}

/** Reads the minimum TTL back (for tests); undefined when it cannot. */
export function getMinTtl(sock: dgram.Socket, family: 'ipv4' | 'ipv6'): number | undefined {
  const fd = socketFd(sock);
  if (!getsockopt || fd === undefined) return undefined;
  const v6 = family === 'ipv6';
  const value = [0];
  const rc = getsockopt(
    fd,
    v6 ? IPPROTO_IPV6 : IPPROTO_IP,
    v6 ? IPV6_MINHOPCOUNT : IP_MINTTL,
    value,
    [4],
  );
  return rc === 0 ? value[0] : undefined;
}
