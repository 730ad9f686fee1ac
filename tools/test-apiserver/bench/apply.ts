// The kubectl row of the benchmark (issue 15): `kubectl apply -f` of one file holding 1,000
// objects, against the same apply done through @kubernetes/client-node in the same run.
// kubectl v1.35 (.tools/bin) does a client-side apply: discovery and the OpenAPI document once,
// then per object a GET (404) and a POST carrying the last-applied-configuration annotation, one
// object at a time. The client-node anchor does exactly those two requests per object,
// sequentially, from this process (KubernetesObjectApi.read, then create) — so the ratio is
// kubectl's own cost (process start, discovery, OpenAPI, protobuf/Go client) against
// client-node's (a new connection per request), the server being the same.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CoreV1Api,
  KubernetesObjectApi,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { median, type BenchReport } from '@ironlb/bench-kit';

const KUBECTL = fileURLToPath(new URL('../../../.tools/bin/kubectl', import.meta.url));
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The file's objects: Services as a MetalLB user applies them (LoadBalancer, no node ports). */
function objects(count: number): KubernetesObject[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `web-${i}`, labels: { app: `web-${i % 50}` } },
    spec: {
      type: 'LoadBalancer',
      allocateLoadBalancerNodePorts: false,
      selector: { app: `web-${i % 50}` },
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    },
  })) as KubernetesObject[];
}

function kubectlApply(file: string, ns: string, kubeconfig: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      KUBECTL,
      ['apply', '-f', file, '-n', ns],
      {
        env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(file, '..', 'kcache') },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 600_000,
      },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout),
    );
  });
}

/** kubectl's client-side apply of a new object, through client-node: GET (404), then POST. */
async function clientNodeApply(api: KubernetesObjectApi, ns: string, objs: KubernetesObject[]) {
  for (const o of objs) {
    const obj = structuredClone(o);
    obj.metadata = { ...obj.metadata, namespace: ns };
    const found = await api.read(obj as never).then(
      () => true,
      (e: { code?: number }) => {
        if (e.code !== 404) throw e;
        return false;
      },
    );
    if (found) throw new Error(`${ns}/${obj.metadata.name} exists`);
    obj.metadata.annotations = { [LAST_APPLIED]: `${JSON.stringify(obj)}\n` };
    await api.create(obj);
  }
}

/**
 * Adds the row: median seconds of `rounds` kubectl applies of a `count`-object file (each into
 * a fresh namespace), anchored on the median of the same number of client-node applies,
 * interleaved so that load changes hit both alike.
 */
export async function applyBench(
  report: BenchReport,
  kc: KubeConfig,
  kubeconfig: string,
  dir: string,
  count = 1000,
  rounds = 3,
): Promise<void> {
  const name = `kubectl apply -f of ${count} Services in one file (median of ${rounds})`;
  if (!existsSync(KUBECTL)) {
    report.add({ name, value: 0, unit: 's', note: `SKIPPED: no ${KUBECTL} (tools/bootstrap.sh)` });
    return;
  }
  const objs = objects(count);
  const file = join(dir, 'apply-bench.yaml');
  writeFileSync(file, objs.map((o) => `---\n${JSON.stringify(o)}\n`).join(''));
  const core = kc.makeApiClient(CoreV1Api);
  const api = KubernetesObjectApi.makeApiClient(kc);
  const loadBefore = loadavg()[0] ?? 0;
  const viaKubectl: number[] = [];
  const viaClientNode: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const nsK = `apply-kubectl-${r}`;
    const nsC = `apply-client-node-${r}`;
    await core.createNamespace({ body: { metadata: { name: nsK } } });
    await core.createNamespace({ body: { metadata: { name: nsC } } });
    let t0 = performance.now();
    const out = await kubectlApply(file, nsK, kubeconfig);
    viaKubectl.push((performance.now() - t0) / 1000);
    const created = out.split('\n').filter((l) => l.endsWith(' created')).length;
    if (created !== count) throw new Error(`kubectl created ${created} of ${count}`);
    t0 = performance.now();
    await clientNodeApply(api, nsC, objs);
    viaClientNode.push((performance.now() - t0) / 1000);
  }
  report.add({
    name,
    value: median(viaKubectl),
    unit: 's',
    anchor: median(viaClientNode),
    anchorName: 'same apply via client-node (GET + POST per object, sequential)',
    note:
      `kubectl rounds ${viaKubectl.map((s) => s.toFixed(1)).join(' / ')} s, client-node ` +
      `${viaClientNode.map((s) => s.toFixed(1)).join(' / ')} s; ` +
      `${(count / median(viaKubectl)).toFixed(0)} objects/s via kubectl; 1-min load average ` +
      `${loadBefore.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)} on ${cpus().length} cores ` +
      '(other agents share the machine)',
  });
}
