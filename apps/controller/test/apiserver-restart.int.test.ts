// API-server restarts and watch expiry: the controller's watches resume (from their
// resourceVersion after a restart; by relisting and diffing after a 410) and the resync causes
// zero writes and zero events — only the Service created afterwards is written.
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ControllerProcess,
  ServiceWatch,
  createPool,
  createService,
  eventually,
  freePort,
  killAll,
  sleep,
  startCluster,
  type Cluster,
} from './harness.js';

let c: Cluster;
let w: ServiceWatch;
let ctl: ControllerProcess;
let metricsPort: number;

function scrape(): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: metricsPort, path: '/metrics', rejectUnauthorized: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Writes the controller made, by resource (its own counter; leases excluded by design). */
async function writes(): Promise<Record<string, number>> {
  const text = await scrape();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(
    /^metallb_controller_api_writes_total\{resource="([^"]+)",result="ok"\} (\d+)$/gm,
  )) {
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** Sum of Event counts in a namespace (a re-recorded event raises a count). */
async function eventTotal(namespace: string): Promise<number> {
  const l = await c.core.listNamespacedEvent({ namespace });
  return l.items.reduce((n, e) => n + (e.count ?? 1), 0);
}

const assigned = (name: string) =>
  eventually(
    () => (w.ips(`default/${name}`).length > 0 ? w.ips(`default/${name}`) : undefined),
    30_000,
    `${name} assigned`,
  );

beforeAll(async () => {
  c = await startCluster({ persistent: true });
  await createPool(c, 'lan', ['192.0.2.0/26']);
  w = new ServiceWatch(c);
  await w.start();
  metricsPort = await freePort();
  ctl = ControllerProcess.start(c, 'controller-0', ['--port', String(metricsPort)]);
  await ctl.started();
  for (let i = 0; i < 30; i++) await createService(c, { name: `s${i}` });
  await eventually(
    () =>
      [...w.current.values()].filter((s) => (s.status?.loadBalancer?.ingress ?? []).length > 0)
        .length === 30,
  );
  // Let the pool-status write (debounced 1 s) and the events settle.
  await sleep(1500);
}, 60_000);

afterAll(async () => {
  w?.stop();
  await killAll();
  await c?.close();
});

describe('API-server restarts', () => {
  it('a restart: watches resume from their resourceVersion, nothing is written again', async () => {
    const before = await writes();
    const events = await eventTotal('default');
    const changes = w.statusChanges;
    await c.stopServer();
    await sleep(1500);
    await c.restartServer();
    // The controller notices the outage (its watches failed) and reconnects.
    await eventually(() => ctl.find((l) => l.msg === 'watch failed, reconnecting'), 10_000);
    await createService(c, { name: 'after-restart' });
    await assigned('after-restart');
    await sleep(1500);
    const after = await writes();
    expect(after['services/status']).toBe((before['services/status'] ?? 0) + 1);
    expect(after['configurationstates/status'] ?? 0).toBe(
      before['configurationstates/status'] ?? 0,
    );
    expect(await eventTotal('default')).toBe(events + 1);
    expect(w.statusChanges).toBe(changes + 1);
    expect(w.changed()).toEqual([]);
  });

  it('watch expiry (410 Gone): relist, diff, and still nothing written again', async () => {
    const before = await writes();
    const events = await eventTotal('default');
    const changes = w.statusChanges;
    // Forget the watch history, then end every watch: reconnecting from the old resourceVersion
    // gets 410, so the informers relist.
    const lists = w.lists;
    c.server.core.store.compact();
    c.server.dropWatches();
    await eventually(() => ctl.find((l) => l.msg === 'watch expired, relisting'), 10_000);
    await eventually(() => w.lists > lists, 10_000, "the test's own watch relisted");
    await createService(c, { name: 'after-expiry' });
    await assigned('after-expiry');
    await sleep(1500);
    const after = await writes();
    expect(after['services/status']).toBe((before['services/status'] ?? 0) + 1);
    expect(await eventTotal('default')).toBe(events + 1);
    expect(w.statusChanges).toBe(changes + 1);
    expect(w.changed()).toEqual([]);
  });
});
