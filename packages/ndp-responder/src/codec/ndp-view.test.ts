import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMac } from '@ironlb/raw-link';
import { hexToBytes } from '@ironlb/raw-link/testing';
import { buildAdvertisement } from '../machine/ndp-machine.js';
import { neighborSolicitationFrame } from '../testing/frames.js';
import { NdpOptionType, decodeNdpFrame, linkLayerOption } from './ndp.js';
import { advertisementFromSolicitation, checkSolicitation } from './ndp-view.js';

const fixture = (name: string) =>
  hexToBytes(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));
const MAC = parseMac('02:00:00:00:00:0c');

/** Recomputes the ICMPv6 checksum over the length the IPv6 header claims, so mutations go deep. */
function fixChecksum(input: Uint8Array): Uint8Array {
  const f = Uint8Array.from(input);
  const len = ((f[18] ?? 0) << 8) | (f[19] ?? 0);
  if (f.length < 58 || 54 + len > f.length) return f;
  f[56] = 0;
  f[57] = 0;
  let s = len + 58;
  for (let i = 22; i < 54; i += 2) s += ((f[i] ?? 0) << 8) | (f[i + 1] ?? 0);
  let i = 54;
  for (; i + 1 < 54 + len; i += 2) s += ((f[i] ?? 0) << 8) | (f[i + 1] ?? 0);
  if (i < 54 + len) s += (f[i] ?? 0) << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  f[56] = (~s >> 8) & 0xff;
  f[57] = ~s & 0xff;
  return f;
}

const seeds = [
  fixture('ndisc6-ns.hex'),
  fixture('kernel-dad-ns.hex'),
  neighborSolicitationFrame({
    fromMac: '02:00:00:00:00:0a',
    fromIp: '2001:db8:1::1',
    target: '2001:db8:1::2',
    unicast: true,
    dstMac: '02:00:00:00:00:0c',
  }),
];
const frames = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(100), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    fc.nat(120),
    fc.boolean(),
  )
  .map(([seed, flips, cut, fix]) => {
    const b = Uint8Array.from(seed);
    for (const [i, v] of flips) if (i < b.length) b[i] = v;
    const cutTo = b.subarray(0, Math.min(cut + 40, b.length));
    return fix ? fixChecksum(cutTo) : cutTo;
  });

describe('the allocation-free NS view', () => {
  it('accepts exactly the untagged solicitations the full decoder accepts, and finds the same parts', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.oneof(frames, fc.uint8Array({ maxLength: 120 })), (f) => {
        let p;
        try {
          p = decodeNdpFrame(f);
        } catch {
          p = undefined;
        }
        const expected = p && p.vlanId === undefined && p.message.kind === 'ns' ? p : undefined;
        const v = checkSolicitation(f);
        expect(v !== undefined).toBe(expected !== undefined);
        if (!v || !expected || expected.message.kind !== 'ns') return;
        valid++;
        const slla = linkLayerOption(
          expected.message.options,
          NdpOptionType.SourceLinkLayerAddress,
        );
        expect(v.sllaAt >= 0 ? [...f.subarray(v.sllaAt, v.sllaAt + 6)] : null).toEqual(
          slla ? [...slla] : null,
        );
        expect(v.dad).toBe(expected.src.every((b) => b === 0));
        expect(v.toTarget).toBe(expected.dst.every((b, i) => b === expected.message.target[i]));
      }),
      { numRuns: 5000 },
    );
    expect(valid).toBeGreaterThan(100);
  });

  it('writes the same advertisement as the generic encoder, byte for byte', () => {
    fc.assert(
      fc.property(frames, (f) => {
        const v = checkSolicitation(f);
        if (!v || v.dad) return;
        const p = decodeNdpFrame(f);
        if (p.message.kind !== 'ns') return;
        const slla = linkLayerOption(p.message.options, NdpOptionType.SourceLinkLayerAddress);
        const expected = buildAdvertisement(
          MAC,
          p.message.target,
          { ip: p.src, mac: slla ?? p.srcMac },
          { solicited: true, override: true },
        );
        expect([...advertisementFromSolicitation(MAC, f, v.sllaAt)]).toEqual([...expected]);
      }),
      { numRuns: 3000 },
    );
  });
});
