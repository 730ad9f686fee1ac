// Service → ipam AllocationRequest: every input MetalLB reads (controller/service.go,
// k8salloc, ipfamily), the metallb.io spellings winning over the deprecated metallb.universe.tf
// ones, and MetalLB's error texts for requests that cannot be honoured.
import { describe, expect, it } from 'vitest';
import {
  backendKey,
  desiredAddresses,
  familyForAddresses,
  handlesLoadBalancerClass,
  requestedPool,
  servicePorts,
  sharingKey,
  toAllocationRequest,
} from '../../src/controller/service.js';
import { stateWith, svc } from './support.js';

const config = () =>
  stateWith(
    [
      { name: 'a', addresses: ['192.0.2.0/28'] },
      { name: 'pinned', addresses: ['198.51.100.0/28'], namespaces: ['team'], priority: 1 },
      { name: 'labelled', addresses: ['203.0.113.0/28'], serviceLabels: { tier: 'gold' } },
    ],
    ['team'],
  ).config!;

describe('toAllocationRequest', () => {
  it('maps families (primary first), policy, sharing key, backend key, ports and pinned pools', () => {
    const r = toAllocationRequest(
      svc({
        name: 'web',
        namespace: 'team',
        clusterIPs: ['2001:db8::5', '198.18.0.5'],
        policy: 'PreferDualStack',
        annotations: { 'metallb.io/allow-shared-ip': 'k' },
        labels: { tier: 'gold' },
        etp: 'Local',
        selector: { b: '2', a: '1' },
        ports: ['TCP/80', 'UDP/53'],
      }),
      config(),
    );
    expect(r).toEqual({
      service: 'team/web',
      ipFamilies: ['IPv6', 'IPv4'],
      ipFamilyPolicy: 'PreferDualStack',
      sharingKey: 'k',
      backendKey: 'a=1,b=2',
      ports: [
        { protocol: 'TCP', port: 80 },
        { protocol: 'UDP', port: 53 },
      ],
      matchingPools: ['labelled', 'pinned'],
    });
  });

  it('falls back to spec.clusterIP and SingleStack; unknown policies count as SingleStack', () => {
    const r = toAllocationRequest(svc({ clusterIP: '198.18.0.9', policy: 'Bogus' }), config());
    expect(r).toMatchObject({
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      backendKey: '',
    });
  });

  it('is undefined when the cluster IPs give no family (headless, garbage)', () => {
    expect(toAllocationRequest(svc({ clusterIP: 'None' }), config())).toBeUndefined();
  });

  it('carries requested addresses (canonical text) and the requested pool', () => {
    const r = toAllocationRequest(
      svc({
        clusterIPs: ['198.18.0.1', '2001:db8::1'],
        annotations: {
          'metallb.io/loadBalancerIPs': ' 192.0.2.1 , 2001:DB8:0::7 ',
          'metallb.io/address-pool': 'a',
        },
      }),
      config(),
      'custom/key',
    );
    expect(r).toMatchObject({
      service: 'custom/key',
      requestedAddresses: ['192.0.2.1', '2001:db8::7'],
      requestedPool: 'a',
    });
  });
});

