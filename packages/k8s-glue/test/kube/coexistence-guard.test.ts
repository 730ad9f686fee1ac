// The coexistence guard wired into both processes (issue 19), on the in-memory API server with a
// manual clock: MetalLB's controller pod makes the controller refuse before any informer or Lease
// (a MetalLBRunning event on its own Pod, MetalLB's log shape, MetalLBRunningError), the speaker
// refuse before memberlist binds; --allow-metallb starts with a warning; only terminating MetalLB
// pods make it wait and start once they are gone, for a bounded time.
import { describe, expect, it } from 'vitest';
import { noMetrics } from '@ironlb/clock';
import { ManualClock, ManualWallClock, MemoryLogger } from '@ironlb/clock/testing';
import { parseControllerFlags } from '../../src/controller/flags.js';
import { K8sGlueError } from '../../src/errors.js';
import { METALLB_RUNNING_REASON } from '../../src/install/coexistence.js';
import { MetalLBRunningError, guardCoexistence } from '../../src/kube/coexistence-guard.js';
import { startControllerApp } from '../../src/kube/controller-app.js';
import type { KubeRequest, KubeRest, WatchHandle } from '../../src/kube/rest.js';
import { startSpeakerApp } from '../../src/kube/speaker-app.js';
import type { BgpPort, Layer2Port, MembershipPort } from '../../src/kube/speaker-ports.js';
import { parseSpeakerFlags } from '../../src/speaker/flags.js';
import { FakeApi } from './fake-api.js';
import { flush } from './fake-rest.js';

const NS = 'metallb-system';
const PODS = `/api/v1/namespaces/${NS}/pods`;
const OWN = 'ironlb-controller-6b7c8d9f5-abcde';

const metallbController = (terminating = false) => ({
  metadata: {
    name: 'controller-5c6b6c7b9-x2x9k',
    namespace: NS,
    labels: { app: 'metallb', component: 'controller' },
    ownerReferences: [{ kind: 'ReplicaSet', name: 'controller-5c6b6c7b9', controller: true }],
    ...(terminating ? { deletionTimestamp: '2026-12-02T07:00:00Z' } : {}),
  },
  spec: { containers: [{ name: 'controller', image: 'quay.io/metallb/controller:v0.14.8' }] },
  status: { phase: 'Running' },
});

const ownPod = {
  metadata: {
    name: OWN,
    namespace: NS,
    labels: { 'app.kubernetes.io/name': 'ironlb', 'app.kubernetes.io/component': 'controller' },
    ownerReferences: [
      { kind: 'ReplicaSet', name: 'ironlb-controller-6b7c8d9f5', controller: true },
    ],
  },
  spec: { containers: [{ name: 'controller', image: 'ghcr.io/ironlb/controller:0.1.0' }] },
  status: { phase: 'Running' },
};

/** The fake API plus a record of every request and watch, to prove what was (not) started. */
function recorded(api: FakeApi): KubeRest & { calls: string[]; watches: string[] } {
  const calls: string[] = [];
  const watches: string[] = [];
  return {
    calls,
    watches,
    request<T>(req: KubeRequest): Promise<T> {
      calls.push(`${req.method} ${req.path}`);
      return api.request<T>(req);
    },
    watch(path, query, onEvent, onEnd): WatchHandle {
      watches.push(path);
      return api.watch(path, query, onEvent, onEnd);
    },
    close() {},
  };
}

function setup(...pods: object[]) {
  const api = new FakeApi();
  api.store.set(PODS, new Map());
  for (const p of pods) api.put(PODS, p as never);
  const rest = recorded(api);
  const clock = new ManualClock(1_000);
  const wallClock = new ManualWallClock(Date.UTC(2026, 11, 2, 8, 0, 0));
  const logger = new MemoryLogger();
  return { api, rest, clock, wallClock, logger };
}

const controllerFlags = (...extra: string[]) =>
  parseControllerFlags([
    `--namespace=${NS}`,
    `--pod-name=${OWN}`,
    '--deployment=ironlb-controller',
    '--webhook-mode=disabled',
    '--port=0',
    '--health-probe-port=0',
    '--leader-elect=false',
    ...extra,
  ]).flags;

