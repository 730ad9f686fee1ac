// The lab's Layer 2 figures, measured at a client (issue 18):
//   - crash failover: the lab's request loop from `client` (a new TCP connection every 20 ms,
//     250 ms deadline) to a Layer 2 Service, the announcing node crashed with the lab's `crash`
//     (SIGKILL to its speaker and pods, cable pulled); the outage is from the crash to the first
//     success after the last failure. Beside it, memberlist's detection alone: the new owner's
//     speaker logging the member `dead` (its pod log, as `kubectl logs` shows it).
//   - planned handover: the same loop while the announcing node is drained (the lab's `drain`:
//     app pods evicted, SIGTERM to the speaker, cable pulled once it exited); failed requests,
//     told apart by when they were sent: during the pods' eviction (kube-proxy's and the pods'
//     part: the kubelet pauses before SIGTERM and the pod server finishes what is in flight) or
//     from the speaker's SIGTERM on (IronLB's handover).
import { control, kubectl, type LabInfo } from '../src/lab.ts';
import { failoverMs, l2Announcer, startProber, waitFor } from '../src/demo.ts';

export interface Crash {
  from: string;
  to: string;
  failoverMs: number | undefined;
  detectionMs: number | undefined;
  failed: number;
}

export interface Handover {
  node: string;
  /** Requests sent from the drain's start on. */
  requests: number;
  /** Failed requests sent once the speaker got SIGTERM: the handover itself. */
  failed: number;
  /** Failed requests sent before, while the node's app pods were evicted (kube-proxy's part). */
  failedEviction: number;
  slowestMs: number;
  stopMs: number;
  failures: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LogLine {
  ts?: string;
  op?: string;
  event?: string;
  node?: string;
}

/** The speaker pod on each node. */
function speakerPods(lab: LabInfo): Map<string, string> {
  const r = kubectl(lab, [
    'get',
    'po',
    '-n',
    'metallb-system',
    '-l',
    'app.kubernetes.io/component=speaker',
    '-o',
    'json',
  ]);
  const o = JSON.parse(r.stdout || '{"items":[]}') as {
    items: { metadata: { name: string }; spec: { nodeName?: string } }[];
  };
  return new Map(o.items.map((p) => [p.spec.nodeName ?? '', p.metadata.name]));
}

async function speakerLog(lab: LabInfo, pod: string): Promise<LogLine[]> {
  const lines =
    (await control<string[] | null>(lab.name, 'logs', {
      namespace: 'metallb-system',
      pod,
    })) ?? [];
  const out: LogLine[] = [];
  for (const l of lines) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l) as LogLine);
    } catch {
      // a partial line
    }
  }
  return out;
}

/** Whether every speaker's memberlist sees every other node alive (its latest event for it). */
async function membersConverged(lab: LabInfo): Promise<boolean> {
  const pods = speakerPods(lab);
  if (pods.size !== lab.plan.nodes.length) return false;
  for (const [node, pod] of pods) {
    const last = new Map<string, string>();
    for (const l of await speakerLog(lab, pod))
      if (l.op === 'memberlist' && l.node && l.event) last.set(l.node, l.event);
    for (const other of lab.plan.nodes) {
      if (other.name === node) continue;
      const e = last.get(other.name);
      if (e !== 'join' && e !== 'alive' && e !== 'update') return false;
    }
  }
  return true;
}

/**
 * Waits until the lab is steady — every speaker ready, memberlist converged, the address answering
 * — then a little longer (the owner may move back to a restored node), and returns the announcer.
 */
export async function settle(lab: LabInfo, ip: string): Promise<string> {
  await waitFor(
    'three ready speakers',
    () =>
      kubectl(lab, [
        'get',
        'ds',
        'ironlb-speaker',
        '-n',
        'metallb-system',
        '-o',
        'jsonpath={.status.numberReady}/{.status.updatedNumberScheduled}',
      ]).stdout.trim(),
    (s) => s === `${lab.plan.nodes.length}/${lab.plan.nodes.length}`,
    90_000,
  );
  const deadline = Date.now() + 60_000;
  while (!(await membersConverged(lab))) {
    if (Date.now() > deadline) throw new Error('memberlist did not converge in 60 s');
    await sleep(500);
  }
  await sleep(3000);
  const probe = startProber(lab, 'client', `http://${ip}:8080/`, 1000, 50, { timeoutMs: 1000 });
  const recs = await probe.done();
  if (!recs.some((r) => r.ok)) throw new Error(`${ip}:8080 does not answer from client`);
  return waitFor(
    'a ServiceL2Status',
    () => l2Announcer(lab),
    (s) => s !== '',
    20_000,
  );
}

