// Integration layer (issue 13): a real CLI process is restarted and informers reconnect on real
// timers, so this file runs with the *.int.test.ts layer.
// The CLI as a process: --data keeps objects and resourceVersions across a restart, SIGTERM ends
// watches and exits 0, and a client-node watch resumes from its last resourceVersion afterwards
// without replaying anything (no churn) — while a resourceVersion from before the restart window
// gets 410 Gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CoreV1Api,
  KubeConfig,
  Watch,
  makeInformer,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers.ts';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ironlb-apiserver-'));
const running: ChildProcess[] = [];

afterAll(() => {
  for (const p of running) if (p.exitCode === null) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function startCli(listen: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(
    process.execPath,
    [
      cli,
      '--listen',
      listen,
      '--kubeconfig',
      join(dir, 'kubeconfig'),
      '--data',
      join(dir, 'data.json'),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.push(proc);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('exit', (code) => reject(new Error(`CLI exited ${code}: ${err}`)));
  });
  return { proc, url };
}

function stopCli(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    proc.on('exit', (code) => resolve(code));
    proc.kill('SIGTERM');
  });
}

describe('CLI restart with --data', () => {
  it('keeps state, ends watches on SIGTERM, and lets watches resume afterwards', async () => {
    const first = await startCli('127.0.0.1:0');
    const port = new URL(first.url).port;
    const kc = new KubeConfig();
    kc.loadFromFile(join(dir, 'kubeconfig'));
    expect(kc.getCurrentCluster()?.server).toBe(first.url);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'metallb-system' } } });
    const svc = await core.createNamespacedService({
      namespace: 'metallb-system',
      body: { metadata: { name: 'web' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
    });
    const startRv = (await core.listNamespacedConfigMap({ namespace: 'metallb-system' })).metadata
      ?.resourceVersion;
    const seen: { type: string; name: string | undefined; rv: string | undefined }[] = [];
    let ended = false;
    await new Watch(kc).watch(
      '/api/v1/namespaces/metallb-system/configmaps',
      { resourceVersion: startRv },
      (type, obj: { metadata?: { name?: string; resourceVersion?: string } }) =>
        seen.push({ type, name: obj.metadata?.name, rv: obj.metadata?.resourceVersion }),
      () => (ended = true),
    );
    // An informer that restarts itself on errors (what a controller does): across the restart it
    // must resume from its resourceVersion — no relist, no duplicate add/update events.
    const inf = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/metallb-system/configmaps', () =>
      core.listNamespacedConfigMap({ namespace: 'metallb-system' }),
    );
    const informerLog: string[] = [];
    let restarts = 0;
    let stopInformer = false;
    inf.on('add', (o) => informerLog.push(`add ${o.metadata?.name}`));
    inf.on('update', (o) => informerLog.push(`update ${o.metadata?.name}`));
    inf.on('delete', (o) => informerLog.push(`delete ${o.metadata?.name}`));
    inf.on('error', () => {
      restarts++;
      if (!stopInformer) setTimeout(() => void inf.start(), 100);
    });
    await inf.start();
    await core.createNamespacedConfigMap({
      namespace: 'metallb-system',
      body: { metadata: { name: 'before' } },
    });
    await eventually(() => (seen.length === 1 && informerLog.length === 1 ? true : undefined));
    const lastRv = seen[0]?.rv;

    expect(await stopCli(first.proc)).toBe(0);
    await eventually(() => (ended ? true : undefined));
    expect(JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8')).resourceVersion).toBe(
      Number(lastRv),
    );

    const second = await startCli(`127.0.0.1:${port}`);
    expect(second.url).toBe(first.url);
    // Same kubeconfig (same CA) still works; objects and allocations survived.
    const again = await core.readNamespacedService({ name: 'web', namespace: 'metallb-system' });
    expect(again.spec?.clusterIP).toBe(svc.spec?.clusterIP);
    expect(again.metadata?.resourceVersion).toBe(svc.metadata?.resourceVersion);
    const other = await core.createNamespacedService({
      namespace: 'metallb-system',
      body: { metadata: { name: 'web2' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
    });
    expect(other.spec?.clusterIP).not.toBe(svc.spec?.clusterIP);
    expect(other.spec?.ports?.[0]?.nodePort).not.toBe(svc.spec?.ports?.[0]?.nodePort);

    // Resume from the last seen resourceVersion: only new events, nothing replayed.
    const resumed: { type: string; name: string | undefined }[] = [];
    const ctl = await new Watch(kc).watch(
      '/api/v1/namespaces/metallb-system/configmaps',
      { resourceVersion: lastRv },
      (type, obj: { metadata?: { name?: string } }) =>
        resumed.push({ type, name: obj.metadata?.name }),
      () => undefined,
    );
    await core.createNamespacedConfigMap({
      namespace: 'metallb-system',
      body: { metadata: { name: 'after' } },
    });
    await eventually(() => (resumed.length === 1 ? true : undefined));
    expect(resumed).toEqual([{ type: 'ADDED', name: 'after' }]);
    ctl.abort();
    await eventually(() => (informerLog.length === 2 ? true : undefined), 10_000);
    expect(informerLog).toEqual(['add before', 'add after']);
    expect(restarts).toBeGreaterThan(0);
    stopInformer = true;
    await inf.stop();

    // A resourceVersion from before the restart's watch window is Gone.
    const stale: { type: string; code?: number }[] = [];
    let staleDone = false;
    await new Watch(kc).watch(
      '/api/v1/namespaces/metallb-system/configmaps',
      { resourceVersion: startRv },
      (type, obj: { code?: number }) => stale.push({ type, code: obj.code }),
      () => (staleDone = true),
    );
    await eventually(() => (staleDone ? true : undefined));
    expect(stale).toEqual([{ type: 'ERROR', code: 410 }]);

    expect(await stopCli(second.proc)).toBe(0);
  });
});