function controllerDeps(s: ReturnType<typeof setup>) {
  return {
    clock: s.clock,
    wallClock: s.wallClock,
    logger: s.logger,
    metrics: noMetrics,
    renderMetrics: async () => '',
    metricsContentType: 'text/plain',
    randomBytes: (n: number) => new Uint8Array(n),
    rest: s.rest,
  };
}

describe('the coexistence guard in the controller', () => {
  it("refuses beside MetalLB's controller: error line, MetalLBRunning event on its own Pod, nothing started", async () => {
    const s = setup(metallbController(), ownPod);
    const err = await startControllerApp(controllerFlags(), controllerDeps(s)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MetalLBRunningError);
    expect(err).toBeInstanceOf(K8sGlueError);
    expect((err as MetalLBRunningError).code).toBe('METALLB_RUNNING');
    expect((err as Error).message).toContain(
      'controller-5c6b6c7b9-x2x9k (quay.io/metallb/controller:v0.14.8)',
    );
    expect((err as MetalLBRunningError).metallbPods).toEqual(['controller-5c6b6c7b9-x2x9k']);

    const line = s.logger.entries.find((e) => e.fields.op === 'coexistence');
    expect(line?.level).toBe('error');
    expect(line?.fields).toMatchObject({
      namespace: NS,
      metallbPods: ['controller-5c6b6c7b9-x2x9k'],
    });
    expect(line?.msg).toContain('--allow-metallb');

    expect(s.api.events).toHaveLength(1);
    const ev = s.api.events[0] as unknown as { involvedObject: object; message: string };
    expect(ev).toMatchObject({
      type: 'Warning',
      reason: METALLB_RUNNING_REASON,
      source: { component: 'metallb-controller' },
      reportingInstance: OWN,
      involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: NS, name: OWN },
    });
    // The Pod's uid, from the same list, so `kubectl describe pod` shows the event.
    const own = s.api.list(PODS).find((p) => p.metadata.name === OWN);
    expect(ev.involvedObject).toMatchObject({ uid: own?.metadata.uid });
    expect(ev.message).toBe((err as Error).message);

    // One list of Pods and the event: no informer, no Lease, no other write.
    expect(s.rest.calls).toEqual([`GET ${PODS}`, `POST /api/v1/namespaces/${NS}/events`]);
    expect(s.rest.watches).toEqual([]);
  });

  it('--allow-metallb: warns, records the event, and starts', async () => {
    const s = setup(metallbController(), ownPod);
    for (const p of [
      '/api/v1/services',
      '/api/v1/namespaces',
      `/api/v1/namespaces/${NS}/configmaps`,
      `/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools`,
      `/apis/metallb.io/v1beta1/namespaces/${NS}/communities`,
      `/apis/metallb.io/v1beta1/namespaces/${NS}/configurationstates`,
    ])
      s.api.store.set(p, new Map());
    const app = await startControllerApp(controllerFlags('--allow-metallb'), controllerDeps(s));
    try {
      expect(app.controller.ready).toBe(true);
      const line = s.logger.entries.find((e) => e.fields.op === 'coexistence');
      expect(line?.level).toBe('warn');
      expect(line?.msg).toContain('starting anyway because --allow-metallb is set');
      expect(s.api.events.filter((e) => e.reason === METALLB_RUNNING_REASON)).toHaveLength(1);
      expect(s.rest.watches.length).toBeGreaterThan(0);
      expect(s.logger.entries.some((e) => e.msg === 'controller started')).toBe(true);
    } finally {
      await app.stop();
    }
  });

  it('no MetalLB pod: starts without a word about it', async () => {
    const s = setup(ownPod);
    const d = await guardCoexistence(
      { rest: s.rest, clock: s.clock, wallClock: s.wallClock, logger: s.logger },
      { namespace: NS, allowMetalLB: false, podName: OWN, component: 'metallb-controller' },
    );
    expect(d.action).toBe('start');
    expect(s.logger.entries).toEqual([]);
    expect(s.api.writes).toEqual([]);
  });
});

