// Round-trip properties and a bounded decoder fuzz (DESIGN.md §4 layer 2). Only BgpError may escape
// the decoder; anything else is a crasher and becomes a fixture in test/fixtures/crashers.
import fc from 'fast-check';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BgpError } from '../errors.js';
import { BgpFramer } from './framer.js';
import { decodeMessage } from './message.js';
import { decodeOpenBody, encodeOpenBody } from './open.js';
import { formatPrefix } from './prefix.js';
import type { Prefix } from './prefix.js';
import { packAnnouncements, packWithdrawals } from './update.js';
import type { UpdateMessage } from './update.js';

const prefixArb = (family: 'ipv4' | 'ipv6'): fc.Arbitrary<Prefix> =>
  fc
    .tuple(
      fc.uint8Array({
        minLength: family === 'ipv4' ? 4 : 16,
        maxLength: family === 'ipv4' ? 4 : 16,
      }),
      fc.integer({ min: 0, max: family === 'ipv4' ? 32 : 128 }),
    )
    .map(([bytes, length]) => {
      const b = Uint8Array.from(bytes);
      for (let i = 0; i < b.length; i++) {
        const bits = Math.max(0, Math.min(8, length - i * 8));
        b[i] = (b[i] as number) & ((0xff00 >> bits) & 0xff);
      }
      return { family, bytes: b, length };
    });

const attrsArb = fc.record({
  origin: fc.integer({ min: 0, max: 2 }),
  asPath: fc.array(
    fc.record({
      type: fc.constantFrom(1, 2),
      asns: fc.array(fc.integer({ min: 1, max: 0xffffffff }), { minLength: 1, maxLength: 300 }),
    }),
    { maxLength: 3 },
  ),
  med: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
  localPref: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
  communities: fc.option(
    fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 80 }),
    { nil: undefined },
  ),
  largeCommunities: fc.option(
    fc.uniqueArray(
      fc.record({
        global: fc.integer({ min: 0, max: 0xffffffff }),
        local1: fc.integer({ min: 0, max: 0xffffffff }),
        local2: fc.integer({ min: 0, max: 0xffffffff }),
      }),
      { minLength: 1, maxLength: 30, selector: (c) => `${c.global}:${c.local1}:${c.local2}` },
    ),
    { nil: undefined },
  ),
});

function strip<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** AS_PATH segments longer than 255 are split on the wire; merge them back for comparison. */
function splitSegments(segs: { type: number; asns: number[] }[]) {
  return segs.flatMap((s) => {
    const out = [];
    for (let i = 0; i < s.asns.length; i += 255)
      out.push({ type: s.type, asns: s.asns.slice(i, i + 255) });
    return out;
  });
}

describe('round trips', () => {
  it('IPv4 and IPv6 announcements decode to what was encoded, at any size limit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('ipv4' as const, 'ipv6' as const),
        attrsArb,
        fc.array(fc.nat(), { maxLength: 0 }),
        fc.constantFrom(4096, 65535),
        fc.boolean(),
        (family, attrs, _unused, max, four) => {
          const prefixes = fc.sample(prefixArb(family), 40);
          const asPath = four
            ? attrs.asPath
            : attrs.asPath.map((s) => ({ ...s, asns: s.asns.map((a) => a & 0xffff || 1) }));
          const a = strip({
            ...attrs,
            asPath,
            nextHop: family === 'ipv4' ? '198.51.100.1' : undefined,
          });
          const msgs = packAnnouncements(
            { family, attributes: a, mpNextHops: ['2001:db8::1', 'fe80::1'], prefixes },
            { fourOctetAs: four },
            max,
          );
          const decoded = msgs.map((m) => decodeMessage(m, { fourOctetAs: four }) as UpdateMessage);
          expect(decoded.flatMap((d) => d.nlri.map(formatPrefix))).toEqual(
            prefixes.map(formatPrefix),
          );
          for (const d of decoded) {
            expect(d.treatAsWithdraw).toBe(false);
            expect(d.attributes.asPath).toEqual(splitSegments(asPath));
            expect(d.attributes.communities).toEqual(a.communities);
            expect(d.attributes.largeCommunities).toEqual(a.largeCommunities);
            expect(d.attributes.med).toEqual(a.med);
            expect(d.attributes.localPref).toEqual(a.localPref);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('withdrawals round-trip', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('ipv4' as const, 'ipv6' as const),
        fc.integer({ min: 1, max: 3000 }),
        (family, n) => {
          const prefixes = fc.sample(prefixArb(family), n);
          const msgs = packWithdrawals(family, prefixes, 4096);
          expect(msgs.every((m) => m.length <= 4096)).toBe(true);
          expect(
            msgs.flatMap((m) =>
              (decodeMessage(m, { fourOctetAs: true }) as UpdateMessage).withdrawn.map(
                formatPrefix,
              ),
            ),
          ).toEqual(prefixes.map(formatPrefix));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('OPEN round-trips', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 1, max: 0xffffffff }),
        (asn, hold, id) => {
          const bgpId = `${id >>> 24}.${(id >>> 16) & 255}.${(id >>> 8) & 255}.${id & 255}`;
          const m = decodeOpenBody(
            encodeOpenBody({ asn, holdTimeSec: hold, bgpId, families: [{ afi: 1, safi: 1 }] }),
          );
          expect(m.capabilities.fourOctetAs).toBe(asn);
          expect(m.holdTimeSec).toBe(hold);
          expect(m.bgpId).toBe(bgpId);
        },
      ),
      { numRuns: 200 },
    );
  });
});