describe('annotations: metallb.io wins, metallb.universe.tf still read', () => {
  it('address-pool, loadBalancerIPs and allow-shared-ip', () => {
    const both = svc({
      annotations: {
        'metallb.io/address-pool': 'new',
        'metallb.universe.tf/address-pool': 'old',
        'metallb.io/allow-shared-ip': 'new-key',
        'metallb.universe.tf/allow-shared-ip': 'old-key',
        'metallb.io/loadBalancerIPs': '192.0.2.1',
        'metallb.universe.tf/loadBalancerIPs': '192.0.2.2',
      },
    });
    expect(requestedPool(both)).toBe('new');
    expect(sharingKey(both)).toBe('new-key');
    expect(desiredAddresses(both)).toEqual({ addresses: ['192.0.2.1'], family: 'ipv4' });
    const old = svc({
      annotations: {
        'metallb.universe.tf/address-pool': 'old',
        'metallb.universe.tf/allow-shared-ip': 'old-key',
        'metallb.universe.tf/loadBalancerIPs': '192.0.2.2',
      },
    });
    expect(requestedPool(old)).toBe('old');
    expect(sharingKey(old)).toBe('old-key');
    expect(desiredAddresses(old)).toEqual({ addresses: ['192.0.2.2'], family: 'ipv4' });
  });

  it('a present but empty metallb.io annotation still wins (MetalLB reads presence)', () => {
    const s = svc({
      annotations: { 'metallb.io/allow-shared-ip': '', 'metallb.universe.tf/allow-shared-ip': 'x' },
    });
    expect(sharingKey(s)).toBe('');
  });
});

describe("getDesiredLbIPs: MetalLB's texts", () => {
  it.each([
    [
      { loadBalancerIP: '192.0.2.1', annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.2' } },
      'service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
    ],
    [
      { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1,nope' } },
      'invalid metallb.io/loadBalancerIPs: "192.0.2.1,nope"',
    ],
    [{ loadBalancerIP: 'nope' }, 'invalid spec.loadBalancerIP "nope"'],
    [
      { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1,192.0.2.2' } },
      'IPFamilyForAddresses: same address family ["192.0.2.1" "192.0.2.2"]',
    ],
    [
      { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1,2001:db8::1,192.0.2.3' } },
      'IPFamilyForAddresses: invalid ips length 3 ["192.0.2.1" "2001:db8::1" "192.0.2.3"]',
    ],
  ])('%j → %s', (def, error) => {
    expect(desiredAddresses(svc(def))).toEqual({ error });
  });

  it('dual-stack requests and none', () => {
    expect(
      desiredAddresses(
        svc({ annotations: { 'metallb.io/loadBalancerIPs': '2001:db8::1,192.0.2.1' } }),
      ),
    ).toEqual({
      addresses: ['2001:db8::1', '192.0.2.1'],
      family: 'dual',
    });
    expect(desiredAddresses(svc({}))).toEqual({ addresses: [], family: undefined });
  });
});

describe('ipfamily.ForAddresses', () => {
  it('families and errors', () => {
    expect(familyForAddresses(['192.0.2.1'])).toEqual({ family: 'ipv4' });
    expect(familyForAddresses(['::ffff:192.0.2.1'])).toEqual({ family: 'ipv4' });
    expect(familyForAddresses(['2001:db8::1', '192.0.2.1'])).toEqual({ family: 'dual' });
    expect(familyForAddresses(['None'])).toEqual({
      error: 'IPFamilyForAddresses: Invalid address ["None"]',
    });
    expect(familyForAddresses([])).toEqual({
      error: 'IPFamilyForAddresses: invalid ips length 0 []',
    });
  });
});

describe('k8salloc: ports and backend key; lb class', () => {
  it('protocol verbatim, TCP when unset; selector canonical only for ETP Local', () => {
    const s = svc({ ports: ['SCTP/9'], etp: 'Cluster', selector: { app: 'x' } });
    s.spec!.ports!.push({ port: 8080 });
    expect(servicePorts(s)).toEqual([
      { protocol: 'SCTP', port: 9 },
      { protocol: 'TCP', port: 8080 },
    ]);
    expect(backendKey(s)).toBe('');
    expect(backendKey(svc({ etp: 'Local' }))).toBe('');
  });

  it('handlesLoadBalancerClass', () => {
    expect(handlesLoadBalancerClass(svc({}), undefined)).toBe(true);
    expect(handlesLoadBalancerClass(svc({ lbClass: 'ironlb' }), undefined)).toBe(false);
    expect(handlesLoadBalancerClass(svc({ lbClass: 'ironlb' }), 'ironlb')).toBe(true);
  });
});