describe('terminating MetalLB pods (a migration in progress)', () => {
  it('waits, lists again every 5 s, and starts once they are gone', async () => {
    const s = setup(metallbController(true), ownPod);
    let done: string | undefined;
    const p = guardCoexistence(
      { rest: s.rest, clock: s.clock, wallClock: s.wallClock, logger: s.logger },
      { namespace: NS, allowMetalLB: false, podName: OWN, component: 'metallb-controller' },
    ).then((d) => (done = d.action));
    await flush();
    expect(done).toBeUndefined();
    expect(s.logger.entries.at(-1)).toMatchObject({ level: 'warn' });
    expect(s.logger.entries.at(-1)?.msg).toContain('MetalLB is stopping');
    expect(s.rest.calls.filter((c) => c === `GET ${PODS}`)).toHaveLength(1);

    s.clock.advance(5_000);
    await flush();
    expect(done).toBeUndefined();
    expect(s.rest.calls.filter((c) => c === `GET ${PODS}`)).toHaveLength(2);

    s.api.remove(PODS, 'controller-5c6b6c7b9-x2x9k');
    s.clock.advance(5_000);
    await p;
    expect(done).toBe('start');
    // Waiting records no event: nothing is wrong yet.
    expect(s.api.events).toEqual([]);
  });

  it('gives up after maxWaitMs (default 2 minutes) with MetalLBRunningError', async () => {
    const s = setup(metallbController(true), ownPod);
    let err: unknown;
    const p = guardCoexistence(
      { rest: s.rest, clock: s.clock, wallClock: s.wallClock, logger: s.logger },
      { namespace: NS, allowMetalLB: false, podName: OWN, component: 'metallb-controller' },
    ).catch((e: unknown) => (err = e));
    for (let i = 0; i < 30 && err === undefined; i++) {
      await flush();
      s.clock.advance(5_000);
    }
    await p;
    expect(err).toBeInstanceOf(MetalLBRunningError);
    expect((err as Error).message).toContain('still terminating after 120 s');
    expect((err as Error).message).toContain('controller-5c6b6c7b9-x2x9k');
    // 2 minutes at one list per 5 s: 25 lists, then the error.
    expect(s.rest.calls.filter((c) => c === `GET ${PODS}`)).toHaveLength(25);
  });

  it('a failing Pod list fails the start (closed, not blind)', async () => {
    const s = setup();
    s.api.store.delete(PODS);
    await expect(
      guardCoexistence(
        { rest: s.rest, clock: s.clock, wallClock: s.wallClock, logger: s.logger },
        { namespace: NS, allowMetalLB: true, component: 'metallb-controller' },
      ),
    ).rejects.toMatchObject({ code: 'KUBE_CLIENT_ERROR', status: 404 });
  });
});

describe('the coexistence guard in the speaker', () => {
  let layer2Closed = false;
  const layer2: Layer2Port = {
    apply: () => new Map(),
    handOver: async () => [],
    setExcludedInterfaces: () => {},
    close: async () => {
      layer2Closed = true;
    },
  };
  const bgp: BgpPort = { apply: async () => [], sessions: () => [], stop: async () => {} };

  it('refuses before memberlist binds, with the event on its own Pod', async () => {
    const s = setup(metallbController());
    let membershipStarted = false;
    const flags = parseSpeakerFlags([
      '--node-name=n1',
      `--namespace=${NS}`,
      '--pod-name=ironlb-speaker-7hj3k',
      '--ml-bindaddr=198.18.0.11',
      '--ml-labels=app.kubernetes.io/name=ironlb,app.kubernetes.io/component=speaker',
      '--port=0',
      '--health-probe-port=0',
    ]).flags;
    const err = await startSpeakerApp(flags, {
      clock: s.clock,
      wallClock: s.wallClock,
      logger: s.logger,
      metrics: noMetrics,
      renderMetrics: async () => '',
      metricsContentType: 'text/plain',
      rest: s.rest,
      layer2,
      bgp,
      startMembership: async (): Promise<MembershipPort> => {
        membershipStarted = true;
        throw new Error('not reached');
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetalLBRunningError);
    expect(membershipStarted).toBe(false);
    expect(layer2Closed).toBe(true);
    expect(s.api.events).toHaveLength(1);
    expect(s.api.events[0]).toMatchObject({
      reason: METALLB_RUNNING_REASON,
      source: { component: 'metallb-speaker' },
      involvedObject: { kind: 'Pod', name: 'ironlb-speaker-7hj3k' },
    });
    expect(s.rest.watches).toEqual([]);
  });
});
