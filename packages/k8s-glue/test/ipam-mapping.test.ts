// The domain config feeds @ironlb/ipam unchanged: ipam accepts the pools k8s-glue validated,
// and pinned-pool matching (namespaces, namespace selectors, service selectors) happens here.
import { describe, expect, it } from 'vitest';
import { createAllocator, parsePools } from '@ironlb/ipam';
import { parseConfig } from '../src/config/parse.js';
import {
  matchingPools,
  poolMatchesService,
  toIpamPools,
  type ServiceIdentity,
} from '../src/config/ipam.js';
import { fixture, yamlDocs } from './helpers.js';
import { pool } from './cases/config-cases.js';
import type { IPAddressPool } from '../src/api/types.generated.js';

function config(
  pools: unknown[],
  namespaces: { name: string; labels?: Record<string, string> }[] = [],
) {
  const r = parseConfig({
    pools: pools as IPAddressPool[],
    namespaces: namespaces.map((n) => ({ metadata: { name: n.name, labels: n.labels ?? {} } })),
  });
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
  return r.config;
}

describe('k8s-glue → ipam', () => {
  it('maps the seeds’ pools to PoolSpecs that ipam accepts', () => {
    const pools = [
      ...yamlDocs(fixture('seeds/001-crs.yaml')),
      ...yamlDocs(fixture('seeds/003-pool-options.yaml')),
    ].filter((d) => d.kind === 'IPAddressPool');
    const specs = toIpamPools(config(pools));
    expect(specs).toEqual([
      {
        name: 'ip-pool',
        addresses: ['172.25.1.1-172.25.1.100'],
        autoAssign: false,
        avoidBuggyIPs: true,
      },
      {
        name: 'pool',
        addresses: ['192.168.1.240-192.168.1.250'],
        autoAssign: true,
        avoidBuggyIPs: false,
      },
    ]);
    // ipam accepts them and reads the same addresses k8s-glue validated.
    const set = parsePools(specs);
    expect([...set.pools.keys()]).toEqual(['ip-pool', 'pool']);
    expect(set.pools.get('ip-pool')?.capacityIPv4).toBe(100n); // 172.25.1.1-172.25.1.100: no .0/.255 inside
    expect(set.pools.get('pool')?.capacityIPv4).toBe(11n);
    expect(set.pools.get('ip-pool')?.autoAssign).toBe(false);
  });

  it('carries serviceAllocation priority; selectors are resolved to matchingPools here', () => {
    const cfg = config(
      [
        pool('by-ns', ['10.0.0.0/24'], {
          serviceAllocation: { priority: 2, namespaces: ['team-a'] },
        }),
        pool('by-ns-label', ['10.0.1.0/24'], {
          serviceAllocation: { namespaceSelectors: [{ matchLabels: { tier: 'gold' } }] },
        }),
        pool('by-svc', ['10.0.2.0/24'], {
          serviceAllocation: {
            serviceSelectors: [
              { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
            ],
          },
        }),
        pool('ns-and-svc', ['10.0.3.0/24'], {
          serviceAllocation: {
            namespaces: ['team-a'],
            serviceSelectors: [{ matchLabels: { app: 'db' } }],
          },
        }),
        pool('priority-only', ['10.0.4.0/24'], { serviceAllocation: { priority: 1 } }),
        pool('open', ['10.0.5.0/24']),
      ],
      [{ name: 'team-a' }, { name: 'team-b', labels: { tier: 'gold' } }],
    );
    expect(toIpamPools(cfg).find((p) => p.name === 'by-ns')?.serviceAllocation).toEqual({
      priority: 2,
    });
    expect(toIpamPools(cfg).find((p) => p.name === 'open')).not.toHaveProperty('serviceAllocation');
    expect(matchingPools(cfg, { namespace: 'team-a', labels: { app: 'db' } })).toEqual([
      'by-ns',
      'ns-and-svc',
      'priority-only',
    ]);
    expect(matchingPools(cfg, { namespace: 'team-b', labels: { app: 'web' } })).toEqual([
      'by-ns-label',
      'by-svc',
      'priority-only',
    ]);
    expect(matchingPools(cfg, { namespace: 'other' })).toEqual(['priority-only']);
    const set = parsePools(toIpamPools(cfg));
    expect([...set.pools.values()].map((p) => [p.name, p.pinned, p.priority])).toEqual([
      ['by-ns', true, 2],
      ['by-ns-label', true, 0],
      ['by-svc', true, 0],
      ['ns-and-svc', true, 0],
      ['open', false, 0],
      ['priority-only', true, 1],
    ]);
  });
});

// MetalLB isPoolCompatibleWithService + addressPoolServiceAllocationsFromCR (#2714), except that
// namespaces/namespaceSelectors that resolve to no namespace match none (DESIGN.md §7).
describe('pinned-pool matching (poolMatchesService)', () => {
  const namespaces = [
    { name: 'team-a', labels: { team: 'a' } },
    { name: 'team-b', labels: { team: 'b' } },
    { name: 'plain' },
  ];
  const teamA = { namespace: 'team-a', labels: { app: 'web' } };
  const teamB = { namespace: 'team-b', labels: { app: 'web' } };
  const teamBdb = { namespace: 'team-b', labels: { app: 'db' } };
  const plain = { namespace: 'plain' };
  const cases: {
    desc: string;
    serviceAllocation: unknown;
    matches: ServiceIdentity[];
    not: ServiceIdentity[];
  }[] = [
    {
      desc: 'namespaceSelectors matching no namespace: no service',
      serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'c' } }] },
      matches: [],
      not: [teamA, teamB, plain],
    },
    {
      desc: 'namespaceSelectors matching no namespace + priority: no service',
      serviceAllocation: { priority: 1, namespaceSelectors: [{ matchLabels: { team: 'c' } }] },
      matches: [],
      not: [teamA, teamB, plain],
    },
    {
      desc: 'namespaceSelectors matching no namespace + serviceSelectors: no service, even a labelled one',
      serviceAllocation: {
        namespaceSelectors: [{ matchLabels: { team: 'c' } }],
        serviceSelectors: [{ matchLabels: { app: 'web' } }],
      },
      matches: [],
      not: [teamA, teamB, plain],
    },
    {
      desc: 'namespaceSelectors matching one namespace: only that one',
      serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'a' } }] },
      matches: [teamA],
      not: [teamB, plain],
    },
    {
      desc: 'namespaces list + namespaceSelectors: the union',
      serviceAllocation: {
        namespaces: ['plain'],
        namespaceSelectors: [{ matchLabels: { team: 'b' } }],
      },
      matches: [plain, teamB, teamBdb],
      not: [teamA],
    },
    {
      desc: 'namespaces list + namespaceSelectors matching nothing: the list only',
      serviceAllocation: {
        namespaces: ['team-a'],
        namespaceSelectors: [{ matchLabels: { team: 'c' } }],
      },
      matches: [teamA],
      not: [teamB, plain],
    },
    {
      desc: 'namespaces list naming a namespace that does not exist: no service elsewhere',
      serviceAllocation: { namespaces: ['gone'] },
      matches: [{ namespace: 'gone' }],
      not: [teamA, teamB, plain],
    },
    {
      desc: 'namespaces + serviceSelectors: both must match',
      serviceAllocation: {
        namespaces: ['team-b'],
        serviceSelectors: [{ matchLabels: { app: 'db' } }],
      },
      matches: [teamBdb],
      not: [teamB, teamA, { namespace: 'team-a', labels: { app: 'db' } }],
    },
    {
      desc: 'serviceSelectors only: any namespace, labels decide',
      serviceAllocation: { serviceSelectors: [{ matchLabels: { app: 'db' } }] },
      matches: [teamBdb, { namespace: 'plain', labels: { app: 'db' } }],
      not: [teamA, teamB, plain],
    },
    {
      desc: 'serviceSelectors matching no service: no service',
      serviceAllocation: { serviceSelectors: [{ matchLabels: { app: 'none' } }] },
      matches: [],
      not: [teamA, teamB, teamBdb, plain],
    },
    {
      desc: 'no selectors at all ({}): every service (MetalLB #2714)',
      serviceAllocation: {},
      matches: [teamA, teamB, plain],
      not: [],
    },
    {
      desc: 'explicitly empty lists: as if not given, every service',
      serviceAllocation: { namespaces: [], namespaceSelectors: [], serviceSelectors: [] },
      matches: [teamA, teamB, plain],
      not: [],
    },
    {
      desc: 'priority only: every service (MetalLB #2714)',
      serviceAllocation: { priority: 3 },
      matches: [teamA, teamB, plain],
      not: [],
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const cfg = config(
        [pool('p', ['10.0.0.0/24'], { serviceAllocation: c.serviceAllocation })],
        namespaces,
      );
      const p = cfg.pools[0];
      if (!p) throw new Error('pool missing');
      for (const svc of c.matches)
        expect(poolMatchesService(p, svc), JSON.stringify(svc)).toBe(true);
      for (const svc of c.not) expect(poolMatchesService(p, svc), JSON.stringify(svc)).toBe(false);
    });
  }

  it('a pool pinned to `team: a` is not offered to team-b ahead of an unpinned pool', () => {
    const cfg = config(
      [
        pool('team-a-only', ['10.0.0.0/28'], {
          serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'a' } }] },
        }),
        pool('open', ['10.0.1.0/28']),
      ],
      [{ name: 'team-b', labels: { team: 'b' } }],
    );
    const pinned = matchingPools(cfg, { namespace: 'team-b' });
    expect(pinned).toEqual([]);
    const ipam = createAllocator({}, { pools: toIpamPools(cfg) });
    const got = ipam.allocate({
      service: 'team-b/svc',
      ipFamilies: ['IPv4'],
      matchingPools: pinned,
    });
    expect(got).toMatchObject({ ok: true, pool: 'open', addresses: ['10.0.1.0'] });
    // Asking for the pinned pool by name does not get around the pinning either.
    const asked = ipam.allocate({
      service: 'team-b/other',
      ipFamilies: ['IPv4'],
      requestedPool: 'team-a-only',
      matchingPools: pinned,
    });
    expect(asked.ok).toBe(false);
  });

  it('a pool without serviceAllocation is never a pinned pool', () => {
    const cfg = config([pool('open', ['10.0.0.0/24'])]);
    expect(cfg.pools[0] && poolMatchesService(cfg.pools[0], plain)).toBe(false);
  });
});
