// HTTP front: the REST paths of kube-apiserver (/api/v1/..., /apis/<g>/<v>/..., namespaced and
// cluster-scoped, subresources), content negotiation, Warning headers, Status error bodies, and
// the non-resource endpoints (/version, /healthz, /readyz, /livez, discovery).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, methodNotAllowed } from '../errors.ts';
import type { UserInfo } from '../auth/identity.ts';
import type { ResourceType } from '../registry/types.ts';
import type { ApiCore, WriteQuery, WriteResult } from './api.ts';
import { runHandler } from './handlers.ts';
import {
  AGGREGATED_V2,
  AGGREGATED_V2BETA1,
  aggregated,
  groupDoc,
  groupList,
  resourceList,
  wantsAggregated,
} from './discovery.ts';
import { parseListQuery } from './query.ts';
import { startWatch, type WatchOptions } from './watch.ts';

export interface HttpOptions extends WatchOptions {
  /** Largest accepted request body. Default 3 MiB (kube-apiserver's limit). */
  maxBodyBytes?: number;
  /**
   * A watcher whose unsent backlog exceeds this is disconnected (it reconnects from its last
   * resourceVersion), as the real watch cache drops watchers that cannot keep up. Default 64 MiB.
   */
  watchBacklogBytes?: number;
  /** Reported by /version. Default v1.35.0. */
  gitVersion?: string;
}

export interface HttpFront {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Ends every open watch stream (clean shutdown). */
  closeWatches(): void;
  setReady(ready: boolean): void;
}

const NOT_FOUND = () =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  warnings: string[] = [],
  contentType = 'application/json',
): void {
  const data = typeof body === 'string' ? body : JSON.stringify(body);
  // Content-Length (not chunked) lets Node send headers and body in one write.
  const headers: Record<string, string | string[] | number> = {
    'Content-Type': contentType,
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(data),
  };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(status, headers);
  res.end(data);
}

function sendError(res: ServerResponse, e: unknown): void {
  const err =
    e instanceof ApiError
      ? e
      : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
  if (res.headersSent) {
    res.end();
    return;
  }
  send(res, err.status, err.toStatus());
}

async function readBody(req: IncomingMessage, max: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max)
      throw new ApiError(
        413,
        'RequestEntityTooLarge',
        'Request entity too large: limit is 3145728',
      );
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  const ct = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim() ?? '';
  try {
    if (ct === 'application/yaml' || ct === 'application/apply-patch+yaml')
      return parseYaml(text) as unknown;
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`the body of the request was in an unknown format: ${(e as Error).message}`);
  }
}

function writeQuery(p: URLSearchParams): WriteQuery {
  const dry = p.getAll('dryRun');
  if (dry.some((d) => d !== 'All' && d !== ''))
    throw badRequest(`dryRun: Unsupported value: "${dry.join(',')}": supported values: "All"`);
  const fv = p.get('fieldValidation');
  if (fv !== null && !['Strict', 'Warn', 'Ignore'].includes(fv))
    throw badRequest(
      `fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`,
    );
  const q: WriteQuery = { dryRun: dry.includes('All') };
  if (fv) q.fieldValidation = fv as 'Strict' | 'Warn' | 'Ignore';
  const fm = p.get('fieldManager');
  if (fm !== null) {
    if (fm.length > 128) throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
    q.fieldManager = fm;
  }
  return q;
}

/** Only JSON is produced; Table (server-side printing) and protobuf come in a later issue. */
function checkAccept(accept: string | undefined): void {
  if (!accept) return;
  const ok = accept.split(',').some((a) => {
    const p = a.trim().toLowerCase();
    return (
      p === '*/*' ||
      (p.startsWith('application/json') && !p.includes('as=')) ||
      p === 'application/*' ||
      p.startsWith('application/yaml')
    );
  });
  if (!ok)
    throw new ApiError(
      406,
      'NotAcceptable',
      `only the following media types are accepted: application/json, application/yaml (not ${accept})`,
    );
}

interface Route {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  sub: string | undefined;
  watchPath: boolean;
}

