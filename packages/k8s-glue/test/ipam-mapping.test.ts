// The domain config feeds @ironlb/ipam unchanged: ipam accepts the pools k8s-glue validated,
// and pinned-pool matching (namespaces, namespace selectors, service selectors) happens here.
import { describe, expect, it } from 'vitest';
import { parsePools } from '@ironlb/ipam';
import { parseConfig } from '../src/config/parse.js';
import { matchingPools, toIpamPools } from '../src/config/ipam.js';
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
    const set = parsePools(specs);
    expect(set).toBeDefined();
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
    expect(parsePools(toIpamPools(cfg))).toBeDefined();
  });
});
