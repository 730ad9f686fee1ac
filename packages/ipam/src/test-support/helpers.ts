// Shared by the package's tests: terse request builders and port parsing.
import type { AllocationRequest, IpFamilyPolicy, Port } from '../index.js';

export function ports(...specs: string[]): Port[] {
  return specs.map((s) => {
    const [protocol, port] = s.split('/');
    return { protocol: protocol!, port: Number(port) };
  });
}

export type Fam = 'v4' | 'v6' | 'dual' | 'dual6';

/** A request; `fam` is the cluster-IP family ("dual6" = dual-stack with IPv6 primary). */
export function req(
  service: string,
  fam: Fam = 'v4',
  extra: Partial<AllocationRequest> & { policy?: IpFamilyPolicy } = {},
): AllocationRequest {
  const ipFamilies =
    fam === 'v4'
      ? (['IPv4'] as const)
      : fam === 'v6'
        ? (['IPv6'] as const)
        : fam === 'dual'
          ? (['IPv4', 'IPv6'] as const)
          : (['IPv6', 'IPv4'] as const);
  const { policy, ...rest } = extra;
  return {
    service,
    ipFamilies,
    ...(policy ? { ipFamilyPolicy: policy } : {}),
    ...rest,
  };
}
