// Session options: MetalLB's BFDProfile fields with units in their names, validated, and turned
// into the machine's SessionConfig. Pure (no I/O): `isIP` is a string check.
import { isIP } from 'node:net';
import { BfdError, BfdErrorCode, invalidOption } from '../errors.js';

/**
 * One BFD session. The timer fields are MetalLB's BFDProfile (metallb.io/v1beta1) with the unit
 * in the name; each says which field it maps to.
 */
export interface SessionOptions {
  /** The remote system's address (IPv4 or IPv6). Required. */
  readonly peerAddress: string;
  /**
   * Source address for our packets. Default: chosen by the kernel's routing for the peer.
   * Sessions with the same local address share one send socket.
   */
  readonly localAddress?: string;
  /**
   * RFC 5883 multi-hop session (UDP 4784, TTL checked against `minimumTtl`) instead of RFC 5881
   * single-hop (UDP 3784, TTL must be 255). MetalLB: a BGPPeer with `ebgpMultiHop: true`.
   * Default false.
   */
  readonly multihop?: boolean;
  /**
   * Required Min RX: the slowest rate we accept packets at, milliseconds, 10–60000.
   * MetalLB `receiveInterval`. Default 300.
   */
  readonly receiveIntervalMs?: number;
  /**
   * Desired Min TX once Up (while not Up the session sends once a second, RFC 5880 §6.8.3),
   * milliseconds, 10–60000. MetalLB `transmitInterval`. Default 300.
   */
  readonly transmitIntervalMs?: number;
  /**
   * Detect Mult: packets the remote may miss before it declares us down, 1–255 (MetalLB's
   * webhook allows 2–255). MetalLB `detectMultiplier`. Default 3.
   */
  readonly detectMultiplier?: number;
  /**
   * Echo function (RFC 5880 §6.4). Not implemented: `true` is rejected with BfdError UNSUPPORTED
   * rather than accepted and ignored. MetalLB `echoMode`. Default false.
   */
  readonly echoMode?: boolean;
  /**
   * Echo interval, milliseconds, 10–60000; validated, used only with echo mode (so never yet).
   * MetalLB `echoInterval`. Default 50.
   */
  readonly echoIntervalMs?: number;
  /**
   * Passive role (RFC 5880 §6.1): send nothing until the remote speaks. MetalLB `passiveMode`.
   * Default false.
   */
  readonly passiveMode?: boolean;
  /**
   * Multi-hop only: the lowest TTL / Hop Limit accepted, 1–255 (MetalLB allows 1–254). Ignored
   * for single-hop sessions, which accept 255 only (RFC 5881 §5). MetalLB `minimumTtl`.
   * Default 254 (one router in between).
   */
  readonly minimumTtl?: number;
  /** Start administratively down (RFC 5880 §6.8.16). Default false. */
  readonly adminDown?: boolean;
}

/** Options after defaults and validation; addresses in canonical text form. */
export interface ResolvedSessionOptions {
  readonly peerAddress: string;
  readonly family: 'ipv4' | 'ipv6';
  readonly localAddress: string | undefined;
  readonly multihop: boolean;
  readonly receiveIntervalMs: number;
  readonly transmitIntervalMs: number;
  readonly detectMultiplier: number;
  readonly echoIntervalMs: number;
  readonly passiveMode: boolean;
  readonly minimumTtl: number;
  readonly adminDown: boolean;
}

export const SESSION_DEFAULTS = {
  receiveIntervalMs: 300,
  transmitIntervalMs: 300,
  detectMultiplier: 3,
  echoIntervalMs: 50,
  minimumTtl: 254,
} as const;

/**
 * An address in the text form the kernel reports for a received packet (lower case, the longest
 * zero run compressed), so a configured `2001:DB8:0::2` matches packets from `2001:db8::2`.
 */
export function canonicalAddress(address: string): string {
  const v = isIP(address.split('%')[0] ?? '');
  if (v === 4) return address;
  if (v !== 6) throw invalidOption('address', `not an IPv4 or IPv6 address: "${address}"`, address);
  const [ip, zone] = address.split('%') as [string, string | undefined];
  // WHATWG URL serialises IPv6 the RFC 5952 way, as inet_ntop does.
  const host = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  return zone ? `${host}%${zone}` : host;
}

function intIn(option: string, v: number, lo: number, hi: number, unit = ''): number {
  if (!Number.isInteger(v) || v < lo || v > hi)
    throw invalidOption(option, `must be an integer in ${lo}–${hi}${unit}`, v);
  return v;
}

/** Applies defaults and validates; throws BfdError INVALID_OPTION / UNSUPPORTED. */
export function resolveSessionOptions(o: SessionOptions): ResolvedSessionOptions {
  if (typeof o.peerAddress !== 'string' || o.peerAddress === '')
    throw invalidOption('peerAddress', 'is required', o.peerAddress);
  const peerAddress = canonicalAddress(o.peerAddress);
  const family = isIP(peerAddress.split('%')[0]!) === 4 ? 'ipv4' : 'ipv6';
  let localAddress: string | undefined;
  if (o.localAddress !== undefined) {
    localAddress = canonicalAddress(o.localAddress);
    if ((isIP(localAddress.split('%')[0]!) === 4 ? 'ipv4' : 'ipv6') !== family)
      throw invalidOption(
        'localAddress',
        'must be of the same family as peerAddress',
        o.localAddress,
      );
  }
  if (o.echoMode)
    throw new BfdError(
      BfdErrorCode.Unsupported,
      'echoMode: the BFD Echo function is not implemented (asynchronous mode only)',
      { detail: { option: 'echoMode' } },
    );
  const d = SESSION_DEFAULTS;
  return {
    peerAddress,
    family,
    localAddress,
    multihop: o.multihop ?? false,
    receiveIntervalMs: intIn(
      'receiveIntervalMs',
      o.receiveIntervalMs ?? d.receiveIntervalMs,
      10,
      60000,
      ' ms',
    ),
    transmitIntervalMs: intIn(
      'transmitIntervalMs',
      o.transmitIntervalMs ?? d.transmitIntervalMs,
      10,
      60000,
      ' ms',
    ),
    detectMultiplier: intIn('detectMultiplier', o.detectMultiplier ?? d.detectMultiplier, 1, 255),
    echoIntervalMs: intIn('echoIntervalMs', o.echoIntervalMs ?? d.echoIntervalMs, 10, 60000, ' ms'),
    passiveMode: o.passiveMode ?? false,
    minimumTtl: intIn('minimumTtl', o.minimumTtl ?? d.minimumTtl, 1, 255),
    adminDown: o.adminDown ?? false,
  };
}
