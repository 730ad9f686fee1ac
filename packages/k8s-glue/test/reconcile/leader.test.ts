// Leader-election decisions (client-go's tryAcquireOrRenew), and the safety property: a leader
// stops writing before any other candidate may take over, whatever the message timing.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  LeaderElectionMachine,
  microTime,
  type LeaseSpec,
  type ObservedLease,
} from '../../src/reconcile/leader.js';
import { K8sGlueError } from '../../src/errors.js';

const opts = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
const lease = (spec: LeaseSpec, rv = '1'): ObservedLease => ({
  exists: true,
  spec,
  resourceVersion: rv,
});

describe('LeaderElectionMachine', () => {
  it('creates a missing Lease, then renews it keeping acquireTime and transitions', () => {
    const m = new LeaderElectionMachine({ identity: 'a', ...opts });
    const p = m.plan({ exists: false }, 0, Date.UTC(2026, 0, 1));
    expect(p).toEqual({
      kind: 'create',
      spec: {
        holderIdentity: 'a',
        leaseDurationSeconds: 15,
        acquireTime: '2026-01-01T00:00:00.000000Z',
        renewTime: '2026-01-01T00:00:00.000000Z',
        leaseTransitions: 0,
      },
    });
    m.succeeded(p.kind === 'create' ? p.spec : {}, 0, 5);
    expect(m.isLeader).toBe(true);
    const renew = m.plan(
      lease({ ...(p as { spec: LeaseSpec }).spec, leaseTransitions: 3 }, '7'),
      2000,
      Date.UTC(2026, 0, 1, 0, 0, 2),
    );
    expect(renew).toMatchObject({
      kind: 'update',
      resourceVersion: '7',
      spec: {
        acquireTime: '2026-01-01T00:00:00.000000Z',
        renewTime: '2026-01-01T00:00:02.000000Z',
        leaseTransitions: 3,
      },
    });
  });

  it('waits while another holder renews; takes over a full lease duration after the record stopped changing', () => {
    const m = new LeaderElectionMachine({ identity: 'b', ...opts });
    const held = {
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      renewTime: 't0',
      leaseTransitions: 2,
    };
    expect(m.plan(lease(held), 1000, 0)).toMatchObject({
      kind: 'wait',
      holder: 'a',
      validForMs: 15_000,
    });
    // Renewed at 5000 (we see it change): the clock starts again from there.
    const renewed = { ...held, renewTime: 't1' };
    expect(m.plan(lease(renewed), 5000, 0)).toMatchObject({ kind: 'wait', validForMs: 15_000 });
    expect(m.plan(lease(renewed), 19_999, 0)).toMatchObject({ kind: 'wait', validForMs: 1 });
    const take = m.plan(lease(renewed, '9'), 20_000, 0);
    expect(take).toMatchObject({
      kind: 'update',
      resourceVersion: '9',
      spec: { holderIdentity: 'b', leaseTransitions: 3 },
    });
  });

  it('takes a released Lease (empty holder) at once', () => {
    const m = new LeaderElectionMachine({ identity: 'b', ...opts });
    const released = m.releaseSpec(
      { holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 1 },
      0,
    );
    expect(released).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    expect(m.plan(lease(released), 10, 0).kind).toBe('update');
  });

  it('a leader that cannot renew stops writing at the renew deadline', () => {
    const m = new LeaderElectionMachine({ identity: 'a', ...opts });
    m.succeeded({ holderIdentity: 'a' }, 1000, 1010);
    expect(m.canWrite(10_999)).toBe(true);
    m.failed(5000);
    expect(m.canWrite(10_999)).toBe(true);
    expect(m.canWrite(11_000)).toBe(false);
    expect(m.isLeader).toBe(false);
    // Writes started before the deadline must be done before anyone may take over.
    expect(m.writeDeadline(500)).toBe(1000 + 15_000 - 500);
  });

  it('rejects timings that cannot be safe', () => {
    const bad = [
      { leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 },
      { leaseDurationMs: 15_000, renewDeadlineMs: 2000, retryPeriodMs: 2000 },
      { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 500 },
    ];
    for (const b of bad) {
      try {
        new LeaderElectionMachine({ identity: 'x', ...b });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(K8sGlueError);
        expect((e as K8sGlueError).code).toBe('INVALID_OPTION');
      }
    }
  });

  it('microTime has microsecond precision', () => {
    expect(microTime(Date.UTC(2026, 4, 3, 2, 1, 0, 123))).toBe('2026-05-03T02:01:00.123000Z');
  });

  // Safety over random timings: renewals sent at arbitrary times, arriving (and being observed by
  // the follower) after arbitrary delays. The follower may take over only after the leader's last
  // possible write time (canWrite) — never while the leader still writes.
  it('property: the old leader has stopped writing before a follower can take over', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gap: fc.integer({ min: 1, max: 12_000 }),
            delay: fc.integer({ min: 0, max: 5_000 }),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        fc.integer({ min: 0, max: 40_000 }),
        (renewals, extra) => {
          const a = new LeaderElectionMachine({ identity: 'a', ...opts });
          const b = new LeaderElectionMachine({ identity: 'b', ...opts });
          let t = 0;
          let lastCommit = -1;
          const observations: { at: number; spec: LeaseSpec }[] = [];
          for (const [i, r] of renewals.entries()) {
            t += r.gap;
            // a may only renew while still leading (a lost leader campaigns like anyone else).
            if (i > 0 && !a.canWrite(t)) break;
            const spec = {
              holderIdentity: 'a',
              leaseDurationSeconds: 15,
              renewTime: `r${i}`,
              leaseTransitions: 0,
            };
            const commit = t + r.delay;
            lastCommit = Math.max(lastCommit, commit);
            a.succeeded(spec, t, commit);
            observations.push({ at: commit, spec });
          }
          // b polls every 2 s and reads the latest committed record (reads are consistent).
          let takeover = Infinity;
          for (let now = 0; now < t + 60_000 + extra; now += 2000) {
            const seen = observations.filter((o) => o.at <= now).at(-1);
            if (!seen) continue;
            const p = b.plan(lease(seen.spec), now, 0);
            if (p.kind === 'update') {
              takeover = now;
              break;
            }
          }
          // The last moment a could still start a write is before its renew deadline, and any
          // write must end by writeDeadline: both are before b's takeover.
          expect(a.leadershipEndsAt()).toBeLessThanOrEqual(takeover);
          expect(a.writeDeadline(0)).toBeLessThanOrEqual(takeover);
          void lastCommit;
        },
      ),
      { numRuns: 300 },
    );
  });
});
