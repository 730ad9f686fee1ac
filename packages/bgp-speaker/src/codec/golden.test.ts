// Golden vectors captured from real routers (test/capture-golden.ts: BIRD 2.0.12, FRR 8.4,
// GoBGP 3.10 announcing to our CLI in network namespaces, recorded with tcpdump). They pin the
// decoder to what real peers put on the wire, layout quirks included (protocols.md §1.3).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AttrFlag, AttrType } from './constants.js';
import { formatCommunity, formatLargeCommunity } from './communities.js';
import { decodeMessage } from './message.js';
import type { BgpMessage } from './message.js';
import type { OpenMessage } from './open.js';
import { formatPrefix } from './prefix.js';
import { packAnnouncements } from './update.js';
import type { UpdateMessage } from './update.js';

const dir = join(import.meta.dirname, '../../test/fixtures/golden');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.hex'))
  .sort();
const load = (f: string) => Buffer.from(readFileSync(join(dir, f), 'utf8').trim(), 'hex');
const decoded = (router: string) =>
  files
    .filter((f) => f.startsWith(router))
    .map((f) => ({
      f,
      raw: load(f),
      m: decodeMessage(load(f), { fourOctetAs: true }) as BgpMessage,
    }));
const opens = (router: string) =>
  decoded(router).filter((x) => x.m.type === 'open') as {
    f: string;
    raw: Buffer;
    m: OpenMessage;
  }[];
const updates = (router: string) =>
  decoded(router).filter((x) => x.m.type === 'update') as {
    f: string;
    raw: Buffer;
    m: UpdateMessage;
  }[];
const announcing = (router: string) => updates(router).filter((u) => u.m.nlri.length > 0);

/** Number of optional parameters in an OPEN (classic encoding). */
function paramCount(raw: Buffer): number {
  let n = 0;
  for (let i = 29; i < raw.length; i += 2 + (raw[i + 1] as number)) n++;
  return n;
}

describe('golden vectors from BIRD, FRR and GoBGP', () => {
  it('has vectors for all three routers and every one decodes', () => {
    for (const r of ['bird', 'frr', 'gobgp']) expect(files.some((f) => f.startsWith(r))).toBe(true);
    for (const f of files)
      expect(() => decodeMessage(load(f), { fourOctetAs: true })).not.toThrow();
  });

  it('OPENs: 4-octet AS, identifier, one family each; FRR spreads capabilities over parameters, GoBGP packs them', () => {
    for (const r of ['bird', 'frr', 'gobgp']) {
      const os = opens(r);
      expect(os).toHaveLength(2);
      for (const o of os) {
        expect(o.m.capabilities.fourOctetAs).toBe(64513);
        expect(o.m.bgpId).toBe('198.51.100.2');
        expect(o.m.holdTimeSec).toBe(90);
      }
      expect(os.map((o) => o.m.capabilities.multiprotocol[0]?.afi).sort()).toEqual([1, 2]);
    }
    expect(paramCount(opens('frr')[0]!.raw)).toBeGreaterThan(1);
    expect(paramCount(opens('gobgp')[0]!.raw)).toBe(1);
    // FRR advertises ADD-PATH receive, extended messages and GR with the N bit (protocols.md §1.3).
    const frr = opens('frr')[0]!.m.capabilities;
    expect(frr.addPath[0]?.sendReceive).toBe(1);
    expect(frr.extendedMessage).toBe(true);
    expect(frr.gracefulRestart?.notification).toBe(true);
    // BIRD and FRR send LLGR (71); GoBGP and FRR send FQDN (73): unknown and ignored.
    expect(opens('bird')[0]!.m.capabilities.unknown.map((u) => u.code)).toContain(71);
    expect(opens('gobgp')[0]!.m.capabilities.unknown.map((u) => u.code)).toContain(73);
  });

  it('UPDATEs carry the injected routes with their communities and large communities', () => {
    for (const r of ['bird', 'frr', 'gobgp']) {
      const us = announcing(r);
      const byPrefix = new Map(
        us.flatMap((u) => u.m.nlri.map((p) => [formatPrefix(p), u.m] as const)),
      );
      const v4 = byPrefix.get('203.0.113.0/24');
      const v6 = byPrefix.get('2001:db8:1::/48');
      expect(v4?.attributes.asPath).toEqual([{ type: 2, asns: [64513] }]);
      expect(v4?.attributes.nextHop).toBe('198.51.100.2');
      expect(v4?.attributes.communities?.map(formatCommunity)[0]).toBe('64513:100');
      expect(v4?.attributes.largeCommunities?.map(formatLargeCommunity)).toEqual(['64513:1:2']);
      expect(v6?.attributes.communities?.map(formatCommunity)).toEqual(['64513:200']);
      expect(v6?.attributes.largeCommunities?.map(formatLargeCommunity)).toEqual(['64513:3:4']);
      expect(v6?.attributes.mpReach?.nextHops[0]).toBe('2001:db8:200::2');
    }
  });

  it('IPv6 next hop: FRR sends 32 bytes (global + link-local) with MP_REACH first and extended length; GoBGP 16 bytes after ORIGIN/AS_PATH', () => {
    const frr = announcing('frr').find((u) => u.m.attributes.mpReach)!;
    expect(frr.m.attributes.mpReach?.nextHops).toHaveLength(2);
    expect(frr.m.attributes.mpReach?.nextHops[1]).toMatch(/^fe80:/);
    expect(frr.raw[19 + 4 + 1]).toBe(AttrType.MpReachNlri);
    expect((frr.raw[19 + 4] as number) & AttrFlag.ExtendedLength).toBeTruthy();
    const gobgp = announcing('gobgp').find((u) => u.m.attributes.mpReach)!;
    expect(gobgp.m.attributes.mpReach?.nextHops).toHaveLength(1);
    expect(gobgp.raw[19 + 4 + 1]).toBe(AttrType.Origin);
  });

  it('BIRD sends End-of-RIB for both families', () => {
    expect(
      updates('bird')
        .map((u) => u.m.endOfRib)
        .filter(Boolean)
        .sort(),
    ).toEqual(['ipv4', 'ipv6']);
  });

  it('re-encoding the routers’ attributes with our encoder gives the same decoded route', () => {
    for (const r of ['bird', 'frr', 'gobgp']) {
      for (const u of announcing(r)) {
        const fam = u.m.nlri[0]!.family;
        const { mpReach: _mp, ...attrs } = u.m.attributes;
        const [again] = packAnnouncements(
          {
            family: fam,
            attributes: attrs,
            mpNextHops: u.m.attributes.mpReach?.nextHops ?? [],
            prefixes: u.m.nlri,
          },
          { fourOctetAs: true },
          4096,
        );
        const m2 = decodeMessage(again!, { fourOctetAs: true }) as UpdateMessage;
        expect(m2.nlri.map(formatPrefix)).toEqual(u.m.nlri.map(formatPrefix));
        const { mpReach: mp2, ...attrs2 } = m2.attributes;
        expect(attrs2).toEqual(attrs);
        expect(mp2?.nextHops ?? []).toEqual(u.m.attributes.mpReach?.nextHops ?? []);
      }
    }
  });
});
