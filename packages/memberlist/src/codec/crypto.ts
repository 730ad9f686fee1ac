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
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { MemberlistError, MemberlistErrorCode } from '../errors.js';

export const ENVELOPE_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const SEAL_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

/** What a sealed buffer is for; part of the AAD. Append-only wire enum. */
export const SealPurpose = {
  Packet: 1,
  Stream: 2,
} as const;
export type SealPurpose = (typeof SealPurpose)[keyof typeof SealPurpose];

const HKDF_SALT = Buffer.from('ironlb-memberlist-hkdf-salt-v1');
const HKDF_INFO = Buffer.from('ironlb memberlist aes-256-gcm key v1');

/** Derives a 32-byte AES-256 key from a secret of any (non-zero) length with HKDF-SHA256. */
export function deriveKey(secret: Uint8Array | string): Buffer {
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

  get primary(): Buffer {
    return this.keys[0] as Buffer;
  }

  all(): readonly Buffer[] {
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
    this.keys = [k, ...this.keys.filter((x) => !x.equals(k))];
  }

  remove(key: Uint8Array): void {
    const k = Buffer.from(key);
    if (this.primary.equals(k))
      throw new MemberlistError(MemberlistErrorCode.InvalidKey, 'cannot remove the primary key', {
        keyId: keyId(k),
      });
    this.keys = this.keys.filter((x) => !x.equals(k));
  }
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
): Buffer {
  const cipher = createCipheriv('aes-256-gcm', keyring.primary, nonce);
  cipher.setAAD(aad(purpose));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([ENVELOPE_VERSION]), nonce, body, cipher.getAuthTag()]);
}

/** Opens a sealed buffer with any key of the keyring; throws MemberlistError AUTH otherwise. */
export function open(keyring: Keyring, purpose: SealPurpose, sealed: Uint8Array): Buffer {
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
      const d = createDecipheriv('aes-256-gcm', key, nonce);
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
