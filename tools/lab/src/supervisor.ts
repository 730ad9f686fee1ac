// The lab's control plane, one long-lived process started by `lab up` inside the `apiserver`
// namespace (with nsenter --net, so it keeps the machine's mount namespace and can make more
// network namespaces): the test API server, the router's FRR, and the stand-ins for kubelet, the
// scheduler, the workload and EndpointSlice controllers, node lifecycle and kube-proxy. The CLI
// talks to it over a unix socket in the state folder (`crash`, `restore`, `drain`, `status`).
//   node supervisor.ts --lab NAME --state DIR --scenario JSON
import { createServer, type Socket } from 'node:net';
import { appendFileSync, rmSync, writeFileSync, existsSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PodLogBook, startTestApiServer, kubeconfigFor } from '@ironlb/test-apiserver';
import { nodeBinary, workspaceRoot } from '@ironlb/netns-kit';
import { nsHandle, setNodeLink } from './network.ts';
import { namespaceName, nodeByName, planLab, type Scenario } from './plan.ts';
import { startRouter, type Router } from './router.ts';
import { clusterApi, debounced } from './cluster/api.ts';
import { Workloads } from './cluster/workloads.ts';
import { Kubelet, type ImageRun } from './cluster/kubelet.ts';
import {
  appPorts,
  EndpointController,
  NodeController,
  ProxyController,
} from './cluster/controllers.ts';
import { imageRun } from './images.ts';
import { routerStatus } from './status.ts';

const { values } = parseArgs({
  options: { lab: { type: 'string' }, state: { type: 'string' }, scenario: { type: 'string' } },
});
const lab = values.lab as string;
const stateDir = resolve(values.state as string);
const scenario = JSON.parse(values.scenario as string) as Scenario;
const plan = planLab(scenario);
const logFile = join(stateDir, 'supervisor.log');

function log(line: string): void {
  const text = `${new Date().toISOString()} ${line}\n`;
  appendFileSync(logFile, text);
}

/** Progress lines the CLI shows to the person running `lab up`. */
function progress(line: string): void {
  log(`PROGRESS ${line}`);
}

let shuttingDown = false;
const cleanups: (() => Promise<void>)[] = [];

