/**
 * AES-256-GCM sealing of every UDP packet and every stream frame, with a keyring.
 *
 * Envelope: [1 byte envelope version = 1][12-byte random nonce][ciphertext][16-byte GCM tag].
 * AAD = envelope version byte + a purpose byte (packet or stream), so a sealed UDP packet cannot be
 * replayed as a stream frame and vice versa. The layout follows hashicorp's security.go
 * (version byte, nonce, ciphertext, tag; primary key encrypts, every key is tried on decrypt) but
 * the bytes are IronLB's own.
 *
 * Keys come from HKDF-SHA256 over a shared secret of any length (MetalLB's controller writes 16
 * random bytes; `openssl rand -base64 128` gives 128 characters), so operators never have to size
 * a key. Note MetalLB itself truncates/pads the secret instead of deriving — not needed here because
 * the wire format is not hashicorp's anyway.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { MemberlistError, MemberlistErrorCode } from '../errors.js';
import type { StreamGuard } from './stream.js';

export const ENVELOPE_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const SEAL_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

/** What a sealed buffer is for; part of the AAD. Append-only wire enum. */
export const SealPurpose = {
  Packet: 1,
  Stream: 2,
  /** The short header that announces a stream body's length (codec/stream.ts). */
  StreamHeader: 3,
} as const;
export type SealPurpose = (typeof SealPurpose)[keyof typeof SealPurpose];

const HKDF_SALT = Buffer.from('ironlb-memberlist-hkdf-salt-v1');
const HKDF_INFO = Buffer.from('ironlb memberlist aes-256-gcm key v1');

/** Derives a 32-byte AES-256 key from a secret of any (non-zero) length with HKDF-SHA256. */
export function deriveKey(secret: Uint8Array | string): Uint8Array {
  const ikm = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (ikm.length === 0)
    throw new MemberlistError(MemberlistErrorCode.InvalidKey, 'secret is empty', {});
  return Buffer.from(hkdfSync('sha256', ikm, HKDF_SALT, HKDF_INFO, 32));
}

/** Short, non-secret fingerprint of a key for logs ("which key is primary?"). */
export function keyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * Keys for sealing and opening. The primary key seals; every key opens. Rotation without downtime:
 * add the new key everywhere, then make it primary everywhere, then remove the old one.
 */
export class Keyring {
  private keys: Buffer[];

  constructor(primary: Uint8Array, others: readonly Uint8Array[] = []) {
    this.keys = [];
    this.add(primary);
    for (const k of others) this.add(k);
  }

  /** Builds a keyring whose keys are derived from secrets; the first secret is primary. */
  static fromSecrets(secrets: readonly (Uint8Array | string)[]): Keyring {
    const [first, ...rest] = secrets;
    if (first === undefined)
      throw new MemberlistError(MemberlistErrorCode.InvalidKey, 'no secret given', {});
    return new Keyring(deriveKey(first), rest.map(deriveKey));
  }

  /** The key that seals. */
  get primary(): Uint8Array {
    return this.keys[0] as Buffer;
  }

  /** Every key, primary first; all of them open. */
  all(): readonly Uint8Array[] {
    return this.keys;
  }

  add(key: Uint8Array): void {
    if (key.length !== 32)
      throw new MemberlistError(MemberlistErrorCode.InvalidKey, 'key must be 32 bytes', {
        length: key.length,
      });
    const k = Buffer.from(key);
    if (!this.keys.some((x) => x.equals(k))) this.keys.push(k);
  }

  /** Makes an existing (or new) key primary; the old primary keeps opening. */
  use(key: Uint8Array): void {
    this.add(key);
    const k = Buffer.from(key);
    const same = this.keys.find((x) => x.equals(k)) as Buffer;
    this.keys = [same, ...this.keys.filter((x) => x !== same)];
  }

  remove(key: Uint8Array): void {
    const k = Buffer.from(key);
    if (Buffer.from(this.primary).equals(k))
      throw new MemberlistError(MemberlistErrorCode.InvalidKey, 'cannot remove the primary key', {
        keyId: keyId(k),
      });
    this.keys = this.keys.filter((x) => !x.equals(k));
  }
}

/**
 * Each key as a KeyObject, made once per key: handing createCipheriv a raw key makes it import the
 * key on every packet, which was the largest CPU cost of a busy member.
 */
const keyObjects = new WeakMap<Uint8Array, KeyObject>();
function keyObject(key: Uint8Array): KeyObject {
  let o = keyObjects.get(key);
  if (o === undefined) {
    o = createSecretKey(key);
    keyObjects.set(key, o);
  }
  return o;
}

function aad(purpose: SealPurpose): Buffer {
  return Buffer.from([ENVELOPE_VERSION, purpose]);
}

/** Seals plaintext with the keyring's primary key. `nonce` is injectable for golden tests only. */
export function seal(
  keyring: Keyring,
  purpose: SealPurpose,
  plaintext: Uint8Array,
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): Uint8Array {
  const cipher = createCipheriv('aes-256-gcm', keyObject(keyring.primary), nonce);
  cipher.setAAD(aad(purpose));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([ENVELOPE_VERSION]), nonce, body, cipher.getAuthTag()]);
}

/** Opens a sealed buffer with any key of the keyring; throws MemberlistError AUTH otherwise. */
export function open(keyring: Keyring, purpose: SealPurpose, sealed: Uint8Array): Uint8Array {
  if (sealed.length < SEAL_OVERHEAD || sealed[0] !== ENVELOPE_VERSION)
    throw new MemberlistError(MemberlistErrorCode.Auth, 'not a sealed envelope', {
      length: sealed.length,
    });
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
  const nonce = buf.subarray(1, 1 + NONCE_BYTES);
  const body = buf.subarray(1 + NONCE_BYTES, buf.length - TAG_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  for (const key of keyring.all()) {
    try {
      const d = createDecipheriv('aes-256-gcm', keyObject(key), nonce);
      d.setAAD(aad(purpose));
      d.setAuthTag(tag);
      return Buffer.concat([d.update(body), d.final()]);
    } catch {
      // wrong key or tampered: try the next key (hashicorp security.go does the same)
    }
  }
  throw new MemberlistError(MemberlistErrorCode.Auth, 'no key authenticates this envelope', {
    keys: keyring.all().length,
  });
}

/** Bytes of a stream header frame's payload: a sealed u32 body length. */
export const STREAM_HEADER_BYTES = SEAL_OVERHEAD + 4;

/**
 * The stream guard of a keyring (codec/stream.ts): a sealed header announcing the body length, so
 * a stream that cannot authenticate is dropped after 4 + 33 bytes instead of after its body. Reads
 * the keyring on every call, so key rotation applies to streams too.
 */
export function streamGuard(keyring: Keyring): StreamGuard {
  return {
    headerBytes: STREAM_HEADER_BYTES,
    sealHeader(bodyBytes) {
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, bodyBytes, false);
      return seal(keyring, SealPurpose.StreamHeader, len);
    },
    openHeader(header) {
      const len = open(keyring, SealPurpose.StreamHeader, header);
      if (len.length !== 4)
        throw new MemberlistError(MemberlistErrorCode.Auth, 'malformed stream header', {
          length: len.length,
        });
      return new DataView(len.buffer, len.byteOffset, 4).getUint32(0, false);
    },
  };
}
