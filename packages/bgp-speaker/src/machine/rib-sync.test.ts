// RibSync: what is owed to a peer stays bounded state, handed out in bounded chunks (issue 14).
import { describe, expect, it } from 'vitest';
import { BgpFramer } from '../codec/framer.js';
import { decodeMessage } from '../codec/message.js';
import { parsePrefix, prefixKey } from '../codec/prefix.js';
import { attributesKeyOf } from './rib.js';
import type { PeerExportContext, Route } from './rib.js';
import { RibSync } from './rib-sync.js';
import type { SyncChunk } from './rib-sync.js';

const ctx: PeerExportContext = {
  localAs: 64512,
  ebgp: true,
  families: new Set(['ipv4', 'ipv6']),
  fourOctetAs: true,
  maxMessageBytes: 4096,
  nextHopIpv4: '198.51.100.1',
  nextHopIpv6: ['2001:db8:200::1'],
};

function table(n: number, attrs: (i: number) => Route['attributes'] = () => ({})) {
  const routes = new Map<string, Route>();
  for (let i = 0; i < n; i++) {
    const prefix = parsePrefix(`198.18.${(i >> 8) & 255}.${i & 255}/32`);
    const attributes = attrs(i);
    routes.set(prefixKey(prefix), {
      prefix,
      attributes,
      attributesKey: attributesKeyOf(attributes),
    });
  }
  return routes;
}

function drain(s: RibSync, max = 10_000): SyncChunk[] {
  const out: SyncChunk[] = [];
  for (let c = s.next(); c; c = s.next()) {
    out.push(c);
    if (out.length > max) throw new Error('RibSync does not finish');
  }
  return out;
}

const bytesOf = (c: SyncChunk) => c.messages.reduce((n, m) => n + m.length, 0);

