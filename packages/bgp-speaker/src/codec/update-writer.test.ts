// UpdateWriter packs announcements straight into one chunk buffer; packAnnouncements (update.ts)
// is the reference. Property: on random prefix sets (host routes as in a bulk dump, and any
// length), random attributes (up to a few hundred communities, so messages hold anything from one
// prefix to a thousand), both size limits and both AS widths, the writer's messages are byte for
// byte the reference's, and when the reference refuses, the writer refuses with the same error and
// is left as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BgpError } from '../errors.js';
import type { PathAttributes } from './attributes.js';
import type { Prefix } from './prefix.js';
import { encodeEndOfRib, packAnnouncements } from './update.js';
import { UpdateWriter, announceTemplate } from './update-writer.js';

const prefixArb = (family: 'ipv4' | 'ipv6', hostOnly: boolean): fc.Arbitrary<Prefix> => {
  const size = family === 'ipv4' ? 4 : 16;
  const max = family === 'ipv4' ? 32 : 128;
  return fc
    .tuple(
      fc.uint8Array({ minLength: size, maxLength: size }),
      hostOnly ? fc.constant(max) : fc.integer({ min: 0, max }),
    )
    .map(([raw, length]) => {
      const bytes = Uint8Array.from(raw);
      for (let i = 0; i < bytes.length; i++) {
        const bits = Math.max(0, Math.min(8, length - i * 8));
        bytes[i] = (bytes[i] as number) & ((0xff00 >> bits) & 0xff);
      }
      return { family, bytes, length };
    });
};

const attrsArb: fc.Arbitrary<PathAttributes> = fc
  .record({
    asns: fc.array(fc.integer({ min: 1, max: 0xffffffff }), { minLength: 0, maxLength: 40 }),
    med: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
    localPref: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
    // A few, or so many that a 4096-byte message holds a handful of prefixes or none at all.
    communities: fc.oneof(
      fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 20 }),
      fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 980, maxLength: 1020 }),
    ),
  })
  .map(({ asns, med, localPref, communities }) => {
    const a: PathAttributes = { origin: 0, asPath: asns.length ? [{ type: 2, asns }] : [] };
    if (med !== undefined) a.med = med;
    if (localPref !== undefined) a.localPref = localPref;
    if (communities.length) a.communities = communities;
    return a;
  });

const groupArb = fc
  .record({
    family: fc.constantFrom('ipv4' as const, 'ipv6' as const),
    hostOnly: fc.boolean(),
    count: fc.integer({ min: 0, max: 3000 }),
    attrs: attrsArb,
    linkLocal: fc.boolean(),
    max: fc.constantFrom(4096, 65535),
    fourOctetAs: fc.boolean(),
  })
  .chain((g) =>
    fc
      .array(prefixArb(g.family, g.hostOnly), { minLength: g.count, maxLength: g.count })
      .map((prefixes) => ({ ...g, prefixes })),
  );

type G = typeof groupArb extends fc.Arbitrary<infer T> ? T : never;

const group = (g: G) => ({
  family: g.family,
  attributes: g.family === 'ipv4' ? { ...g.attrs, nextHop: '198.51.100.1' } : g.attrs,
  mpNextHops: g.linkLocal ? ['2001:db8:200::1', 'fe80::1'] : ['2001:db8:200::1'],
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function reference(g: G): Uint8Array[] | BgpError {
  try {
    return packAnnouncements({ ...group(g), prefixes: g.prefixes }, g, g.max);
  } catch (err) {
    return err as BgpError;
  }
}

describe('UpdateWriter.announce', () => {
  it('writes the same bytes as packAnnouncements, or refuses alike and writes nothing', () => {
    fc.assert(
      fc.property(groupArb, (g) => {
        const ref = reference(g);
        const w = new UpdateWriter(64);
        // Something already in the buffer: offsets and views must still come out right.
        w.append(encodeEndOfRib('ipv6'));
        const before = w.byteLength;
        let got: BgpError | undefined;
        try {
          w.announce(announceTemplate(group(g), g, g.max), g.prefixes);
        } catch (err) {
          got = err as BgpError;
        }
        const { bytes, messages } = w.finish();
        if (ref instanceof BgpError) {
          expect(got).toBeInstanceOf(BgpError);
          expect(got?.code).toBe(ref.code);
          expect(got?.detail).toEqual(ref.detail);
          expect(messages).toHaveLength(1);
          expect(bytes.length).toBe(before);
          return;
        }
        expect(got).toBeUndefined();
        expect(messages.slice(1).map(hex)).toEqual(ref.map(hex));
        expect(hex(bytes)).toBe(hex(encodeEndOfRib('ipv6')) + ref.map(hex).join(''));
      }),
      { numRuns: 300 },
    );
  });

  it('several groups and whole messages back to back in one buffer, in call order', () => {
    fc.assert(
      fc.property(fc.array(groupArb, { minLength: 1, maxLength: 4 }), (gs) => {
        const w = new UpdateWriter(16);
        const expected: string[] = [];
        for (const g of gs) {
          const ref = reference(g);
          if (ref instanceof BgpError) continue;
          w.announce(announceTemplate(group(g), g, g.max), g.prefixes);
          expected.push(...ref.map(hex));
          w.append(encodeEndOfRib(g.family));
          expected.push(hex(encodeEndOfRib(g.family)));
        }
        const { bytes, messages } = w.finish();
        expect(messages.map(hex)).toEqual(expected);
        expect(hex(bytes)).toBe(expected.join(''));
        expect(w.messageCount).toBe(expected.length);
      }),
      { numRuns: 100 },
    );
  });

  it('packs 100k host routes of a bulk dump as the reference does (IPv4 /32 and IPv6 /128)', () => {
    for (const family of ['ipv4', 'ipv6'] as const) {
      const prefixes: Prefix[] = Array.from({ length: 100_000 }, (_, i) => ({
        family,
        length: family === 'ipv4' ? 32 : 128,
        bytes:
          family === 'ipv4'
            ? Uint8Array.of(198, 18 + (i >> 16), (i >> 8) & 255, i & 255)
            : Uint8Array.of(
                32,
                1,
                13,
                184,
                0,
                1,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                i >> 16,
                (i >> 8) & 255,
                i & 255,
              ),
      }));
      const g = {
        family,
        attributes: {
          origin: 0,
          asPath: [{ type: 2, asns: [64512] }],
          ...(family === 'ipv4' ? { nextHop: '198.51.100.1' } : {}),
        },
        mpNextHops: ['2001:db8:200::1', 'fe80::1'],
      };
      const ref = packAnnouncements({ ...g, prefixes }, { fourOctetAs: true }, 4096);
      const w = new UpdateWriter();
      expect(w.announce(announceTemplate(g, { fourOctetAs: true }, 4096), prefixes)).toBe(
        ref.length,
      );
      expect(hex(w.finish().bytes)).toBe(ref.map(hex).join(''));
    }
  });
});
