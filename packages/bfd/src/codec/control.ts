// BFD Control packets (RFC 5880 §4.1) ⇄ bytes. Pure: no sockets, no clocks.
//
// `checkControl` applies the packet-local receive rules of RFC 5880 §6.8.6 (version, length,
// detect multiplier, multipoint, discriminators) and the authentication-section lengths of
// §4.2–§4.4 without allocating, so a flood of junk costs no garbage; `decodeControl` runs the same
// checks and then builds the message. The session-level rules (discriminator lookup, the A bit
// against the session's configuration) belong to the manager.
import { BfdError, BfdErrorCode, DropReason } from '../errors.js';
import {
  AuthType,
  BFD_VERSION,
  CONTROL_HEADER_LENGTH,
  MIN_AUTH_PACKET_LENGTH,
  State,
} from './constants.js';

/** The authentication section (RFC 5880 §4.2–§4.4). Parsed for validation; not verified here. */
export interface AuthSection {
  /** AuthType value (1–5). */
  readonly type: number;
  readonly keyId: number;
  /** Simple Password (type 1): 1–16 bytes. */
  readonly password?: Uint8Array;
  /** Keyed / Meticulous MD5 and SHA1 (types 2–5): sequence number. */
  readonly sequence?: number;
  /** Keyed / Meticulous MD5 (16 bytes) and SHA1 (20 bytes): digest or hash. */
  readonly digest?: Uint8Array;
}

/**
 * A Control packet. Version (always 1) and the Multipoint bit (always 0, RFC 5880 §4.1) are not
 * fields: the decoder rejects anything else and the encoder writes them. The A bit is
 * `auth !== undefined`.
 */
export interface ControlPacket {
  /** Diagnostic code, 0–31 (see Diag). */
  readonly diag: number;
  readonly state: State;
  readonly poll: boolean;
  readonly final: boolean;
  /** C bit: the sender's BFD does not share fate with its control plane. */
  readonly controlPlaneIndependent: boolean;
  /** D bit: the sender wishes to run Demand mode. */
  readonly demand: boolean;
  /** 1–255. */
  readonly detectMult: number;
  /** Non-zero. */
  readonly myDiscriminator: number;
  /** Zero until the sender has learnt ours (only with State Down or AdminDown). */
  readonly yourDiscriminator: number;
  /** Microseconds. */
  readonly desiredMinTxUs: number;
  /** Microseconds; 0 means "do not send me periodic Control packets". */
  readonly requiredMinRxUs: number;
  /** Microseconds; 0 means the sender does not support receiving Echo packets. */
  readonly requiredMinEchoRxUs: number;
  readonly auth?: AuthSection;
}

const FLAG_P = 0x20;
const FLAG_F = 0x10;
const FLAG_C = 0x08;
const FLAG_A = 0x04;
const FLAG_D = 0x02;
const FLAG_M = 0x01;

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** Length an auth section of this type must have, or a range for Simple Password; null if reserved. */
function authLengthOk(type: number, len: number): boolean {
  switch (type) {
    case AuthType.SimplePassword:
      return len >= 4 && len <= 19; // RFC 5880 §4.2: 3 + a 1–16 byte password
    case AuthType.KeyedMd5:
    case AuthType.MeticulousKeyedMd5:
      return len === 24; // §4.3
    case AuthType.KeyedSha1:
    case AuthType.MeticulousKeyedSha1:
      return len === 28; // §4.4
    default:
      return false; // 0 and 6–255 are reserved: nothing to validate against
  }
}

/**
 * The first RFC 5880 §6.8.6 rule `bytes` breaks, or null when the packet may go on to session
 * lookup. Reads only `bytes[0 .. size)`; never allocates.
 */
