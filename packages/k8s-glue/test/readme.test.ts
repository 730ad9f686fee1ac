// The README's parse example, kept honest.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/index.js';

describe('README example', () => {
  it('parses the example configuration into the CIDRs the README shows', () => {
    const result = parseConfig({
      pools: [
        {
          metadata: { name: 'pool', namespace: 'metallb-system' },
          spec: { addresses: ['192.0.2.240-192.0.2.250'] },
        },
      ],
      l2Advertisements: [
        {
          metadata: { name: 'example', namespace: 'metallb-system' },
          spec: { ipAddressPools: ['pool'] },
        },
      ],
      nodes: [{ metadata: { name: 'node-1', labels: {} } }],
    });
    expect(result.ok && result.config.pools[0]?.cidrs).toEqual([
      '192.0.2.240/29',
      '192.0.2.248/31',
      '192.0.2.250/32',
    ]);
    expect(result.ok && result.config.pools[0]?.l2Advertisements[0]?.nodes).toEqual(['node-1']);
  });
});
