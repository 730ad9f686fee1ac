// The Control packet codec against the RFC 5880 §4.1 layout and every §6.8.6 discard rule.
import { describe, expect, it } from 'vitest';
import {
  AuthType,
  BfdError,
  BfdErrorCode,
  DropReason,
  State,
  checkControl,
  decodeControl,
  diagName,
  encodeControl,
  encodedLength,
  stateName,
} from '../src/index.js';
import type { ControlPacket } from '../src/index.js';

const base: ControlPacket = {
  diag: 0,
  state: State.Up,
  poll: false,
  final: false,
  controlPlaneIndependent: false,
  demand: false,
  detectMult: 3,
  myDiscriminator: 0x01020304,
  yourDiscriminator: 0xa0b0c0d0,
  desiredMinTxUs: 300_000,
  requiredMinRxUs: 300_000,
  requiredMinEchoRxUs: 50_000,
};

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

function dropReason(b: Uint8Array): string | undefined {
  try {
    decodeControl(b);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(BfdError);
    expect((err as BfdError).code).toBe(BfdErrorCode.MalformedPacket);
    return (err as BfdError).reason;
  }
}

describe('Control packet layout (RFC 5880 §4.1)', () => {
  it('encodes the fixed 24-byte header field by field', () => {
    const b = encodeControl({ ...base, diag: 1, poll: true, controlPlaneIndependent: true });
    // vers 1 | diag 1; Up(3)<<6 | P | C; mult 3; length 24; discriminators; intervals in µs
    expect(hex(b)).toBe(
      '21' + 'e8' + '03' + '18' + '01020304' + 'a0b0c0d0' + '000493e0' + '000493e0' + '0000c350',
    );
    expect(decodeControl(b)).toEqual({
      ...base,
      diag: 1,
      poll: true,
      controlPlaneIndependent: true,
    });
  });

  it('sets F, D and A bits where they belong', () => {
    const b = encodeControl({
      ...base,
      state: State.Down,
      final: true,
      demand: true,
      auth: { type: AuthType.SimplePassword, keyId: 7, password: new Uint8Array([0x61, 0x62]) },
    });
    expect(b[1]).toBe((1 << 6) | 0x10 | 0x04 | 0x02);
    expect(b[3]).toBe(24 + 5);
    expect(hex(b.subarray(24))).toBe('0105076162');
  });

  it('writes keyed MD5 and SHA1 sections with the reserved byte and sequence', () => {
    const md5 = encodeControl({
      ...base,
      auth: {
        type: AuthType.KeyedMd5,
        keyId: 2,
        sequence: 0x11223344,
        digest: new Uint8Array(16).fill(0xaa),
      },
    });
    expect(md5.length).toBe(48);
    expect(hex(md5.subarray(24, 32))).toBe('0218020011223344');
    const sha = encodeControl({
      ...base,
      auth: {
        type: AuthType.MeticulousKeyedSha1,
        keyId: 9,
        sequence: 1,
        digest: new Uint8Array(20),
      },
    });
    expect(sha.length).toBe(52);
    expect(encodedLength({ ...base })).toBe(24);
    expect(decodeControl(sha).auth).toEqual({
      type: AuthType.MeticulousKeyedSha1,
      keyId: 9,
      sequence: 1,
      digest: new Uint8Array(20),
    });
  });

  it('encodes into a caller buffer without allocating a new one', () => {
    const out = new Uint8Array(64).fill(0xff);
    const b = encodeControl(base, out);
    expect(b.buffer).toBe(out.buffer);
    expect(b.length).toBe(24);
    expect(decodeControl(b)).toEqual(base);
  });

  it('ignores bytes past Length (§6.8.6 forbids only a Length above the payload)', () => {
    const b = new Uint8Array(30);
    b.set(encodeControl(base));
    expect(decodeControl(b)).toEqual(base);
  });

  it('names states and diagnostics', () => {
    expect([0, 1, 2, 3].map((s) => stateName(s as State))).toEqual([
      'AdminDown',
      'Down',
      'Init',
      'Up',
    ]);
    expect(diagName(1)).toBe('control-detection-time-expired');
    expect(diagName(3)).toBe('neighbor-signaled-session-down');
    expect(diagName(8)).toBe('reverse-concatenated-path-down');
    expect(diagName(17)).toBe('diag-17');
  });
});