const fixtures = join(import.meta.dirname, '../../test/fixtures');
const crasherDir = join(fixtures, 'crashers');

/**
 * Decodes everything in `bytes`; only BgpError may escape. Anything else is a crasher: its input is
 * written to test/fixtures/crashers/ (then replayed as a seed by every later run) and rethrown.
 */
function decodeAll(bytes: Uint8Array, fourOctetAs: boolean): void {
  try {
    const f = new BgpFramer({ maxFrameBytes: 65535 });
    for (const frame of f.push(bytes)) decodeMessage(frame, { fourOctetAs });
  } catch (err) {
    if (err instanceof BgpError) return;
    mkdirSync(crasherDir, { recursive: true });
    writeFileSync(
      join(crasherDir, `crash-${Date.now()}.hex`),
      Buffer.from(bytes).toString('hex') + '\n',
    );
    throw err;
  }
}

const readHex = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.hex'))
        .map((f) => readFileSync(join(dir, f), 'utf8').trim())
    : [];

// Seeds: a valid UPDATE and OPEN of ours, every golden vector from BIRD/FRR/GoBGP, every crasher.
const seeds = [
  'ffffffffffffffffffffffffffffffff003702000000184001010040020602010000fc00400304c6336401c00804fc00006418cb0071',
  'ffffffffffffffffffffffffffffffff002d0104fc01005ac633640210020e0104000100010104000200014104fa56ea01',
  ...readHex(join(fixtures, 'golden')),
  ...readHex(crasherDir),
];

describe('decoder fuzz (bounded)', () => {
  it('random bytes after a valid header never throw anything but BgpError', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.uint8Array({ maxLength: 300 }),
        (type, body) => {
          const len = 19 + body.length;
          const frame = Buffer.concat([
            Buffer.alloc(16, 0xff),
            Buffer.from([len >> 8, len & 0xff, type]),
            body,
          ]);
          decodeAll(frame, true);
          decodeAll(frame, false);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('mutated real messages (ours, golden vectors, past crashers) never throw anything but BgpError', () => {
    expect(seeds.length).toBeGreaterThan(10);
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.boolean(),
        (seed, muts, four) => {
          const b = Buffer.from(seed, 'hex');
          for (const [pos, val] of muts) {
            const i = 18 + (pos % (b.length - 18));
            b[i] = val;
          }
          decodeAll(b, four);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('truncations of every real message never throw anything but BgpError', () => {
    for (const seed of seeds) {
      const b = Buffer.from(seed, 'hex');
      for (let cut = 19; cut < b.length; cut++) {
        const t = Buffer.from(b.subarray(0, cut));
        t.writeUInt16BE(cut, 16);
        expect(() => decodeAll(t, true)).not.toThrow();
      }
    }
  });
});
