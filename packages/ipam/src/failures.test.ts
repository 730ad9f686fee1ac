// describeFailure renders MetalLB's text byte for byte (Go's %q quoting of strings and []net.IP).
import { describe, expect, it } from 'vitest';
import { FailureReason, describeFailure, describeSharingDetail } from './index.js';
import type { AllocationFailure } from './index.js';

const sharing: Extract<AllocationFailure, { reason: 'sharing-conflict' }> = {
  reason: 'sharing-conflict',
  service: 'ns/a',
  address: '192.0.2.1',
  detail: 'sharing-key',
  sharingKey: 'x',
  existingSharingKey: 'y',
  backendKey: '',
  existingBackendKey: '',
  otherServices: ['ns/b', 'ns/c'],
};

const table: [AllocationFailure, string][] = [
  [{ reason: 'no-available-ips' }, 'no available IPs'],
  [
    { reason: 'no-available-ips-in-pool', pool: 'p', family: 'dual' },
    'no available IPs in pool p for dual IPFamily',
  ],
  [{ reason: 'unknown-pool', pool: 'p' }, 'unknown pool "p"'],
  [
    { reason: 'not-allowed-in-config', addresses: ['192.0.2.1', '2001:db8::1'] },
    '["192.0.2.1" "2001:db8::1"] is not allowed in config',
  ],
  [{ reason: 'pool-not-compatible', pool: 'p' }, 'pool p not compatible for ip assignment'],
  [
    { reason: 'too-many-addresses', addresses: ['a', 'b', 'c'] },
    'more than two addresses ["a" "b" "c"]',
  ],
  [
    { reason: 'same-family', addresses: ['192.0.2.1', '192.0.2.2'] },
    '"192.0.2.1" "192.0.2.2" has the same family',
  ],
  [sharing, `can't change sharing key for "ns/a", address also in use by ns/b,ns/c`],
  [
    {
      reason: 'port-in-use',
      address: '192.0.2.1',
      port: { protocol: 'TCP', port: 80 },
      usedBy: 'ns/b',
    },
    'port TCP/80 is already in use on "192.0.2.1"',
  ],
  [
    { reason: 'family-mismatch', addresses: ['192.0.2.1'] },
    'requested loadBalancer IP(s) ["192.0.2.1"] does not match the ipFamily of the service',
  ],
  [
    { reason: 'requested-pool-mismatch', addresses: ['192.0.2.1'], pool: 'p' },
    'requested loadBalancer IP(s) ["192.0.2.1"] is not compatible with requested address pool p',
  ],
  [{ reason: 'invalid-address', address: 'x' }, 'invalid IP address "x"'],
  [
    { reason: 'requested-same-family', addresses: ['192.0.2.1', '192.0.2.2'] },
    'IPFamilyForAddresses: same address family ["192.0.2.1" "192.0.2.2"]',
  ],
  [
    { reason: 'requested-too-many', addresses: ['a', 'b', 'c'] },
    'IPFamilyForAddresses: invalid ips length 3 ["a" "b" "c"]',
  ],
  [
    { reason: 'wrong-family-assigned', allocatedFamily: 'ipv4', serviceFamily: 'ipv6' },
    'IP for wrong family assigned alloc ipv4 service family ipv6',
  ],
  [
    { reason: 'current-family-changed', addresses: ['192.0.2.1'] },
    'current IP(s) ["192.0.2.1"] do not match the ipFamily of the service',
  ],
  [{ reason: 'not-allocated', service: 'ns/a' }, 'service "ns/a" has no allocated IP'],
  [{ reason: 'no-pools' }, 'pools are empty'],
];

describe('describeFailure', () => {
  it.each(table)('%o', (f, text) => {
    expect(describeFailure(f)).toBe(text);
  });

  it('covers every reason', () => {
    expect(new Set(table.map(([f]) => f.reason))).toEqual(new Set(Object.values(FailureReason)));
  });

  it("keeps MetalLB's inner sharing wording for logs", () => {
    expect(describeSharingDetail(sharing)).toBe(
      'sharing key "x" does not match existing sharing key "y"',
    );
    expect(describeSharingDetail({ ...sharing, detail: 'existing-does-not-share' })).toBe(
      'existing service does not allow sharing',
    );
    expect(describeSharingDetail({ ...sharing, detail: 'new-does-not-share' })).toBe(
      'new service does not allow sharing',
    );
    expect(
      describeSharingDetail({
        ...sharing,
        detail: 'backend-key',
        backendKey: 'b1',
        existingBackendKey: 'b2',
      }),
    ).toBe('backend key "b1" does not match existing sharing key "b2"');
  });
});
