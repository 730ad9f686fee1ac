// The seeds' journey (seed 001, the same steps in the other articles): apply the pool and
// L2Advertisement YAML with kubectl, deploy nginx with a Service of type LoadBalancer, and
// `kubectl get svc` shows an EXTERNAL-IP instead of <pending> — with IronLB's controller running
// as a process against the test API server.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ControllerProcess,
  ROOT,
  eventually,
  killAll,
  startCluster,
  type Cluster,
} from './harness.js';

const KUBECTL = join(ROOT, '.tools/bin/kubectl');
const fixture = (f: string) => join(import.meta.dirname, 'fixtures', f);
let c: Cluster;

// Asynchronous: the API server runs in this process and must keep serving while kubectl waits.
async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(KUBECTL, args, {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: c.kubeconfigPath },
    timeout: 60_000,
  });
  return stdout;
}

beforeAll(async () => {
  c = await startCluster();
}, 60_000);

afterAll(async () => {
  await killAll();
  await c?.close();
});

describe(`the seeds' journey${existsSync(KUBECTL) ? '' : ' (SKIPPED: .tools/bin/kubectl missing; run tools/bootstrap.sh)'}`, () => {
  it('kubectl apply the pool, deploy nginx, and the EXTERNAL-IP appears', async () => {
    if (!existsSync(KUBECTL)) return;
    const ctl = ControllerProcess.start(c, 'controller-0');
    await ctl.started();
    expect(await kubectl('apply', '-f', fixture('seed-001-pool.yaml'))).toBe(
      'ipaddresspool.metallb.io/pool created\nl2advertisement.metallb.io/example created\n',
    );
    expect(await kubectl('apply', '-f', fixture('seed-001-nginx.yaml'))).toBe(
      'deployment.apps/nginx-deployment created\nservice/nginx created\n',
    );
    const line = await eventually(async () => {
      const out = await kubectl('get', 'svc', 'nginx', '--no-headers');
      return out.includes('<pending>') ? undefined : out;
    });
    // NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE — as in the article: 192.168.1.240, the pool's first.
    expect(line.split(/\s+/).slice(0, 4)).toEqual([
      'nginx',
      'LoadBalancer',
      expect.stringMatching(/^198\.18\./),
      '192.168.1.240',
    ]);
    const events = await kubectl(
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=nginx',
      '-o',
      'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}',
    );
    expect(events).toContain('IPAllocated: Assigned IP ["192.168.1.240"]');
    const pool = await kubectl(
      'get',
      'svc',
      'nginx',
      '-o',
      'jsonpath={.metadata.annotations.metallb\\.io/ip-allocated-from-pool}',
    );
    expect(pool).toBe('pool');
  });
});
