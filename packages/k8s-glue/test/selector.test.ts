// Node selectors are resolved to node names by one function (MetalLB selectedNodes) for L2 and
// BGP advertisements and for BGPPeers, so the three can never disagree on which nodes match.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/parse.js';
import { nodeNames } from '../src/config/selector.js';
import type { LabelSelector } from '../src/api/meta.js';
import { bgpAd, l2Ad, node, peer, pool } from './cases/config-cases.js';

const nodes = [
  node('n3', { zone: 'b', rack: '1' }),
  node('n1', { zone: 'a' }),
  node('n2', { zone: 'b' }),
];

describe('nodeNames (MetalLB selectedNodes)', () => {
  const cases: { desc: string; sels: LabelSelector[] | undefined; want: string[] }[] = [
    { desc: 'no selectors: every node, sorted', sels: undefined, want: ['n1', 'n2', 'n3'] },
    { desc: 'an empty list: every node', sels: [], want: ['n1', 'n2', 'n3'] },
    { desc: 'an empty selector matches every node', sels: [{}], want: ['n1', 'n2', 'n3'] },
    { desc: 'matchLabels', sels: [{ matchLabels: { zone: 'b' } }], want: ['n2', 'n3'] },
    {
      desc: 'selectors are ORed',
      sels: [{ matchLabels: { zone: 'a' } }, { matchLabels: { rack: '1' } }],
      want: ['n1', 'n3'],
    },
    {
      desc: 'matchExpressions',
      sels: [{ matchExpressions: [{ key: 'rack', operator: 'DoesNotExist' }] }],
      want: ['n1', 'n2'],
    },
    {
      desc: 'selectors matching nothing: no node',
      sels: [{ matchLabels: { zone: 'z' } }],
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      expect(nodeNames(nodes, c.sels)).toEqual(c.want);
    });
  }
});

describe('node selectors resolve alike everywhere', () => {
  it('BGPPeer, L2Advertisement and BGPAdvertisement with the same selectors get the same nodes', () => {
    const nodeSelectors = [{ matchLabels: { zone: 'b' } }];
    const r = parseConfig({
      pools: [pool('p', ['192.0.2.0/24'])],
      peers: [peer('r', { nodeSelectors })],
      l2Advertisements: [l2Ad('l2', { nodeSelectors })],
      bgpAdvertisements: [bgpAd('bgp', { nodeSelectors })],
      nodes,
    });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const want = nodeNames(nodes, nodeSelectors);
    expect(want).toEqual(['n2', 'n3']);
    expect(r.config.peers[0]?.nodes).toEqual(want);
    expect(r.config.pools[0]?.l2Advertisements[0]?.nodes).toEqual(want);
    expect(r.config.pools[0]?.bgpAdvertisements[0]?.nodes).toEqual(want);
  });
});
