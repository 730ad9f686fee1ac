// The REST client over a real HTTP server: a watch stream cut at awkward places (inside an event,
// inside a multi-byte character, blank keep-alive lines) gives whole events, the skip check sees
// each event's first bytes only, a list's head is shown before its body is parsed, and a frozen
// query object is sent like any other.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '@ironlb/clock';
import { LINE_HEAD_BYTES } from '../../src/kube/lines.js';
import { createKubeRest, type KubeAuth, type WatchEvent } from '../../src/kube/rest.js';

let server: ReturnType<typeof createServer>;
let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
let auth: KubeAuth;

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const server_ = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  auth = { getCurrentCluster: () => ({ server: server_ }), applyToHTTPSOptions: async () => {} };
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('createKubeRest', () => {
  it('a watch stream cut anywhere gives whole events; skipLine sees only their first bytes', async () => {
    const long = 'x'.repeat(3000);
    const events = [
      { type: 'ADDED', object: { metadata: { name: 'café ✓', resourceVersion: '7' } } },
      { type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '8' }, long } },
      { type: 'MODIFIED', object: { metadata: { name: 'b', resourceVersion: '9' } } },
    ];
    const bytes = Buffer.from(`${events.map((e) => JSON.stringify(e)).join('\n\n')}\r\n`, 'utf8');
    handler = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Cut inside the ✓ (3 bytes), inside the long event, and byte by byte near the end.
      const cuts = [bytes.indexOf(0xe2) + 1, 2000, bytes.length - 5, bytes.length - 3];
      let from = 0;
      for (const c of [...cuts, bytes.length]) {
        res.write(bytes.subarray(from, c));
        from = c;
        await tick();
      }
      res.end();
    };
    const rest = createKubeRest(auth, { clock: systemClock });
    const got: WatchEvent<{ metadata: { name: string } }>[] = [];
    const heads: number[] = [];
    await new Promise<void>((done) =>
      rest.watch<{ metadata: { name: string } }>(
        '/api/v1/services',
        {},
        (e) => got.push(e),
        () => done(),
        (head) => {
          heads.push(head.length);
          return head.includes('"resourceVersion":"9"'); // drop b's event unparsed
        },
      ),
    );
    rest.close();
    expect(got.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED café ✓',
      'MODIFIED a',
    ]);
    expect(Math.max(...heads)).toBe(LINE_HEAD_BYTES);
  });

  it('shows the head of a list before parsing it, and sends a frozen query object', async () => {
    const urls: string[] = [];
    const body = JSON.stringify({
      metadata: { resourceVersion: '5', continue: 'abc' },
      items: Array.from({ length: 2000 }, (_, i) => ({ metadata: { name: `s-${i}` } })),
    });
    let rest2ndPart: () => void = () => undefined;
    handler = (req, res) => {
      urls.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      // The first bytes now, the rest only once the client has shown the head.
      res.write(body.slice(0, 100));
      rest2ndPart = () => res.end(body.slice(100));
    };
    const rest = createKubeRest(auth, { clock: systemClock });
    const heads: string[] = [];
    const q = Object.freeze({ fieldManager: 'ironlb controller', limit: 500 });
    const list = await rest.request<{ items: unknown[] }>({
      method: 'GET',
      path: '/api/v1/services',
      query: q,
      onHead: (h) => {
        heads.push(h);
        rest2ndPart();
      },
    });
    const second = rest.request({ method: 'GET', path: '/api/v1/services', query: q });
    await tick();
    rest2ndPart();
    await second;
    rest.close();
    expect(list.items).toHaveLength(2000);
    expect(heads).toHaveLength(1);
    expect(heads[0]!.startsWith('{"metadata":{"resourceVersion":"5","continue":"abc"}')).toBe(true);
    expect(heads[0]!.length).toBe(100);
    expect(urls).toEqual([
      '/api/v1/services?fieldManager=ironlb%20controller&limit=500',
      '/api/v1/services?fieldManager=ironlb%20controller&limit=500',
    ]);
  });

  it('an error answer is not shown as a head', async () => {
    handler = (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"kind":"Status","reason":"NotFound","message":"nope"}');
    };
    const rest = createKubeRest(auth, { clock: systemClock });
    const heads: string[] = [];
    await expect(
      rest.request({ method: 'GET', path: '/x', onHead: (h) => heads.push(h) }),
    ).rejects.toThrow(/404 NotFound nope/);
    rest.close();
    expect(heads).toEqual([]);
  });

  // A hostile or broken API server: a line that never ends, flooded in many chunks, and garbage.
  // The stream is ended with a typed error once the bound is passed, and nothing after it is
  // delivered; the events before it are.
  const endOf = (rest: ReturnType<typeof createKubeRest>, seen: string[]) =>
    new Promise<unknown>((done) =>
      rest.watch<{ metadata: { name: string } }>(
        '/api/v1/services',
        {},
        (e) => seen.push(e.object.metadata.name),
        (e) => done(e),
      ),
    );

  it('an event that never ends is cut at the size bound, however it is chunked', async () => {
    let wrote = 0;
    handler = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(
        '{"type":"ADDED","object":{"metadata":{"name":"first"}}}\n{"type":"ADDED","object":',
      );
      // 64 KiB at a time, many per event-loop turn, far past the bound.
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      for (let i = 0; i < 64 && !res.destroyed; i++) {
        res.write(chunk);
        wrote += chunk.length;
        if (i % 8 === 7) await tick();
      }
      res.end();
    };
    const rest = createKubeRest(auth, { clock: systemClock }, { maxResponseBytes: 512 * 1024 });
    const seen: string[] = [];
    const e = await endOf(rest, seen);
    rest.close();
    expect(String(e)).toMatch(/event larger than 524288 bytes/);
    expect(seen).toEqual(['first']);
    expect(wrote).toBeGreaterThanOrEqual(512 * 1024);
  });

  it('a line that is not JSON ends the watch as malformed; what came before is delivered', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        '{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n\u0000garbage{{\n{"type":"ADDED","object":{"metadata":{"name":"b"}}}\n',
      );
    };
    const rest = createKubeRest(auth, { clock: systemClock });
    const seen: string[] = [];
    const e = await endOf(rest, seen);
    rest.close();
    expect(String(e)).toMatch(/malformed event/);
    expect(seen).toEqual(['a']);
  });
});
