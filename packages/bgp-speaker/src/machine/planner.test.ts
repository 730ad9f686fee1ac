// Planner.resend is the bulk path of a resend pass; planning the same routes one add() at a time is
// the reference. Property: on random tables (both families, runs of a few attribute sets, routes
// with and without the speaker's key and slot, a peer without an IPv6 next hop) and random chunk
// limits, both give the same bytes, the same announced / skipped / failed lists and the same
// Adj-RIB-Out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UpdateWriter } from '../codec/update-writer.js';
import { prefixKey } from '../codec/prefix.js';
import type { Prefix } from '../codec/prefix.js';
import { AdjRibOut, SlotTable } from './adj-rib-out.js';
import { Planner } from './planner.js';
import { attributesKeyOf } from './rib.js';
import type { PeerExportContext, Route, RouteAttributes } from './rib.js';

const sets: RouteAttributes[] = [
  {},
  { communities: [0xfc000064] },
  { med: 5, largeCommunities: [{ global: 64512, local1: 1, local2: 2 }] },
  { nextHop: 'not-an-address' },
];

const routeArb = fc.record({
  v6: fc.boolean(),
  n: fc.integer({ min: 0, max: 0xffff }),
  length: fc.constantFrom(24, 32, 48, 128),
  set: fc.integer({ min: 0, max: sets.length - 1 }),
  speakerMade: fc.boolean(),
});

type RouteCase = typeof routeArb extends fc.Arbitrary<infer T> ? T : never;

function table(rs: RouteCase[], slots: SlotTable): Route[] {
  const out = new Map<string, Route>();
  for (const r of rs) {
    const length = r.v6 ? r.length : Math.min(r.length, 32);
    const prefix: Prefix = r.v6
      ? { family: 'ipv6', length, bytes: new Uint8Array(16) }
      : { family: 'ipv4', length, bytes: new Uint8Array(4) };
    prefix.bytes.set(r.v6 ? [0x20, 0x01, 0x0d, 0xb8, r.n >> 8, r.n & 255] : [198, 18, r.n >> 8]);
    if (length >= 32 && !r.v6) prefix.bytes[3] = r.n & 255;
    const key = prefixKey(prefix);
    const attributes = sets[r.set] as RouteAttributes;
    out.set(key, {
      prefix,
      attributes,
      attributesKey: attributesKeyOf(attributes),
      ...(r.speakerMade ? { key, slot: slots.slot(key) } : {}),
    });
  }
  return [...out.values()];
}

describe('Planner.resend', () => {
  it('plans exactly what add() per route plans', () => {
    fc.assert(
      fc.property(
        fc.array(routeArb, { maxLength: 400 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 4 }),
        (rs, want4, want6, limit, maxSets) => {
          const slots = new SlotTable();
          const routes = table(rs, slots);
          const ctx: PeerExportContext = {
            localAs: 64512,
            ebgp: true,
            families: new Set(['ipv4', 'ipv6']),
            fourOctetAs: true,
            maxMessageBytes: 4096,
            nextHopIpv4: '198.51.100.1',
            nextHopIpv6: undefined,
          };
          const fast = new AdjRibOut(slots);
          const ref = new AdjRibOut(slots);
          const cursor = routes.values();
          const bulk = new Planner(fast, ctx, true);
          const { taken, done } = bulk.resend(cursor, want4, want6, limit, maxSets);
          // The reference: the same routes, the same stopping rule, one add() each.
          const one = new Planner(ref, ctx, true);
          let n = 0;
          let i = 0;
          for (; i < routes.length && n < limit && one.sets < maxSets; i++) {
            const r = routes[i] as Route;
            if (!(r.prefix.family === 'ipv4' ? want4 : want6)) continue;
            n++;
            one.add(r.key ?? prefixKey(r.prefix), r);
          }
          expect(taken).toBe(n);
          expect(done).toBe(i === routes.length && n < limit && one.sets < maxSets);
          const wa = new UpdateWriter();
          const wb = new UpdateWriter();
          const a = bulk.finish(wa);
          const b = one.finish(wb);
          expect(a).toEqual(b);
          expect(Buffer.from(wa.finish().bytes).toString('hex')).toBe(
            Buffer.from(wb.finish().bytes).toString('hex'),
          );
          expect([...fast.keys()].map((k) => [k, fast.get(k)])).toEqual(
            [...ref.keys()].map((k) => [k, ref.get(k)]),
          );
          // IPv6 has no next hop on this session: reported, never announced.
          for (const k of a.skipped) expect(k.includes(':')).toBe(true);
          expect(a.announced.every((k) => !k.includes(':'))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
