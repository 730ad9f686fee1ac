// Request normalisation: validates an AllocationRequest once and precomputes what the hot path
// needs (family word, port keys, the matching-pool set), sharing empty lists between requests.
import { IpFamily, familyOf, parseAddress } from './addr.js';
import { IpamError, IpamErrorCode } from './errors.js';
import type { FamilyWord } from './failures.js';
import { serviceFamilyWord, wordOf } from './select.js';
import { portKey } from './state.js';
import { IpFamilyPolicy } from './types.js';
import type { AllocationRequest, Port } from './types.js';

export interface Norm {
  service: string;
  family: FamilyWord;
  primary: IpFamily;
  policy: IpFamilyPolicy;
  sharingKey: string;
  backendKey: string;
  ports: Port[];
  portKeys: string[];
  matching: ReadonlySet<string>;
}

export function normalize(req: AllocationRequest): Norm {
  if (typeof req !== 'object' || req === null) {
    throw new IpamError(
      IpamErrorCode.InvalidRequest,
      'request must be an AllocationRequest object',
    );
  }
  if (typeof req.service !== 'string' || req.service === '') {
    throw new IpamError(IpamErrorCode.InvalidRequest, 'request.service must be a non-empty string');
  }
  if (typeof req !== 'object' || req === null) {
    throw new IpamError(
      IpamErrorCode.InvalidRequest,
      'request must be an AllocationRequest object',
    );
  }
  const fams = req.ipFamilies;
  if (!Array.isArray(fams)) {
    // The cluster-IP families have no safe default: guessing IPv4 would hand a v6-only Service
    // an address it cannot use (issue 12: a missing ipFamilies was a TypeError).
    throw new IpamError(
      IpamErrorCode.InvalidRequest,
      `request.ipFamilies is required: the Service's cluster-IP families, e.g. ['IPv4'] or ['IPv6', 'IPv4'] (got ${fams === undefined ? 'undefined' : JSON.stringify(fams)})`,
    );
  }
  const valid = (f: unknown) => f === IpFamily.IPv4 || f === IpFamily.IPv6;
  if (fams.length < 1 || fams.length > 2 || !fams.every(valid) || fams[0] === fams[1]) {
    throw new IpamError(
      IpamErrorCode.InvalidRequest,
      `request.ipFamilies must be 1 or 2 distinct families, got ${JSON.stringify(fams)}`,
    );
  }
  const ports =
    req.ports && req.ports.length > 0
      ? req.ports.map((p) => {
          if (!Number.isInteger(p.port) || p.port < 0 || p.port > 65535 || !p.protocol) {
            throw new IpamError(IpamErrorCode.InvalidRequest, `invalid port ${JSON.stringify(p)}`);
          }
          return { protocol: p.protocol, port: p.port };
        })
      : NO_PORTS;
  const policy = req.ipFamilyPolicy ?? IpFamilyPolicy.SingleStack;
  if (!POLICIES.has(policy)) {
    throw new IpamError(
      IpamErrorCode.InvalidRequest,
      `invalid ipFamilyPolicy ${JSON.stringify(policy)}`,
    );
  }
  return {
    service: req.service,
    family: serviceFamilyWord(fams),
    primary: fams[0]!,
    policy,
    sharingKey: req.sharingKey ?? '',
    backendKey: req.backendKey ?? '',
    ports,
    portKeys: ports.length > 0 ? ports.map(portKey) : NO_PORT_KEYS,
    matching:
      req.matchingPools && req.matchingPools.length > 0 ? new Set(req.matchingPools) : NO_POOLS,
  };
}

const NO_POOLS: ReadonlySet<string> = new Set();
const POLICIES: ReadonlySet<string> = new Set(Object.values(IpFamilyPolicy));
export const NO_ADDRS: bigint[] = [];
// Shared empty lists: most services carry no ports into ipam's hot path at 100k scale.
const NO_PORTS: Port[] = [];
const NO_PORT_KEYS: string[] = [];

export function addrsFamily(addrs: readonly bigint[]): FamilyWord | undefined {
  if (addrs.length === 1) return wordOf(familyOf(addrs[0]!));
  if (addrs.length === 2 && familyOf(addrs[0]!) !== familyOf(addrs[1]!)) return 'dual';
  return undefined;
}

export function sameSet(a: readonly bigint[], b: readonly bigint[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x)) && b.every((x) => a.includes(x));
}

/** Parses address texts; the first unparsable one is reported. */
export function parseAll(texts: readonly string[]): bigint[] | { bad: string } {
  const out: bigint[] = [];
  for (const t of texts) {
    const a = parseAddress(t.trim());
    if (a === undefined) return { bad: t };
    out.push(a);
  }
  return out;
}