describe('RibSync', () => {
  it('hands out the initial dump in bounded chunks and ends it with End-of-RIB per family', () => {
    const routes = table(10_000);
    const s = new RibSync(routes, ctx, { families: ['ipv4', 'ipv6'], enhancedRouteRefresh: false });
    expect(s.pendingPrefixes).toBe(10_000);
    const chunks = drain(s);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const c of chunks) expect(c.announced.length).toBeLessThanOrEqual(4096);
    expect(chunks.flatMap((c) => c.announced)).toHaveLength(10_000);
    expect(chunks.flatMap((c) => c.endOfRib)).toEqual(['ipv4', 'ipv6']);
    expect(chunks.at(-1)?.endOfRib).toEqual(['ipv4', 'ipv6']);
    expect(s.idle).toBe(true);
    expect(s.pendingPrefixes).toBe(0);
    expect(s.adjOut.size).toBe(10_000);
  });

  it('starts a pass with small chunks that double up to batchPrefixes, each one buffer', () => {
    const s = new RibSync(table(10_000), ctx, {
      families: ['ipv4'],
      enhancedRouteRefresh: false,
      firstBatchPrefixes: 256,
      batchPrefixes: 2048,
      countRoutes: () => 10_000,
    });
    expect(s.pendingPrefixes).toBe(10_000);
    const chunks = drain(s);
    expect(chunks.map((c) => c.announced.length).slice(0, 6)).toEqual([
      256, 512, 1024, 2048, 2048, 2048,
    ]);
    for (const c of chunks) {
      // The messages are views into the chunk's one buffer, back to back, in wire order.
      expect(bytesOf(c)).toBe(c.bytes.length);
      let at = 0;
      for (const m of c.messages) {
        expect(m.buffer).toBe(c.bytes.buffer);
        expect(m.byteOffset).toBe(c.bytes.byteOffset + at);
        at += m.length;
      }
    }
  });

  it('bounds a chunk by attribute sets too: 4096 prefixes with distinct communities stay far below a megabyte', () => {
    const routes = table(4096, (i) => ({
      communities: Array.from({ length: 200 }, (_, j) => i * 1000 + j),
    }));
    const s = new RibSync(routes, ctx, { families: ['ipv4'], enhancedRouteRefresh: false });
    const chunks = drain(s);
    for (const c of chunks) {
      expect(c.announced.length).toBeLessThanOrEqual(64);
      expect(bytesOf(c)).toBeLessThanOrEqual(64 * 4096 + 64);
    }
    expect(chunks.flatMap((c) => c.announced)).toHaveLength(4096);
  });

  it('100k ROUTE-REFRESH requests while nothing is read cost one queued resend, not 100k copies', () => {
    const routes = table(10_000);
    const s = new RibSync(routes, ctx, { families: ['ipv4', 'ipv6'], enhancedRouteRefresh: false });
    // The peer reads the first chunk, then stops; 100k requests arrive meanwhile.
    const first = s.next()!.announced.length;
    expect(first).toBeGreaterThan(0);
    for (let i = 0; i < 100_000; i++) s.refresh('ipv4');
    // Once it reads again: the rest of the initial dump, End-of-RIB, then exactly one resend.
    const rest = drain(s);
    const eor = rest.findIndex((c) => c.endOfRib.length > 0);
    expect(rest[eor]?.endOfRib).toEqual(['ipv4', 'ipv6']);
    const initial = rest.slice(0, eor + 1).flatMap((c) => c.announced);
    const resent = rest.slice(eor + 1).flatMap((c) => c.announced);
    expect(initial).toHaveLength(10_000 - first);
    expect(resent).toHaveLength(10_000);
    expect(new Set(resent).size).toBe(10_000);
    expect(s.idle).toBe(true);
  });

  it('a refresh resend is wrapped in BoRR … EoRR with RFC 7313, and re-sends what the peer already has', () => {
    const routes = table(100);
    const s = new RibSync(routes, ctx, { families: ['ipv4', 'ipv6'], enhancedRouteRefresh: true });
    drain(s);
    expect(s.refresh('ipv6')).toBe(true);
    expect(s.refresh('ipv4')).toBe(true);
    const chunks = drain(s);
    const frames = chunks.flatMap((c) => c.messages);
    const kinds = frames.map((f) => {
      const m = decodeMessage(new BgpFramer({ maxFrameBytes: 65535 }).push(f)[0]!, {
        fourOctetAs: true,
      });
      return m.type === 'route-refresh' ? `rr${m.subtype}/${m.afi}` : m.type;
    });
    expect(kinds[0]).toBe('rr1/1');
    expect(kinds[1]).toBe('rr1/2');
    expect(kinds.slice(-2)).toEqual(['rr2/1', 'rr2/2']);
    expect(chunks.flatMap((c) => c.refresh)).toEqual([
      { family: 'ipv4', marker: 'BoRR' },
      { family: 'ipv6', marker: 'BoRR' },
      { family: 'ipv4', marker: 'EoRR' },
      { family: 'ipv6', marker: 'EoRR' },
    ]);
    expect(chunks.flatMap((c) => c.announced)).toHaveLength(100);
    // A resend owes nothing the peer does not already have.
    expect(chunks.flatMap((c) => c.endOfRib)).toEqual([]);
  });

  it('ignores a refresh for a family that was not negotiated (RFC 2918 §4)', () => {
    const s = new RibSync(table(10), ctx, { families: ['ipv4'], enhancedRouteRefresh: true });
    drain(s);
    expect(s.refresh('ipv6')).toBe(false);
    expect(s.next()).toBeNull();
  });

  it('changes go before the resend, and a withdrawal during the initial dump is never lost', () => {
    const routes = table(10_000);
    const s = new RibSync(routes, ctx, { families: ['ipv4'], enhancedRouteRefresh: false });
    const first = s.next()!;
    const gone = first.announced[0]!;
    routes.delete(gone);
    const late = parsePrefix('203.0.113.0/24');
    routes.set(prefixKey(late), { prefix: late, attributes: {}, attributesKey: '{}' });
    s.markDirty([gone, prefixKey(late)]);
    const next = s.next()!;
    expect(next.withdrawn).toEqual([gone]);
    expect(next.announced).toEqual([prefixKey(late)]);
    drain(s);
    expect(s.adjOut.has(gone)).toBe(false);
    expect(s.adjOut.size).toBe(10_000);
  });

  it('a prefix changed many times while nothing is read is one dirty entry', () => {
    const routes = table(1);
    const s = new RibSync(routes, ctx, { families: ['ipv4'], enhancedRouteRefresh: false });
    drain(s);
    const key = [...routes.keys()][0]!;
    for (let i = 0; i < 50_000; i++) s.markDirty([key]);
    expect(s.pendingPrefixes).toBe(1);
  });
});