export function checkControl(bytes: Uint8Array, size: number = bytes.length): DropReason | null {
  if (size < CONTROL_HEADER_LENGTH) return DropReason.Truncated;
  const b0 = bytes[0]!;
  const b1 = bytes[1]!;
  if (b0 >>> 5 !== BFD_VERSION) return DropReason.Version;
  const length = bytes[3]!;
  const a = (b1 & FLAG_A) !== 0;
  if (length < (a ? MIN_AUTH_PACKET_LENGTH : CONTROL_HEADER_LENGTH)) return DropReason.Length;
  if (length > size) return DropReason.Length;
  if (bytes[2] === 0) return DropReason.DetectMult;
  if (b1 & FLAG_M) return DropReason.Multipoint;
  if (u32(bytes, 4) === 0) return DropReason.MyDiscriminator;
  const state = b1 >>> 6;
  if (u32(bytes, 8) === 0 && state !== State.Down && state !== State.AdminDown)
    return DropReason.YourDiscriminator;
  if (a) {
    const authLen = bytes[CONTROL_HEADER_LENGTH + 1]!;
    // The section fills the packet: Length = 24 + Auth Len (RFC 5880 §4.1 "Length ... including
    // the Authentication Section").
    if (CONTROL_HEADER_LENGTH + authLen !== length) return DropReason.AuthSection;
    if (!authLengthOk(bytes[CONTROL_HEADER_LENGTH]!, authLen)) return DropReason.AuthSection;
  }
  return null;
}

/** Your Discriminator of a packet that passed checkControl (no allocation). */
export function peekYourDiscriminator(bytes: Uint8Array): number {
  return u32(bytes, 8);
}

/** Whether the A bit is set (no allocation). */
export function peekAuthPresent(bytes: Uint8Array): boolean {
  return ((bytes[1] ?? 0) & FLAG_A) !== 0;
}

function decodeAuth(bytes: Uint8Array, o: number): AuthSection {
  const type = bytes[o]!;
  const len = bytes[o + 1]!;
  const keyId = bytes[o + 2]!;
  if (type === AuthType.SimplePassword) {
    return { type, keyId, password: bytes.slice(o + 3, o + len) };
  }
  // Keyed MD5 / SHA1: a reserved byte, a 32-bit sequence number, then the digest.
  return { type, keyId, sequence: u32(bytes, o + 4), digest: bytes.slice(o + 8, o + len) };
}

/**
 * Decodes a Control packet from a UDP payload. Throws BfdError MALFORMED_PACKET with `reason`
 * naming the RFC 5880 §6.8.6 rule the packet breaks; nothing else escapes. Bytes past Length
 * are ignored (§6.8.6 only forbids a Length larger than the payload).
 */
export function decodeControl(bytes: Uint8Array): ControlPacket {
  const reason = checkControl(bytes);
  if (reason !== null)
    throw new BfdError(BfdErrorCode.MalformedPacket, `BFD control packet dropped: ${reason}`, {
      reason,
      detail: { size: bytes.length },
    });
  const b0 = bytes[0]!;
  const b1 = bytes[1]!;
  const packet: ControlPacket = {
    diag: b0 & 0x1f,
    state: (b1 >>> 6) as State,
    poll: (b1 & FLAG_P) !== 0,
    final: (b1 & FLAG_F) !== 0,
    controlPlaneIndependent: (b1 & FLAG_C) !== 0,
    demand: (b1 & FLAG_D) !== 0,
    detectMult: bytes[2]!,
    myDiscriminator: u32(bytes, 4),
    yourDiscriminator: u32(bytes, 8),
    desiredMinTxUs: u32(bytes, 12),
    requiredMinRxUs: u32(bytes, 16),
    requiredMinEchoRxUs: u32(bytes, 20),
  };
  if (b1 & FLAG_A) return { ...packet, auth: decodeAuth(bytes, CONTROL_HEADER_LENGTH) };
  return packet;
}

function encodeError(message: string, detail: Record<string, unknown>): BfdError {
  return new BfdError(BfdErrorCode.EncodeError, message, { detail });
}

const isU32 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