export function createHttpFront(core: ApiCore, opts: HttpOptions = {}): HttpFront {
  const watches = new Set<ServerResponse>();
  let ready = true;
  const max = opts.maxBodyBytes ?? 3 * 1024 * 1024;

  const resolve = (group: string, version: string, rest: string[]): Route | 'discovery' => {
    if (!core.registry.hasGroupVersion(group, version)) throw NOT_FOUND();
    let watchPath = false;
    if (rest[0] === 'watch') {
      watchPath = true;
      rest = rest.slice(1);
    }
    if (rest.length === 0) {
      if (watchPath) throw NOT_FOUND();
      return 'discovery';
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const nt = core.registry.find(group, version, rest[2] as string);
      if (nt?.namespaced) {
        namespace = rest[1];
        rest = rest.slice(2);
      }
    }
    const type = core.registry.find(group, version, rest[0] as string);
    if (!type) throw NOT_FOUND();
    const name = rest[1];
    const sub = rest[2];
    if (rest.length > 3) throw NOT_FOUND();
    if (type.namespaced && name !== undefined && namespace === undefined) throw NOT_FOUND();
    if (!type.namespaced && namespace !== undefined) throw NOT_FOUND();
    if (
      sub !== undefined &&
      !(sub === 'status' && type.hasStatus) &&
      !type.extraSubresources.includes(sub) &&
      !type.subresources?.[sub]
    )
      throw new ApiError(
        404,
        'NotFound',
        `the server could not find the requested resource (subresource ${sub} of ${type.resource} is not served by this test API server)`,
        {},
      );
    return { type, namespace, name, sub, watchPath };
  };

  const handleResource = async (
    req: IncomingMessage,
    res: ServerResponse,
    r: Route,
    params: URLSearchParams,
    user: UserInfo,
  ) => {
    const method = req.method ?? 'GET';
    const { type, namespace, name, sub } = r;
    const out = async (p: Promise<WriteResult>) => {
      const w = await p;
      send(res, w.status, w.body, w.warnings);
    };
    const wq = (p: URLSearchParams): WriteQuery => ({ ...writeQuery(p), user });
    // Subresources and create-only resources with handlers of their own (handlers.ts).
    const handler =
      sub !== undefined ? type.subresources?.[sub]?.handle.bind(type.subresources[sub]) : undefined;
    if (handler || (type.virtual && sub === undefined)) {
      if (!handler && (method !== 'POST' || name !== undefined || r.watchPath))
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      const reply = await runHandler(
        handler ?? (type.virtual as NonNullable<typeof type.virtual>),
        {
          req,
          res,
          namespace,
          name: name ?? '',
          params,
          user,
          dryRun: wq(params).dryRun === true,
          body: () => readBody(req, max),
        },
      );
      if (reply !== 'streamed') send(res, reply.status, reply.body, reply.warnings ?? []);
      return;
    }
    const isWatch = r.watchPath || params.get('watch') === 'true' || params.get('watch') === '1';
    if (method === 'GET' && (isWatch || (name === undefined && isWatch))) {
      if (sub !== undefined) throw methodNotAllowed('watch is not supported on subresources');
      const q = parseListQuery(params);
      if (name !== undefined)
        q.fieldSelector = [q.fieldSelector, `metadata.name=${name}`].filter(Boolean).join(',');
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Transfer-Encoding': 'chunked',
        'Cache-Control': 'no-cache, private',
      });
      res.flushHeaders();
      watches.add(res);
      let stop: () => void = () => {};
      const end = () => {
        stop();
        watches.delete(res);
        if (!res.writableEnded) res.end();
      };
      const backlog = opts.watchBacklogBytes ?? 64 * 1024 * 1024;
      const write = (l: string) => {
        if (res.writableEnded) return;
        res.write(l);
        if (res.writableLength > backlog) end();
      };
      stop = startWatch(core, type, namespace, q, { write, end }, opts);
      res.on('close', end);
      return;
    }
    checkAccept(req.headers.accept);
    switch (method) {
      case 'GET': {
        const lq = name === undefined ? parseListQuery(params) : undefined;
        return send(
          res,
          200,
          await core.converting(() =>
            lq ? core.list(type, namespace, lq) : core.get(type, namespace, name as string),
          ),
        );
      }
      case 'POST':
        if (name !== undefined)
          throw methodNotAllowed(`the server does not allow this method on the requested resource`);
        return out(core.create(type, namespace, await readBody(req, max), wq(params)));
      case 'PUT':
        if (name === undefined)
          throw methodNotAllowed('the server does not allow this method on the requested resource');
        return out(core.update(type, namespace, name, await readBody(req, max), wq(params), sub));
      case 'PATCH': {
        if (name === undefined)
          throw methodNotAllowed('the server does not allow this method on the requested resource');
        const ct = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
        const body = await readBody(req, max);
        return out(core.patch(type, namespace, name, ct, body, wq(params), sub));
      }
      case 'DELETE': {
        const body = await readBody(req, max);
        if (sub !== undefined)
          throw methodNotAllowed('the server does not allow this method on the requested resource');
        if (name === undefined)
          return out(
            core.deleteCollection(type, namespace, parseListQuery(params), body, wq(params)),
          );
        return out(core.delete(type, namespace, name, body, wq(params)));
      }
      default:
        throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    // Authentication, audit, impersonation and authorization (auth/access.ts): 401/403 here.
    const { user } = core.access.check(req, res, url);
    if (path === '/version') return send(res, 200, versionInfo(opts.gitVersion ?? 'v1.35.0'));
    if (
      path === '/healthz' ||
      path === '/livez' ||
      path.startsWith('/healthz/') ||
      path.startsWith('/livez/')
    )
      return send(res, 200, 'ok', [], 'text/plain; charset=utf-8');
    if (path === '/readyz' || path.startsWith('/readyz/'))
      return ready
        ? send(res, 200, 'ok', [], 'text/plain; charset=utf-8')
        : send(
            res,
            500,
            '[-]shutdown failed: reason withheld\nreadyz check failed',
            [],
            'text/plain; charset=utf-8',
          );
    if (path.startsWith('/openapi'))
      throw new ApiError(
        404,
        'NotFound',
        'OpenAPI documents are not served by this test API server yet',
        {},
      );
    const agg = wantsAggregated(req.headers.accept);
    if (seg[0] === 'api') {
      if (seg.length === 1) {
        if (method !== 'GET')
          throw methodNotAllowed('the server does not allow this method on the requested resource');
        if (agg)
          return send(
            res,
            200,
            aggregated(core.registry, true, agg),
            [],
            agg === 'v2' ? AGGREGATED_V2 : AGGREGATED_V2BETA1,
          );
        return send(res, 200, {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [
            { clientCIDR: '0.0.0.0/0', serverAddress: req.headers.host ?? '' },
          ],
        });
      }
      const r = resolve('', seg[1] as string, seg.slice(2));
      if (r === 'discovery')
        return send(res, 200, resourceList(core.registry, '', seg[1] as string));
      return handleResource(req, res, r, url.searchParams, user);
    }
    if (seg[0] === 'apis') {
      if (seg.length === 1) {
        if (agg)
          return send(
            res,
            200,
            aggregated(core.registry, false, agg),
            [],
            agg === 'v2' ? AGGREGATED_V2 : AGGREGATED_V2BETA1,
          );
        return send(res, 200, groupList(core.registry));
      }
      const group = seg[1] as string;
      if (seg.length === 2) {
        if (core.registry.versions(group).length === 0) throw NOT_FOUND();
        return send(res, 200, groupDoc(core.registry, group));
      }
      const r = resolve(group, seg[2] as string, seg.slice(3));
      if (r === 'discovery')
        return send(res, 200, resourceList(core.registry, group, seg[2] as string));
      return handleResource(req, res, r, url.searchParams, user);
    }
    if (path === '/')
      return send(res, 200, {
        paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/readyz', '/version'],
      });
    throw NOT_FOUND();
  };

  return {
    handle(req, res) {
      handle(req, res).catch((e: unknown) => sendError(res, e));
    },
    closeWatches() {
      for (const w of watches) w.end();
      watches.clear();
    },
    setReady(r) {
      ready = r;
    },
  };
}

function versionInfo(gitVersion: string) {
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m?.[1] ?? '1',
    minor: m?.[2] ?? '35',
    gitVersion,
    gitCommit: 'ironlb-test-apiserver',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.25.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
