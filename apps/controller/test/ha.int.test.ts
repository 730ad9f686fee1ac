// High availability and restart safety, with the real controller processes: SIGKILL in the middle
// of a stream of creates and a restart change no address; a killed leader is replaced within the
// lease time and nothing is re-allocated; a leader cut off from the API server while it keeps
// running stops writing before its Lease can expire, and creates across the takeover never get an
// address twice. Timings: lease 2 s, renew deadline 1.5 s, retry period 300 ms (harness flags).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeconfigFor } from '@ironlb/test-apiserver';
import {
  ControllerProcess,
  ServiceWatch,
  createPool,
  createService,
  eventually,
  killAll,
  sleep,
  startCluster,
  type Cluster,
} from './harness.js';
import { PartitionProxy } from './proxy.js';

const LEASE_MS = 2000;
let cluster: Cluster | undefined;
let watch: ServiceWatch | undefined;
let proxy: PartitionProxy | undefined;

afterEach(async () => {
  watch?.stop();
  await killAll();
  await proxy?.stop();
  await cluster?.close();
  cluster = undefined;
  watch = undefined;
  proxy = undefined;
});

/** Creates services name-0 .. name-(n-1) with `parallel` requests in flight; calls `tick(i)` after each. */
async function createMany(
  c: Cluster,
  prefix: string,
  n: number,
  parallel = 8,
  tick?: (done: number) => Promise<void> | void,
) {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        await createService(c, { name: `${prefix}-${i}` });
        done++;
        await tick?.(done);
      }
    }),
  );
}

const assignedCount = (w: ServiceWatch, prefix: string) =>
  [...w.current.keys()].filter((k) => k.startsWith(`default/${prefix}-`) && w.ips(k).length > 0)
    .length;

async function setup(): Promise<{ c: Cluster; w: ServiceWatch }> {
  const c = await startCluster();
  cluster = c;
  // 1024 addresses of the benchmarking range (API objects only: nothing is announced).
  await createPool(c, 'big', ['198.19.0.0/22']);
  const w = new ServiceWatch(c);
  watch = w;
  await w.start();
  return { c, w };
}

describe('restart safety', () => {
  it('SIGKILL during 1,000 creates, then a restart: no address changes, no duplicates', async () => {
    const { c, w } = await setup();
    const first = ControllerProcess.start(c, 'first');
    await first.waitFor((l) => l.msg === 'became leader');
    let second: ControllerProcess | undefined;
    let killedAt = 0;
    await createMany(c, 'svc', 1000, 8, async (done) => {
      if (done === 300 && !second) {
        // Kill while writes are in flight: wait until the controller is busy assigning.
        await eventually(
          () => assignedCount(w, 'svc') >= 100,
          20_000,
          '100 assigned before the kill',
        );
        await first.kill('SIGKILL');
        killedAt = assignedCount(w, 'svc');
        second = ControllerProcess.start(c, 'second');
      }
    });
    await eventually(() => assignedCount(w, 'svc') === 1000, 60_000, 'all 1000 assigned');
    expect(killedAt).toBeGreaterThanOrEqual(100);
    expect(killedAt).toBeLessThan(1000);
    expect(w.changed()).toEqual([]);
    expect(w.duplicates()).toEqual([]);
    // The second controller restored what the first had written before assigning anything new.
    const restored = second!.find((l) => l.msg === 'restored held addresses');
    expect(Number(restored?.restored)).toBeGreaterThanOrEqual(killedAt);
  }, 120_000);
});

describe('leader election', () => {
  it('the leader is SIGKILLed: the standby takes over within the lease time and re-allocates nothing', async () => {
    const { c, w } = await setup();
    const a = ControllerProcess.start(c, 'a');
    await a.waitFor((l) => l.msg === 'became leader');
    const b = ControllerProcess.start(c, 'b');
    await b.started();
    await createMany(c, 'one', 150);
    await eventually(() => assignedCount(w, 'one') === 150, 30_000, 'first 150 assigned');
    const before = new Map([...w.current.keys()].map((k) => [k, w.ips(k).join()]));
    // The standby wrote nothing while it was not leading.
    expect(b.find((l) => l.msg === 'updated service object')).toBeUndefined();
    const killed = Date.now();
    await a.kill('SIGKILL');
    const creating = createMany(c, 'two', 100);
    const took = await b.waitFor((l) => l.msg === 'became leader', 20_000);
    const takeoverMs = Date.parse(took.ts) - killed;
    // Lease duration, plus one retry period with jitter, plus scheduling slack on a busy machine.
    expect(takeoverMs).toBeLessThan(LEASE_MS + 2000);
    await creating;
    await eventually(() => assignedCount(w, 'two') === 100, 30_000, 'next 100 assigned');
    for (const [k, ips] of before) expect(w.ips(k).join(), k).toBe(ips);
    expect(w.changed()).toEqual([]);
    expect(w.duplicates()).toEqual([]);
  }, 120_000);

  it('a leader cut off from the API server stops writing before its Lease can expire; creates across the takeover never share an address', async () => {
    const { c, w } = await setup();
    proxy = new PartitionProxy(new URL(c.server.url));
    await proxy.start();
    const viaProxy = join(c.dir, 'kubeconfig-a');
    writeFileSync(viaProxy, kubeconfigFor(proxy.url, undefined));
    const a = ControllerProcess.start(c, 'a', [], viaProxy);
    await a.waitFor((l) => l.msg === 'became leader');
    const b = ControllerProcess.start(c, 'b');
    await b.started();

    // A stream of creates across the partition and the takeover.
    const stream = createMany(c, 'x', 300, 2, () => sleep(15));
    await eventually(() => assignedCount(w, 'x') >= 60, 30_000, '60 assigned by the leader');
    const partitionedAt = Date.now();
    proxy.partition();
    const lost = await a.waitFor((l) => l.msg.startsWith('leadership lost'), 20_000);
    const took = await b.waitFor((l) => l.msg === 'became leader', 20_000);
    const lostAt = Date.parse(lost.ts);
    const tookAt = Date.parse(took.ts);
    // A stopped by its renew deadline after the partition, and before B could take over.
    expect(lostAt - partitionedAt).toBeLessThan(1500 + 1000);
    expect(lostAt).toBeLessThan(tookAt);
    // Let the old leader's held traffic through after the takeover: nothing it wrote as leader
    // may arrive now (it reset those requests at its deadline).
    await sleep(500);
    proxy.heal();
    await stream;
    await eventually(() => assignedCount(w, 'x') === 300, 60_000, 'all 300 assigned');
    await sleep(1000);
    const late = proxy.forwarded.filter(
      (f) => f.at >= tookAt && f.method !== 'GET' && !f.path.includes('/leases/'),
    );
    expect(late).toEqual([]);
    expect(w.changed()).toEqual([]);
    expect(w.duplicates()).toEqual([]);
    // A is a standby now: it rejoined (reads flow again) and does not write.
    expect(a.proc.exitCode).toBeNull();
  }, 120_000);
});
