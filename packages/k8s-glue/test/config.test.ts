import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/parse.js';
import { ConfigInvalidError } from '../src/errors.js';
import { CONFIG_CASES, bgpAd, peer, pool } from './cases/config-cases.js';

describe('parseConfig: MetalLB config-parser table', () => {
  for (const c of CONFIG_CASES) {
    it(c.desc, () => {
      const r = parseConfig(c.crs);
      if (c.error !== undefined) {
        expect(r.ok, 'expected the config to be refused').toBe(false);
        if (r.ok) return;
        const hit = r.problems.find((p) => p.message.includes(c.error as string));
        expect(
          hit,
          `no problem contains ${JSON.stringify(c.error)}; got ${JSON.stringify(r.problems.map((p) => p.message))}`,
        ).toBeDefined();
        if (c.transient !== undefined) expect(hit?.transient).toBe(c.transient);
        if (c.path !== undefined) expect(hit?.path).toBe(c.path);
      } else {
        expect(r.ok ? [] : r.problems).toEqual([]);
        if (r.ok && c.want) expect(r.config).toMatchObject(c.want);
      }
    });
  }
});

describe('parseConfig: all-or-nothing with every problem listed', () => {
  it('reports problems in several objects at once, each with object and path', () => {
    const r = parseConfig({
      pools: [pool('a', ['10.0.0.0/8']), pool('b', ['10.1.0.0/16']), pool('c', ['bad'])],
      peers: [peer('p', { holdTime: '1s' })],
      bgpAdvertisements: [bgpAd('x', { communities: ['1:2:3'] })],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.object.kind, p.object.name, p.path])).toEqual(
      expect.arrayContaining([
        ['IPAddressPool', 'b', 'spec.addresses[0]'],
        ['IPAddressPool', 'c', 'spec.addresses[0]'],
        ['BGPPeer', 'p', 'spec.holdTime'],
        ['BGPAdvertisement', 'x', 'spec.communities[0]'],
      ]),
    );
    const err = new ConfigInvalidError(r.problems);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.transientOnly).toBe(false);
  });

  it('marks a config whose only problems are missing references as transient', () => {
    const r = parseConfig({
      peers: [peer('p', { bfdProfile: 'later', passwordSecret: { name: 'later' } })],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(2);
    expect(new ConfigInvalidError(r.problems).transientOnly).toBe(true);
  });

  it('is deterministic regardless of input order', () => {
    const a = parseConfig({ pools: [pool('b', ['10.1.0.0/24']), pool('a', ['10.0.0.0/24'])] });
    const b = parseConfig({ pools: [pool('a', ['10.0.0.0/24']), pool('b', ['10.1.0.0/24'])] });
    expect(a).toEqual(b);
    expect(a.ok && a.config.pools.map((p) => p.name)).toEqual(['a', 'b']);
  });
});
