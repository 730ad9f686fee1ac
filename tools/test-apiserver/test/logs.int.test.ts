// pods/log from a pluggable source (here the PodLogBook the lab can feed with its processes'
// output), read with `kubectl logs` (--tail, -c, -f until the container ends) and with
// @kubernetes/client-node, with kube-apiserver's container checks.
import { spawn } from 'node:child_process';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PodLogBook } from '../src/logs/log-book.ts';
import { KUBECTL, skipReason, startCliServer, type CliServer } from './cli/harness.ts';
import { statusOf } from './helpers.ts';

const skip = skipReason();

describe.skipIf(skip !== undefined)(`pods/log${skip ? ` — SKIPPED: ${skip}` : ''}`, () => {
  let c: CliServer;
  let core: CoreV1Api;
  const book = new PodLogBook();

  beforeAll(async () => {
    c = await startCliServer({ podLogs: book.source });
    core = c.server.kubeConfig().makeApiClient(CoreV1Api);
    const pod = (name: string, containers: string[]) =>
      core.createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: { name },
          spec: { containers: containers.map((n) => ({ name: n, image: 'busybox:1.36' })) },
        },
      });
    await pod('speaker', ['speaker', 'frr']);
    await pod('single', ['main']);
    book.append('default', 'speaker', 'speaker', 'starting\nannouncing 192.0.2.10\nready\n');
    book.append('default', 'speaker', 'frr', 'bgpd started\n');
    book.append('default', 'single', 'main', 'hello\n');
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('kubectl logs: one container, --tail, -c, and an unknown container', async () => {
    expect(await c.kubectl(['logs', 'single'])).toMatchObject({ code: 0, stdout: 'hello\n' });
    expect(await c.kubectl(['logs', 'speaker', '-c', 'speaker', '--tail=2'])).toMatchObject({
      code: 0,
      stdout: 'announcing 192.0.2.10\nready\n',
    });
    expect((await c.kubectl(['logs', 'speaker', '-c', 'frr'])).stdout).toBe('bgpd started\n');
    const bad = await c.kubectl(['logs', 'speaker', '-c', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('container nope is not valid for pod speaker');
  });

  it('the API asks for a container when a pod has several, and 404s for a missing pod', async () => {
    const st = await statusOf(() =>
      core.readNamespacedPodLog({ name: 'speaker', namespace: 'default' }),
    );
    expect(st).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'a container name must be specified for pod speaker, choose one of: [speaker frr]',
    });
    const log = await core.readNamespacedPodLog({
      name: 'speaker',
      namespace: 'default',
      container: 'speaker',
      tailLines: 1,
    });
    expect(log).toBe('ready\n');
    expect(
      await statusOf(() => core.readNamespacedPodLog({ name: 'ghost', namespace: 'default' })),
    ).toMatchObject({
      code: 404,
      message: 'pods "ghost" not found',
    });
  });

  it('kubectl logs -f streams new output and ends with the container', async () => {
    const child = spawn(KUBECTL, ['logs', '-f', 'single', '--tail=1'], {
      env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: c.dir },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const until = async (text: string) => {
      const end = Date.now() + 10_000;
      while (!out.includes(text) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    };
    await until('hello\n');
    book.append('default', 'single', 'main', 'second line\n');
    await until('second line\n');
    book.end('default', 'single', 'main');
    expect(await exited).toBe(0);
    expect(out).toBe('hello\nsecond line\n');
  });
});