/** One crash of the announcing node, measured at the client; the node is restored afterwards. */
export async function crashOnce(lab: LabInfo, ip: string, watchMs: number): Promise<Crash> {
  const from = await settle(lab, ip);
  const probe = startProber(lab, 'client', `http://${ip}:8080/`, watchMs + 10_000, 20);
  await sleep(1500);
  const crashWall = Date.now();
  const crashAt = crashWall - probe.startedAt;
  await control(lab.name, 'crash', { node: from });
  await sleep(watchMs);
  const recs = await probe.stop();
  const fo = failoverMs(recs, crashAt);
  const to = await waitFor(
    'a new announcer',
    () => l2Announcer(lab),
    (s) => s !== '' && s !== from,
    30_000,
  ).catch(() => '');
  let detectionMs: number | undefined;
  const pod = speakerPods(lab).get(to);
  if (pod) {
    const dead = (await speakerLog(lab, pod)).find(
      (l) =>
        l.op === 'memberlist' &&
        l.event === 'dead' &&
        l.node === from &&
        Date.parse(String(l.ts)) >= crashWall - 50,
    );
    if (dead) detectionMs = Date.parse(String(dead.ts)) - crashWall;
  }
  await control(lab.name, 'restore', { node: from });
  return {
    from,
    to,
    failoverMs: fo,
    detectionMs,
    failed: recs.filter((r) => r.t >= crashAt && !r.ok).length,
  };
}

/** One drain of the announcing node during the request loop; the node is restored afterwards. */
export async function drainOnce(lab: LabInfo, ip: string): Promise<Handover> {
  const node = await settle(lab, ip);
  // A 1 s deadline: a request the handover only delays is not a failed one.
  const probe = startProber(lab, 'client', `http://${ip}:8080/`, 40_000, 20, {
    timeoutMs: 1000,
  });
  await sleep(1500);
  const drainAt = Date.now() - probe.startedAt;
  const d = await control<{ stopMs: number; stoppingAt: number }>(lab.name, 'drain', { node });
  const sigtermAt = d.stoppingAt - probe.startedAt;
  await sleep(2000);
  const recs = (await probe.stop()).filter((r) => r.t >= drainAt);
  const bad = recs.filter((r) => !r.ok);
  await control(lab.name, 'restore', { node });
  return {
    node,
    requests: recs.length,
    failed: bad.filter((r) => r.t >= sigtermAt).length,
    failedEviction: bad.filter((r) => r.t < sigtermAt).length,
    slowestMs: Math.max(0, ...recs.map((r) => r.ms ?? 0)),
    stopMs: d.stopMs,
    failures: bad.map(
      (r) =>
        `sent ${(r.t - drainAt).toFixed(0)} ms after the drain began (speaker SIGTERM at +${(sigtermAt - drainAt).toFixed(0)} ms): ${r.error ?? 'status'}`,
    ),
  };
}

/** Restarts the speakers with `--ml-profile lan` (the DaemonSet's args patched, as a user would). */
export async function useLanProfile(lab: LabInfo): Promise<void> {
  const ds = JSON.parse(
    kubectl(lab, ['get', 'ds', 'ironlb-speaker', '-n', 'metallb-system', '-o', 'json']).stdout,
  ) as { spec: { template: { spec: { containers: { name: string; args?: string[] }[] } } } };
  const i = ds.spec.template.spec.containers.findIndex((c) => c.name === 'speaker');
  const args = [...(ds.spec.template.spec.containers[i]?.args ?? []), '--ml-profile=lan'];
  const old = [...speakerPods(lab).values()];
  const r = kubectl(lab, [
    'patch',
    'ds',
    'ironlb-speaker',
    '-n',
    'metallb-system',
    '--type=json',
    '-p',
    JSON.stringify([
      { op: 'replace', path: `/spec/template/spec/containers/${i}/args`, value: args },
    ]),
  ]);
  if (r.code !== 0) throw new Error(`kubectl patch ds: ${r.stderr}`);
  await waitFor(
    'every speaker replaced',
    () => [...speakerPods(lab).values()],
    (pods) => pods.length === lab.plan.nodes.length && pods.every((p) => !old.includes(p)),
    120_000,
  );
  // Each new speaker says its profile in its first log line.
  const deadline = Date.now() + 60_000;
  for (const pod of speakerPods(lab).values()) {
    for (;;) {
      const started = (await speakerLog(lab, pod)).find(
        (l) => l.op === 'startup' && 'profile' in l,
      ) as { profile?: string } | undefined;
      if (started?.profile === 'lan') break;
      if (started || Date.now() > deadline)
        throw new Error(`${pod} did not start with the lan profile (${started?.profile})`);
      await sleep(250);
    }
  }
}
