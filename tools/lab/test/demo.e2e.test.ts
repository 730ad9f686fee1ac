// `npm run demo` as an end-to-end test (issue 18: the demo runs in CI through the README's test
// command): the same journey — IronLB installed from deploy/, the seeds' pool and nginx, a
// dual-stack BGP Service spread by ECMP, a crash failover and a drain measured at a client, the
// converted ConfigMap — and every step of its summary must be ok.
import { describe, expect, it } from 'vitest';
import { netnsSkipReason } from '@ironlb/netns-kit';
import { runDemo } from '../src/demo.ts';
import { downLab } from '../src/lab.ts';
import { CONDITIONAL_GRANTS, rbacReport } from './rbac.ts';

const skip = netnsSkipReason(['nft', 'curl', 'nsenter', 'unshare', 'setpriv', '/usr/lib/frr/bgpd']);

describe.skipIf(skip)(`npm run demo${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
  it('every step of the demo succeeds; every API call IronLB made was allowed, and the grants the seeds leave unused (BGP) are used here', async () => {
    const lines: string[] = [];
    const name = `d${process.pid}`.slice(0, 10);
    try {
      // Kept up for the audit below, removed in finally.
      const rows = await runDemo({ name, keep: true, say: (l) => lines.push(l) });
      // On failure the whole transcript is in the message: what the demo printed, step by step.
      const transcript = lines.join('\n');
      expect(
        rows.map((r) => ({ step: r.step, ok: r.ok })),
        transcript,
      ).toEqual(rows.map((r) => ({ step: r.step, ok: true })));
      expect(rows.map((r) => r.step)).toEqual([
        'lab up, IronLB installed',
        expect.stringMatching(/^EXTERNAL-IP /),
        'BGP: dual-stack Service, ECMP from client-wan',
        expect.stringMatching(/^L2 crash failover/),
        expect.stringMatching(/^planned handover/),
        'pre-0.13 ConfigMap converted and applied',
      ]);
      // Issue 19's RBAC proof over the demo's journey (crash, drain, BGP), from the audit log.
      for (const sa of ['ironlb-controller', 'ironlb-speaker'] as const) {
        const r = await rbacReport(name, sa);
        expect({ sa, refused: r.refused, notAllowedByRoles: r.notAllowedByRoles }).toEqual({
          sa,
          refused: [],
          notAllowedByRoles: [],
        });
        expect({
          sa,
          unjustifiedUnused: r.unusedGrants.filter((g) => !(g in CONDITIONAL_GRANTS[sa])),
        }).toEqual({ sa, unjustifiedUnused: [] });
        if (sa === 'ironlb-speaker')
          expect(r.unusedGrants).not.toContain(
            'Role/metallb-system/ironlb-speaker: create metallb.io/servicebgpstatuses',
          );
      }
    } finally {
      await downLab(name);
    }
  }, 600_000);
});
