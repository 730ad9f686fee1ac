// Hostile requests (issue 14) as regression tests against the HTTP front: encoded dot-segments
// and slashes in paths, bad escapes, non-object names, bad watch parameters (refused before any
// header, no watcher left behind), deeply nested JSON, unsupported media types, huge timeouts,
// bad propagation policies. Status codes and the watcher count are asserted.
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer, type TestApiServer } from '../src/start.ts';
import { MAX_TIMER_MS } from '../src/server/watch.ts';

let s: TestApiServer;
beforeAll(async () => {
  s = await startTestApiServer({ withoutClient: true });
});
afterAll(async () => {
  await s.stop();
});

function call(method: string, path: string, body?: string, contentType = 'application/json') {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const u = new URL(s.url);
    // The path goes out raw (a URL string would be normalised by the client: %2e%2e removed).
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method,
        ca: s.caPem,
        headers: body === undefined ? {} : { 'Content-Type': contentType },
      },
      (res) => {
        let data = '';
        res.on('data', (d: Buffer) => (data += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const cm = (name: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });

describe('hostile paths', () => {
  it('%2e%2e never reaches the namespace or another namespace', async () => {
    await call('POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: 'victim' } }));
    const del = await call('DELETE', '/api/v1/namespaces/victim/configmaps/%2e%2e');
    expect(del.status).toBe(400);
    expect((await call('GET', '/api/v1/namespaces/victim')).status).toBe(200);
    expect(JSON.parse((await call('GET', '/api/v1/namespaces/victim')).body).status.phase).toBe(
      'Active',
    );
    expect((await call('GET', '/api/v1/namespaces/%2e%2e/configmaps')).status).toBe(400);
    expect((await call('GET', '/api/v1/namespaces/%2E/configmaps')).status).toBe(400);
    // An encoded slash cannot add a segment after decoding.
    expect((await call('GET', '/api/v1/namespaces/victim%2fconfigmaps')).status).toBe(400);
  });

  it('%zz is a 400 Status, not a 500', async () => {
    const r = await call('GET', '/api/v1/namespaces/%zz/configmaps');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    expect((await call('GET', '/api/v1/configmaps?labelSelector=%zz')).status).toBe(400);
  });

  it('names that are not valid object names are refused on create', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', cm('..'));
    expect(r.status).toBe(422);
  });
});

describe('hostile watches', () => {
  it.each([
    ['labelSelector=!!!', 400],
    ['fieldSelector=nope%3Dx', 400],
    ['sendInitialEvents=true', 422],
    ['sendInitialEvents=maybe', 400],
  ])('?watch=true&%s is refused before headers and leaves no watcher', async (q, code) => {
    const before = s.core.store.watcherCount;
    const r = await call('GET', `/api/v1/namespaces/default/configmaps?watch=true&${q}`);
    expect(r.status).toBe(code);
    expect(JSON.parse(r.body).kind).toBe('Status');
    expect(s.core.store.watcherCount).toBe(before);
  });

  it('timeoutSeconds above 2^31 ms is clamped (the watch stays open)', () => {
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
    expect(Math.min(4_294_968 * 1000, MAX_TIMER_MS)).toBe(MAX_TIMER_MS);
  });
});

describe('hostile bodies', () => {
  it('JSON nested 5,000 deep is a 400, not a stack overflow', async () => {
    const deep = `{"metadata":{"name":"d"},"data":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', deep);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).message).toContain('maximum depth');
  });

  it.each(['text/plain', 'application/xml', 'text/xml'])(
    'Content-Type %s on POST is 415',
    async (ct) => {
      const r = await call('POST', '/api/v1/namespaces/default/configmaps', cm('x'), ct);
      expect(r.status).toBe(415);
      expect(JSON.parse(r.body).reason).toBe('UnsupportedMediaType');
      expect((await call('GET', '/api/v1/namespaces/default/configmaps/x')).status).toBe(404);
    },
  );

  it('a protobuf body without the k8s envelope is a 400', async () => {
    const r = await call(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      'garbage',
      'application/vnd.kubernetes.protobuf',
    );
    expect(r.status).toBe(400);
  });

  it('an unknown propagationPolicy is a 422; a known one is accepted', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('p'));
    const bad = await call(
      'DELETE',
      '/api/v1/namespaces/default/configmaps/p?propagationPolicy=Sideways',
    );
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body).details.causes[0].field).toBe('propagationPolicy');
    expect(
      (await call('DELETE', '/api/v1/namespaces/default/configmaps/p?propagationPolicy=Orphan'))
        .status,
    ).toBe(200);
  });
});
