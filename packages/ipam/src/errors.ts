// One error class for the package (DESIGN.md §3). Allocation outcomes are never thrown: they are
// typed results (see failures.ts). Errors are for programming mistakes and invalid pool configuration.

/** Error codes of @ironlb/ipam. Append-only. */
export const IpamErrorCode = {
  /** The pool set is invalid; `issues` lists every problem found, not just the first. */
  InvalidPools: 'IPAM_INVALID_POOLS',
  /** A request object is malformed (empty service key, bad family list, bad port). */
  InvalidRequest: 'IPAM_INVALID_REQUEST',
  /** createAllocator() got a dependency or option it does not know, or one of the wrong type. */
  InvalidOptions: 'IPAM_INVALID_OPTIONS',
  /** Internal bookkeeping disagrees with itself; a bug, reported instead of corrupting state. */
  Internal: 'IPAM_INTERNAL',
} as const;
export type IpamErrorCode = (typeof IpamErrorCode)[keyof typeof IpamErrorCode];

/** One configuration problem: where it is and MetalLB's wording of what is wrong. */
export interface ConfigIssue {
  /** Location in the input, e.g. `pools[2].addresses[0]`. */
  path: string;
  message: string;
}

export class IpamError extends Error {
  readonly code: IpamErrorCode;
  /** Every configuration problem (only for `IPAM_INVALID_POOLS`). */
  readonly issues: readonly ConfigIssue[];

  constructor(code: IpamErrorCode, message: string, issues: readonly ConfigIssue[] = []) {
    super(message);
    this.name = 'IpamError';
    this.code = code;
    this.issues = issues;
  }
}