async function shutdown(code: number): Promise<never> {
  if (shuttingDown) return new Promise(() => {});
  shuttingDown = true;
  log('shutting down');
  for (const c of cleanups.reverse()) await c().catch((e) => log(`cleanup failed: ${String(e)}`));
  log('stopped');
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
process.on('uncaughtException', (e) => {
  log(`FATAL ${e.stack ?? String(e)}`);
  void shutdown(1);
});

try {
  // 1. The API server, on the segment (and dual-stack), with the Service CIDRs of the plan; pods'
  // output reaches `kubectl logs` through the log book the kubelet stand-in feeds.
  const logBook = new PodLogBook();
  const apiserver = await startTestApiServer({
    podLogs: logBook.source,
    listen: `[::]:${plan.apiserver.port}`,
    servingHosts: [
      plan.apiserver.v4,
      plan.apiserver.v6,
      '198.18.0.1',
      '2001:db8:ff::1',
      'kubernetes',
      'kubernetes.default',
    ],
    serviceClusterIPRanges: [...plan.serviceCidrs],
  });
  cleanups.push(() => apiserver.stop());
  const url = `https://${plan.apiserver.v4}:${plan.apiserver.port}`;
  const kubeconfigText = kubeconfigFor(url, apiserver.caPem);
  writeFileSync(join(stateDir, 'kubeconfig'), kubeconfigText, { mode: 0o600 });
  writeFileSync(join(stateDir, 'ca.crt'), apiserver.caPem ?? '');
  progress(`API server ${url} (kubeconfig ${join(stateDir, 'kubeconfig')})`);

  // 2. The router.
  const routerNs = nsHandle(namespaceName(lab, plan.router.label), plan.router.label);
  const router: Router = await startRouter(routerNs, plan, join(stateDir, 'router'));
  cleanups.push(() => router.stop());
  progress(
    `router: FRR AS ${plan.router.as}, dynamic BGP neighbours from ${plan.segmentV4} and ${plan.segmentV6} as AS ${plan.nodeAs}, ECMP`,
  );

  // 3. The stand-ins.
  const api = clusterApi(kubeconfigText, log);
  const kubelet: Kubelet = new Kubelet({
    lab,
    plan,
    stateDir,
    api,
    image: (image): ImageRun => imageRun(image, workspaceRoot),
    caPem: apiserver.caPem ?? '',
    kubernetesService: { host: '198.18.0.1', port: 443 },
    token: async (namespace, sa) => {
      try {
        const r = await api.core.createNamespacedServiceAccountToken({
          name: sa,
          namespace,
          body: {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenRequest',
            spec: { audiences: [], expirationSeconds: 86400 },
          },
        });
        return r.status?.token ?? '';
      } catch (e) {
        log(
          `token for ${namespace}/${sa}: TokenRequest failed (${String((e as Error).message ?? e).slice(0, 120)}); using the admin token`,
        );
        return 'ironlb-test-token';
      }
    },
    appPorts: (pod) => appPorts(pod, api.services.list()),
    log,
    podLog: (ns, pod, container, line) => logBook.append(ns, pod, container, `${line}\n`),
    nodeBinary: nodeBinary(),
    podServerScript: join(workspaceRoot, 'tools', 'lab', 'src', 'pod-server.ts'),
  });
  cleanups.push(() => kubelet.shutdown());
  const nodes = new NodeController(api, plan, (n) => kubelet.down.get(n));
  const workloads = new Workloads(api, log);
  const endpoints = new EndpointController(api, plan, log);
  const proxy = new ProxyController(api, plan, lab, (n) => kubelet.down.has(n), log);
  const onError = (what: string) => (e: unknown) =>
    log(`${what}: ${(e as Error).stack ?? String(e)}`);
  const loops = [
    debounced(() => workloads.reconcile(), 30, onError('workloads')),
    debounced(() => kubelet.reconcile(), 30, onError('kubelet')),
    debounced(() => endpoints.reconcile(), 30, onError('endpoints')),
    debounced(() => proxy.reconcile(), 30, onError('kube-proxy')),
    debounced(() => nodes.reconcile(), 30, onError('nodes')),
  ];
  api.onChange(() => loops.forEach((l) => l.kick()));
  const periodic = setInterval(() => loops.forEach((l) => l.kick()), 2000);
  cleanups.push(async () => {
    clearInterval(periodic);
    loops.forEach((l) => l.stop());
    await api.stop();
  });
  await api.start();
  await nodes.register();
  loops.forEach((l) => l.kick());
  progress(`nodes registered: ${plan.nodes.map((n) => n.name).join(', ')}`);

  // 4. The control socket.
  const sockPath = join(stateDir, 'control.sock');
  if (existsSync(sockPath)) unlinkSync(sockPath);
  const handlers: Record<string, (args: Record<string, string>) => Promise<unknown>> = {
    async status() {
      return {
        lab,
        pods: kubelet.running(),
        down: Object.fromEntries(kubelet.down),
        router: await routerStatus(router),
      };
    },
    async crash(args) {
      const node = nodeByName(plan, args.node ?? '');
      const killed = await kubelet.crashNode(node.name);
      await setNodeLink(namespaceName(lab, node.label), 'down');
      proxy.forget(node.name);
      log(`crash ${node.name}: link down, killed ${killed.join(', ')}`);
      loops.forEach((l) => l.kick());
      return { node: node.name, killed, at: Date.now() };
    },
    async restore(args) {
      const node = nodeByName(plan, args.node ?? '');
      await setNodeLink(namespaceName(lab, node.label), 'up');
      await nodes.setUnschedulable(node.name, false);
      await kubelet.restoreNode(node.name);
      log(`restore ${node.name}`);
      loops.forEach((l) => l.kick());
      return { node: node.name };
    },
    async drain(args) {
      // A planned shutdown: cordon, evict app pods (not DaemonSet pods, as kubectl drain), stop the
      // speaker with SIGTERM and wait for it to exit (its handover), then the machine goes away.
      const node = nodeByName(plan, args.node ?? '');
      await nodes.setUnschedulable(node.name, true);
      const evicted: string[] = [];
      for (const p of api.pods.list()) {
        if (p.spec?.nodeName !== node.name) continue;
        if (p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet')) continue;
        await api.core
          .deleteNamespacedPod({
            name: p.metadata?.name ?? '',
            namespace: p.metadata?.namespace ?? 'default',
          })
          .catch(() => undefined);
        evicted.push(`${p.metadata?.namespace}/${p.metadata?.name}`);
      }
      loops.forEach((l) => l.kick());
      // Wait for the evicted pods to be gone from every endpoint list before the speaker stops.
      const deadline = Date.now() + 30_000;
      while (
        Date.now() < deadline &&
        kubelet.findPods(
          (p) => p.node === node.name && evicted.includes(`${p.namespace}/${p.name}`),
        ).length
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const t0 = Date.now();
      const graceMs = Number(args.graceMs ?? 30_000);
      const stopped = await kubelet.stopOnNode(
        node.name,
        (rp) => rp.netns === namespaceName(lab, node.label),
        graceMs,
      );
      const stopMs = Date.now() - t0;
      kubelet.markDown(node.name, 'drain');
      await setNodeLink(namespaceName(lab, node.label), 'down');
      proxy.forget(node.name);
      log(
        `drain ${node.name}: evicted ${evicted.join(', ')}; stopped ${stopped.join(', ')} in ${stopMs} ms; link down`,
      );
      // stoppingAt (epoch ms): when SIGTERM went to the speaker, so a client's timeline can tell
      // the pods' eviction from the speaker's handover.
      return { node: node.name, evicted, stopped, stopMs, stoppingAt: t0 };
    },
    /** What each identity did through the API, as the audit log sums it up (RBAC proof). */
    async audit(args) {
      return apiserver.audit.permissionsUsed(args.user ?? '');
    },
    async logs(args) {
      return kubelet.logs(args.namespace ?? 'default', args.pod ?? '', args.container) ?? null;
    },
    async stop() {
      setTimeout(() => void shutdown(0), 10);
      return { stopping: true };
    },
  };
  const control = createServer((sock: Socket) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf += d;
      if (buf.length > 1 << 20) sock.destroy();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        void (async () => {
          let reply: unknown;
          try {
            const req = JSON.parse(line) as { cmd: string; args?: Record<string, string> };
            const h = handlers[req.cmd];
            if (!h) throw new Error(`unknown command ${req.cmd}`);
            reply = { ok: true, result: await h(req.args ?? {}) };
          } catch (e) {
            reply = { ok: false, error: (e as Error).message ?? String(e) };
          }
          sock.write(JSON.stringify(reply) + '\n');
        })();
      }
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => control.listen(sockPath, () => r()));
  cleanups.push(async () => {
    control.close();
    rmSync(sockPath, { force: true });
  });
  writeFileSync(join(stateDir, 'supervisor.pid'), String(process.pid));
  progress('READY');
} catch (e) {
  log(`FATAL ${(e as Error).stack ?? String(e)}`);
  await shutdown(1);
}