function authLength(auth: AuthSection): number {
  if (auth.type === AuthType.SimplePassword) {
    const n = auth.password?.length ?? 0;
    if (n < 1 || n > 16)
      throw encodeError('simple password must be 1–16 bytes (RFC 5880 §4.2)', { length: n });
    return 3 + n;
  }
  const want =
    auth.type === AuthType.KeyedMd5 || auth.type === AuthType.MeticulousKeyedMd5
      ? 16
      : auth.type === AuthType.KeyedSha1 || auth.type === AuthType.MeticulousKeyedSha1
        ? 20
        : -1;
  if (want < 0) throw encodeError('auth type must be 1–5', { type: auth.type });
  if (auth.digest?.length !== want || auth.sequence === undefined || !isU32(auth.sequence))
    throw encodeError(`auth type ${auth.type} needs a ${want}-byte digest and a 32-bit sequence`, {
      type: auth.type,
    });
  return 8 + want;
}

/** Bytes `encodeControl` will produce for this packet. */
export function encodedLength(p: ControlPacket): number {
  return CONTROL_HEADER_LENGTH + (p.auth ? authLength(p.auth) : 0);
}

/**
 * Encodes a Control packet. With `out`, writes into it (at offset 0) and returns a view of the
 * written bytes, so a sender can reuse one buffer; otherwise allocates. Throws BfdError
 * ENCODE_ERROR for values the wire cannot carry or RFC 5880 forbids sending (P and F together,
 * §6.5; a zero discriminator or detect multiplier, §6.8.1).
 */
export function encodeControl(p: ControlPacket, out?: Uint8Array): Uint8Array {
  if (!Number.isInteger(p.diag) || p.diag < 0 || p.diag > 31)
    throw encodeError('diag must be 0–31', { diag: p.diag });
  if (!Number.isInteger(p.detectMult) || p.detectMult < 1 || p.detectMult > 255)
    throw encodeError('detectMult must be 1–255', { detectMult: p.detectMult });
  if (!Number.isInteger(p.state) || p.state < 0 || p.state > 3)
    throw encodeError('state must be 0–3', { state: p.state });
  if (p.poll && p.final) throw encodeError('Poll and Final must not both be set', {});
  if (p.auth && (!Number.isInteger(p.auth.keyId) || p.auth.keyId < 0 || p.auth.keyId > 255))
    throw encodeError('auth keyId must be 0–255', { keyId: p.auth.keyId });
  for (const k of [
    'myDiscriminator',
    'yourDiscriminator',
    'desiredMinTxUs',
    'requiredMinRxUs',
    'requiredMinEchoRxUs',
  ] as const)
    if (!isU32(p[k])) throw encodeError(`${k} must be a 32-bit unsigned integer`, { [k]: p[k] });
  if (p.myDiscriminator === 0) throw encodeError('myDiscriminator must be non-zero', {});
  const length = encodedLength(p);
  if (out && out.length < length)
    throw encodeError('output buffer too small', { need: length, have: out.length });
  const b = out ? out.subarray(0, length) : new Uint8Array(length);
  b[0] = (BFD_VERSION << 5) | p.diag;
  b[1] =
    (p.state << 6) |
    (p.poll ? FLAG_P : 0) |
    (p.final ? FLAG_F : 0) |
    (p.controlPlaneIndependent ? FLAG_C : 0) |
    (p.auth ? FLAG_A : 0) |
    (p.demand ? FLAG_D : 0);
  b[2] = p.detectMult;
  b[3] = length;
  putU32(b, 4, p.myDiscriminator);
  putU32(b, 8, p.yourDiscriminator);
  putU32(b, 12, p.desiredMinTxUs);
  putU32(b, 16, p.requiredMinRxUs);
  putU32(b, 20, p.requiredMinEchoRxUs);
  if (p.auth) {
    const o = CONTROL_HEADER_LENGTH;
    b[o] = p.auth.type;
    b[o + 1] = length - o;
    b[o + 2] = p.auth.keyId;
    if (p.auth.type === AuthType.SimplePassword) b.set(p.auth.password!, o + 3);
    else {
      b[o + 3] = 0;
      putU32(b, o + 4, p.auth.sequence!);
      b.set(p.auth.digest!, o + 8);
    }
  }
  return b;
}