describe('mandatory receive rules (RFC 5880 §6.8.6)', () => {
  const good = () => encodeControl(base);
  const mutate = (f: (b: Uint8Array) => void) => {
    const b = good();
    f(b);
    return b;
  };

  it('accepts a valid packet', () => {
    expect(checkControl(good())).toBeNull();
  });

  it('fewer than 24 bytes', () => {
    expect(dropReason(good().subarray(0, 23))).toBe(DropReason.Truncated);
    expect(dropReason(new Uint8Array(0))).toBe(DropReason.Truncated);
  });

  it('version other than 1', () => {
    expect(dropReason(mutate((b) => (b[0] = (2 << 5) | 0)))).toBe(DropReason.Version);
    expect(dropReason(mutate((b) => (b[0] = 0)))).toBe(DropReason.Version);
  });

  it('Length below 24, below 26 with A, or above the payload', () => {
    expect(dropReason(mutate((b) => (b[3] = 23)))).toBe(DropReason.Length);
    expect(dropReason(mutate((b) => (b[3] = 25)))).toBe(DropReason.Length);
    expect(
      dropReason(
        mutate((b) => {
          b[1] = b[1]! | 0x04;
          b[3] = 24;
        }),
      ),
    ).toBe(DropReason.Length);
  });

  it('Detect Mult zero', () => {
    expect(dropReason(mutate((b) => (b[2] = 0)))).toBe(DropReason.DetectMult);
  });

  it('Multipoint bit set', () => {
    expect(dropReason(mutate((b) => (b[1] = b[1]! | 0x01)))).toBe(DropReason.Multipoint);
  });

  it('My Discriminator zero', () => {
    expect(dropReason(mutate((b) => b.fill(0, 4, 8)))).toBe(DropReason.MyDiscriminator);
  });

  it('Your Discriminator zero with State Init or Up, but not Down or AdminDown', () => {
    const zeroYours = (state: State) =>
      mutate((b) => {
        b[1] = state << 6;
        b.fill(0, 8, 12);
      });
    expect(dropReason(zeroYours(State.Up))).toBe(DropReason.YourDiscriminator);
    expect(dropReason(zeroYours(State.Init))).toBe(DropReason.YourDiscriminator);
    expect(dropReason(zeroYours(State.Down))).toBeUndefined();
    expect(dropReason(zeroYours(State.AdminDown))).toBeUndefined();
  });

  it('authentication sections of the wrong length for their type, or of a reserved type', () => {
    const withAuth = (type: number, len: number) => {
      const b = new Uint8Array(24 + len);
      b.set(good());
      b[1] = b[1]! | 0x04;
      b[3] = 24 + len;
      b[24] = type;
      b[25] = len;
      return b;
    };
    expect(dropReason(withAuth(AuthType.SimplePassword, 4))).toBeUndefined();
    expect(dropReason(withAuth(AuthType.SimplePassword, 19))).toBeUndefined();
    expect(dropReason(withAuth(AuthType.SimplePassword, 3))).toBe(DropReason.AuthSection);
    expect(dropReason(withAuth(AuthType.SimplePassword, 20))).toBe(DropReason.AuthSection);
    expect(dropReason(withAuth(AuthType.KeyedMd5, 24))).toBeUndefined();
    expect(dropReason(withAuth(AuthType.KeyedMd5, 28))).toBe(DropReason.AuthSection);
    expect(dropReason(withAuth(AuthType.KeyedSha1, 28))).toBeUndefined();
    expect(dropReason(withAuth(AuthType.MeticulousKeyedSha1, 24))).toBe(DropReason.AuthSection);
    expect(dropReason(withAuth(0, 4))).toBe(DropReason.AuthSection);
    expect(dropReason(withAuth(6, 4))).toBe(DropReason.AuthSection);
    // Auth Len must account for the rest of the packet.
    const short = withAuth(AuthType.KeyedMd5, 24);
    short[25] = 20;
    expect(dropReason(short)).toBe(DropReason.AuthSection);
  });

  it('checks the Length against the payload size given, not the buffer', () => {
    const b = good();
    expect(checkControl(b, 24)).toBeNull();
    expect(checkControl(b, 20)).toBe(DropReason.Truncated);
  });
});

describe('encoder refuses what must not be sent', () => {
  const bad = (p: Partial<ControlPacket>, out?: Uint8Array) => {
    try {
      encodeControl({ ...base, ...p }, out);
      return undefined;
    } catch (err) {
      expect(err).toBeInstanceOf(BfdError);
      return (err as BfdError).code;
    }
  };
  it.each([
    ['P and F together (§6.5)', { poll: true, final: true }],
    ['zero My Discriminator', { myDiscriminator: 0 }],
    ['detect mult 0', { detectMult: 0 }],
    ['detect mult 256', { detectMult: 256 }],
    ['diag 32', { diag: 32 }],
    ['negative interval', { desiredMinTxUs: -1 }],
    ['interval above 32 bits', { requiredMinRxUs: 2 ** 32 }],
    ['state 4', { state: 4 as State }],
    ['empty password', { auth: { type: 1, keyId: 0, password: new Uint8Array(0) } }],
    ['17-byte password', { auth: { type: 1, keyId: 0, password: new Uint8Array(17) } }],
    ['short MD5 digest', { auth: { type: 2, keyId: 0, sequence: 1, digest: new Uint8Array(15) } }],
    ['reserved auth type', { auth: { type: 9, keyId: 0 } }],
    ['key id 256', { auth: { type: 1, keyId: 256, password: new Uint8Array(1) } }],
  ] as [string, Partial<ControlPacket>][])('%s', (_name, p) => {
    expect(bad(p)).toBe(BfdErrorCode.EncodeError);
  });

  it('a too small output buffer', () => {
    expect(bad({}, new Uint8Array(23))).toBe(BfdErrorCode.EncodeError);
  });
});

describe('golden bytes by hand', () => {
  it('decodes an FRR-style slow Down packet (1 s TX, yours 0)', () => {
    const p = decodeControl(bytes('20 40 03 18 11223344 00000000 000f4240 000493e0 0000c350'));
    expect(p.state).toBe(State.Down);
    expect(p.desiredMinTxUs).toBe(1_000_000);
    expect(p.yourDiscriminator).toBe(0);
  });
});
