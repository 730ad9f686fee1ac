// MetalLB allocator_test.go table runners, shared by the metallb-*.test.ts files.
import { expect } from 'vitest';
import { describeFailure } from '../index.js';
import type { Allocator, AllocationRequest, FailureReason } from '../index.js';
import { ports, req } from './helpers.js';
import type { Fam } from './helpers.js';

export interface AssignRow {
  desc: string;
  svc: string;
  ips: string[]; // [] = release
  ports?: string[];
  share?: string;
  backend?: string;
  matching?: string[];
  fail?: FailureReason;
}

export function runAssignTable(a: Allocator, rows: AssignRow[]) {
  for (const row of rows) {
    if (row.ips.length === 0) {
      a.release(row.svc);
      expect(a.allocationOf(row.svc), row.desc).toBeUndefined();
      continue;
    }
    const before = a.allocationOf(row.svc);
    const fam: Fam = row.ips.length === 2 ? 'dual' : row.ips[0]!.includes(':') ? 'v6' : 'v4';
    const r = a.assign(
      req(row.svc, fam, {
        ports: ports(...(row.ports ?? [])),
        sharingKey: row.share ?? '',
        backendKey: row.backend ?? '',
        matchingPools: row.matching ?? [],
      }),
      row.ips,
    );
    if (row.fail) {
      expect(r.ok, row.desc).toBe(false);
      if (!r.ok) expect(r.failure.reason, row.desc).toBe(row.fail);
      // A failed Assign records nothing.
      expect(a.allocationOf(row.svc), row.desc).toEqual(before);
    } else {
      expect(r, row.desc).toMatchObject({ ok: true });
      expect(a.allocationOf(row.svc)?.addresses, row.desc).toEqual(row.ips);
    }
  }
}

export interface AllocRow {
  desc: string;
  svc: string;
  fam?: Fam;
  policy?: AllocationRequest['ipFamilyPolicy'];
  pool?: string;
  ports?: string[];
  share?: string;
  release?: true;
  want?: string[];
  fail?: FailureReason;
}

export function runAllocTable(a: Allocator, rows: AllocRow[], defaultPool?: string) {
  for (const row of rows) {
    if (row.release) {
      a.release(row.svc);
      continue;
    }
    const pool = row.pool ?? defaultPool;
    const r = a.allocate(
      req(row.svc, row.fam ?? 'v4', {
        ...(row.policy ? { ipFamilyPolicy: row.policy } : {}),
        ...(pool ? { requestedPool: pool } : {}),
        ports: ports(...(row.ports ?? [])),
        sharingKey: row.share ?? '',
      }),
    );
    if (row.fail) {
      expect(r.ok, row.desc).toBe(false);
      if (!r.ok)
        expect(r.failure.reason, `${row.desc}: ${describeFailure(r.failure)}`).toBe(row.fail);
    } else {
      expect(r.ok ? r.addresses : describeFailure(r.failure), row.desc).toEqual(row.want);
    }
  }
}

/** The fill / exhaust / release / share sequence MetalLB repeats for each family. */
export function fillRows(fam: Fam, addrs: string[][], none: FailureReason): AllocRow[] {
  const [a1, a2, a3, a4] = addrs;
  const policy = fam === 'dual' ? ('RequireDualStack' as const) : undefined;
  const base = { fam, ...(policy ? { policy } : {}) };
  return [
    { desc: 's1 gets', svc: 's1', ...base, want: a1 },
    { desc: 's2 gets', svc: 's2', ...base, want: a2 },
    { desc: 's3 gets', svc: 's3', ...base, want: a3 },
    { desc: 's4 gets', svc: 's4', ...base, want: a4 },
    { desc: "s5 can't get", svc: 's5', ...base, fail: none },
    { desc: "s6 can't get", svc: 's6', ...base, fail: none },
    { desc: 's1 releases', svc: 's1', release: true },
    { desc: "s5 grabs s1's former", svc: 's5', ...base, want: a1 },
    { desc: "s6 still can't get", svc: 's6', ...base, fail: none },
    { desc: 's5 unassigns', svc: 's5', release: true },
    { desc: 's5 enables sharing', svc: 's5', ...base, ports: ['tcp/80'], share: 'share', want: a1 },
    {
      desc: 's6 gets it with sharing',
      svc: 's6',
      ...base,
      ports: ['tcp/443'],
      share: 'share',
      want: a1,
    },
    ...['s1', 's2', 's3', 's4', 's5', 's6'].map((svc) => ({
      desc: `${svc} clears`,
      svc,
      release: true as const,
    })),
  ];
}
