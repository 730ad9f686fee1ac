// Why an allocation did not happen, as structured data; describeFailure() renders MetalLB's exact
// message text (internal/allocator and controller/service.go), which k8s-glue puts after
// `Failed to allocate IP for "ns/name": ` in the AllocationFailed event, or after
// `current IP for "ns/name" not allowed by config, will attempt for new IP assignment: ` in
// ClearAssignment.
import type { Port } from './types.js';

/** Failure reasons. Append-only. */
export const FailureReason = {
  NoAvailableIPs: 'no-available-ips',
  NoAvailableIPsInPool: 'no-available-ips-in-pool',
  UnknownPool: 'unknown-pool',
  NotAllowedInConfig: 'not-allowed-in-config',
  PoolNotCompatible: 'pool-not-compatible',
  TooManyAddresses: 'too-many-addresses',
  SameFamily: 'same-family',
  SharingConflict: 'sharing-conflict',
  PortInUse: 'port-in-use',
  FamilyMismatch: 'family-mismatch',
  RequestedPoolMismatch: 'requested-pool-mismatch',
  InvalidAddress: 'invalid-address',
  RequestedSameFamily: 'requested-same-family',
  RequestedTooMany: 'requested-too-many',
  WrongFamilyAssigned: 'wrong-family-assigned',
  CurrentFamilyChanged: 'current-family-changed',
  NotAllocated: 'not-allocated',
  NoPools: 'no-pools',
} as const;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];

/** MetalLB's family words (internal/ipfamily): "ipv4", "ipv6", "dual". */
export type FamilyWord = 'ipv4' | 'ipv6' | 'dual';

/** Which sharing rule refused the address (MetalLB's sharingOK). */
export type SharingDetail =
  'existing-does-not-share' | 'new-does-not-share' | 'sharing-key' | 'backend-key';

export type AllocationFailure =
  | { reason: 'no-available-ips' }
  | { reason: 'no-available-ips-in-pool'; pool: string; family: FamilyWord }
  | { reason: 'unknown-pool'; pool: string }
  | { reason: 'not-allowed-in-config'; addresses: readonly string[] }
  | { reason: 'pool-not-compatible'; pool: string }
  | { reason: 'too-many-addresses'; addresses: readonly string[] }
  | { reason: 'same-family'; addresses: readonly string[] }
  | {
      reason: 'sharing-conflict';
      service: string;
      address: string;
      detail: SharingDetail;
      sharingKey: string;
      existingSharingKey: string;
      backendKey: string;
      existingBackendKey: string;
      /** The other services on the address, sorted. */
      otherServices: readonly string[];
    }
  | { reason: 'port-in-use'; address: string; port: Port; usedBy: string }
  | { reason: 'family-mismatch'; addresses: readonly string[] }
  | { reason: 'requested-pool-mismatch'; addresses: readonly string[]; pool: string }
  | { reason: 'invalid-address'; address: string }
  | { reason: 'requested-same-family'; addresses: readonly string[] }
  | { reason: 'requested-too-many'; addresses: readonly string[] }
  | { reason: 'wrong-family-assigned'; allocatedFamily: FamilyWord; serviceFamily: FamilyWord }
  | { reason: 'current-family-changed'; addresses: readonly string[] }
  | { reason: 'not-allocated'; service: string }
  | { reason: 'no-pools' };

// Go's %q of a string (strconv.Quote); JSON's escaping agrees for the printable ASCII that
// addresses, pool names and service keys are made of.
function q(s: string): string {
  return JSON.stringify(s);
}
// Go's %q of a []net.IP / []string: each element quoted, space-separated, in brackets.
function qList(xs: readonly string[]): string {
  return `[${xs.map(q).join(' ')}]`;
}

/** MetalLB's message text for a failure, byte for byte where MetalLB has one. */
export function describeFailure(f: AllocationFailure): string {
  switch (f.reason) {
    case 'no-available-ips':
      return 'no available IPs';
    case 'no-available-ips-in-pool':
      return `no available IPs in pool ${f.pool} for ${f.family} IPFamily`;
    case 'unknown-pool':
      return `unknown pool ${q(f.pool)}`;
    case 'not-allowed-in-config':
      return `${qList(f.addresses)} is not allowed in config`;
    case 'pool-not-compatible':
      return `pool ${f.pool} not compatible for ip assignment`;
    case 'too-many-addresses':
      return `more than two addresses ${qList(f.addresses)}`;
    case 'same-family':
      return `${q(f.addresses[0] ?? '')} ${q(f.addresses[1] ?? '')} has the same family`;
    case 'sharing-conflict':
      return `can't change sharing key for ${q(f.service)}, address also in use by ${f.otherServices.join(',')}`;
    case 'port-in-use':
      return `port ${f.port.protocol}/${f.port.port} is already in use on ${q(f.address)}`;
    case 'family-mismatch':
      return `requested loadBalancer IP(s) ${qList(f.addresses)} does not match the ipFamily of the service`;
    case 'requested-pool-mismatch':
      return `requested loadBalancer IP(s) ${qList(f.addresses)} is not compatible with requested address pool ${f.pool}`;
    case 'invalid-address':
      return `invalid IP address ${q(f.address)}`;
    case 'requested-same-family':
      return `IPFamilyForAddresses: same address family ${qList(f.addresses)}`;
    case 'requested-too-many':
      return `IPFamilyForAddresses: invalid ips length ${f.addresses.length} ${qList(f.addresses)}`;
    case 'wrong-family-assigned':
      return `IP for wrong family assigned alloc ${f.allocatedFamily} service family ${f.serviceFamily}`;
    case 'current-family-changed':
      // MetalLB clears such a service silently (serviceFamilyChanged); this text is ours.
      return `current IP(s) ${qList(f.addresses)} do not match the ipFamily of the service`;
    case 'not-allocated':
      return `service ${q(f.service)} has no allocated IP`;
    case 'no-pools':
      // MetalLB only logs this ("pools are empty") and emits no event.
      return 'pools are empty';
  }
}

/** Sharing-rule wording MetalLB computes internally (sharingOK) — useful in logs. */
export function describeSharingDetail(
  f: Extract<AllocationFailure, { reason: 'sharing-conflict' }>,
): string {
  switch (f.detail) {
    case 'existing-does-not-share':
      return 'existing service does not allow sharing';
    case 'new-does-not-share':
      return 'new service does not allow sharing';
    case 'sharing-key':
      return `sharing key ${q(f.sharingKey)} does not match existing sharing key ${q(f.existingSharingKey)}`;
    case 'backend-key':
      return `backend key ${q(f.backendKey)} does not match existing sharing key ${q(f.existingBackendKey)}`;
  }
}
