import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIPv4, formatMac, parseIPv4, parseMac } from '@ironlb/raw-link';
import { bytesToHex, hexToBytes } from '@ironlb/raw-link/testing';
import { ArpError } from '../errors.js';
import { ArpOp, buildArpReply, buildGratuitousArp, decodeArpFrame, encodeArpFrame } from './arp.js';

const fixturesDir = new URL('../../fixtures/', import.meta.url);
const fixture = (name: string) => hexToBytes(readFileSync(new URL(name, fixturesDir), 'utf8'));

describe('ARP codec: golden frames captured from arping and the kernel', () => {
  it("decodes arping's broadcast request", () => {
    const f = decodeArpFrame(fixture('arping-request.hex'));
    expect(formatMac(f.dst)).toBe('ff:ff:ff:ff:ff:ff');
    expect(f.arp.op).toBe(ArpOp.Request);
    expect(formatMac(f.arp.senderMac)).toBe('02:00:00:00:00:0a');
    expect(formatIPv4(f.arp.senderIp)).toBe('198.51.100.1');
    expect(formatIPv4(f.arp.targetIp)).toBe('198.51.100.2');
  });

  it("builds the kernel's reply byte for byte (plus Ethernet padding)", () => {
    const req = decodeArpFrame(fixture('arping-request.hex'));
    const ours = buildArpReply(parseMac('02:00:00:00:00:0b'), req.arp);
    const kernel = fixture('kernel-reply.hex');
    expect(ours.length).toBe(60);
    expect(bytesToHex(ours.subarray(0, kernel.length))).toBe(bytesToHex(kernel));
    expect(ours.subarray(kernel.length).every((b) => b === 0)).toBe(true);
  });

  it('builds both gratuitous forms exactly as arping -U and -U -P do', () => {
    const [req, rep] = buildGratuitousArp(parseMac('02:00:00:00:00:0a'), parseIPv4('198.51.100.1'));
    // arping pads to 58 bytes, we pad to the 60-byte minimum: same 42 bytes of content, zeros after.
    expect(bytesToHex(req.subarray(0, 42))).toBe(
      bytesToHex(fixture('arping-garp-request.hex').subarray(0, 42)),
    );
    expect(bytesToHex(rep.subarray(0, 42))).toBe(
      bytesToHex(fixture('arping-garp-reply.hex').subarray(0, 42)),
    );
    expect([...req.subarray(42), ...rep.subarray(42)].every((b) => b === 0)).toBe(true);
    expect(req.length).toBe(60);
  });

  it('round-trips every fixture through decode → encode', () => {
    const files = readdirSync(fixturesDir).filter((n) => n.endsWith('.hex'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const name of files) {
      const raw = fixture(name);
      const f = decodeArpFrame(raw);
      const again = encodeArpFrame(f.dst, f.src, f.arp);
      expect(bytesToHex(again.subarray(0, 42)), name).toBe(bytesToHex(raw.subarray(0, 42)));
    }
  });

  it('rejects non-Ethernet/IPv4 ARP and unknown operations with ArpError', () => {
    const good = fixture('arping-request.hex');
    const rarp = Uint8Array.from(good);
    rarp[21] = 3; // RARP request
    expect(() => decodeArpFrame(rarp)).toThrow(
      expect.objectContaining({ name: 'ArpError', code: 'UNSUPPORTED' }),
    );
    const ipv6 = Uint8Array.from(good);
    ipv6[12] = 0x86;
    ipv6[13] = 0xdd;
    expect(() => decodeArpFrame(ipv6)).toThrow(expect.objectContaining({ code: 'NOT_ARP' }));
    expect(() => decodeArpFrame(good.subarray(0, 30))).toThrow(
      expect.objectContaining({ code: 'TRUNCATED' }),
    );
    expect(() => decodeArpFrame(good.subarray(0, 10))).toThrow(
      expect.objectContaining({ code: 'TRUNCATED' }),
    );
  });
});

describe('ARP decoder fuzz (bounded)', () => {
  const onlyArpError = (b: Uint8Array) => {
    try {
      decodeArpFrame(b);
    } catch (e) {
      if (!(e instanceof ArpError)) throw e;
    }
  };
  it('random bytes: only ArpError escapes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (b) => onlyArpError(b)),
      { numRuns: 5000 },
    );
  });
  it('mutated golden frames: only ArpError escapes, and what decodes re-encodes to the same 42 bytes', () => {
    const seeds = ['arping-request.hex', 'kernel-reply.hex', 'arping-garp-reply.hex'].map(fixture);
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(70), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(70),
        (seed, flips, cut) => {
          const b = Uint8Array.from(seed);
          for (const [i, v] of flips) if (i < b.length) b[i] = v;
          const input = b.subarray(0, Math.max(cut, 0) % (b.length + 1));
          let f;
          try {
            f = decodeArpFrame(input);
          } catch (e) {
            expect(e).toBeInstanceOf(ArpError);
            return;
          }
          expect(bytesToHex(encodeArpFrame(f.dst, f.src, f.arp).subarray(0, 42))).toBe(
            bytesToHex(input.subarray(0, 42)),
          );
        },
      ),
      { numRuns: 5000 },
    );
  });
});
