// The coexistence guard end to end (issue 19): the real controller process (the built bundle)
// against the test API server, with MetalLB's controller Pod created through the API as
// metallb-native.yaml would leave it. Without --allow-metallb the process exits 1 with a log line
// naming the Pod, and the MetalLBRunning Warning event is on the controller's own Pod; with it,
// the controller warns and becomes ready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ControllerProcess,
  NS,
  eventsFor,
  eventually,
  killAll,
  startCluster,
  type Cluster,
} from './harness.js';

let c: Cluster;
const METALLB_POD = 'controller-5c6b6c7b9-x2x9k';

beforeAll(async () => {
  c = await startCluster();
  await c.core.createNamespacedPod({
    namespace: NS,
    body: {
      metadata: {
        name: METALLB_POD,
        labels: { app: 'metallb', component: 'controller' },
      },
      spec: {
        containers: [{ name: 'controller', image: 'quay.io/metallb/controller:v0.14.8' }],
      },
    },
  });
  for (const name of ['ironlb-controller-6b7c8d9f5-refus', 'ironlb-controller-6b7c8d9f5-allow']) {
    await c.core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name, labels: { 'app.kubernetes.io/name': 'ironlb' } },
        spec: { containers: [{ name: 'controller', image: 'ghcr.io/ironlb/controller:0.1.0' }] },
      },
    });
  }
}, 60_000);

afterAll(async () => {
  await killAll();
  await c?.close();
});

describe('the controller beside MetalLB', () => {
  it('refuses: exits 1, the error line names the Pod, the event is on its own Pod', async () => {
    const own = 'ironlb-controller-6b7c8d9f5-refus';
    const ctl = ControllerProcess.start(c, own);
    const code = await Promise.race([
      ctl.exited,
      new Promise<string>((r) => setTimeout(() => r('still running after 30 s'), 30_000)),
    ]);
    expect(code).toBe(1);
    const line = ctl.find((l) => l.op === 'coexistence');
    expect(line?.level).toBe('error');
    expect(line?.msg).toContain(`MetalLB is running in namespace ${NS}: ${METALLB_POD}`);
    expect(line?.msg).toContain('quay.io/metallb/controller:v0.14.8');
    expect(line?.metallbPods).toEqual([METALLB_POD]);
    expect(ctl.find((l) => l.msg === 'failed to start')?.code).toBe('METALLB_RUNNING');
    // Nothing was started: no caches, no Lease.
    expect(ctl.find((l) => l.msg === 'caches synced')).toBeUndefined();
    const events = await eventsFor(c, NS, own);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(/^Warning MetalLBRunning: MetalLB is running in namespace/);
    expect(events[0]).toContain(METALLB_POD);
    expect(events[0]).toContain('--allow-metallb');
  }, 40_000);

  it('--allow-metallb: warns, records the event and becomes ready', async () => {
    const own = 'ironlb-controller-6b7c8d9f5-allow';
    const ctl = ControllerProcess.start(c, own, ['--allow-metallb']);
    const { healthPort } = await ctl.started();
    const line = ctl.find((l) => l.op === 'coexistence');
    expect(line?.level).toBe('warn');
    expect(line?.msg).toContain('starting anyway because --allow-metallb is set');
    await eventually(
      async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200,
      20_000,
      'ready',
    );
    const events = await eventsFor(c, NS, own);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(/^Warning MetalLBRunning: .*starting anyway/);
    expect(ctl.proc.exitCode).toBeNull();
    await ctl.kill('SIGTERM');
  }, 60_000);
});
