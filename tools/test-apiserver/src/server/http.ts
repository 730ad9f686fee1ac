// HTTP front: the REST paths of kube-apiserver (/api/v1/..., /apis/<g>/<v>/..., namespaced and
// cluster-scoped, subresources), the non-resource endpoints (/version, /healthz, /readyz, /livez,
// discovery, /openapi/v2 and /openapi/v3) and Status error bodies. Paths are parsed by paths.ts
// (hardened against encoded dot-segments), bodies by body.ts, verbs by resource-handler.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, methodNotAllowed } from '../errors.ts';
import { serveOpenApi } from '../openapi/serve.ts';
import type { ApiCore } from './api.ts';
import {
  AGGREGATED_V2,
  AGGREGATED_V2BETA1,
  aggregated,
  groupDoc,
  groupList,
  resourceList,
  wantsAggregated,
} from './discovery.ts';
import { parseRequestPath } from './paths.ts';
import { handleResource, type Route } from './resource-handler.ts';
import { send, sendError } from './respond.ts';
import type { WatchOptions } from './watch.ts';

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
  /** Number of open watch streams (tests assert no watcher leaks). */
  readonly watchCount: number;
}

const NOT_FOUND = () =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

export function createHttpFront(core: ApiCore, opts: HttpOptions = {}): HttpFront {
  const watches = new Set<ServerResponse>();
  let ready = true;
  const handlerOpts = {
    ...opts,
    maxBodyBytes: opts.maxBodyBytes ?? 3 * 1024 * 1024,
    watchBacklogBytes: opts.watchBacklogBytes ?? 64 * 1024 * 1024,
    watches,
  };

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
      !(sub === 'scale' && type.scale !== undefined) &&
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

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const { path, segments: seg, params } = parseRequestPath(req.url ?? '/');
    const method = req.method ?? 'GET';
    // Authentication, audit, impersonation and authorization (auth/access.ts): 401/403 here.
    const { user } = core.access.check(req, res, path, params);
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
    if (seg[0] === 'openapi') {
      if (method !== 'GET')
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      const doc = serveOpenApi(core, seg.slice(1), req.headers.accept);
      if (!doc) throw NOT_FOUND();
      res.setHeader('ETag', `"${doc.etag}"`);
      return send(res, 200, doc.body, [], doc.contentType);
    }
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
      return handleResource(core, req, res, r, params, handlerOpts, user);
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
      return handleResource(core, req, res, r, params, handlerOpts, user);
    }
    if (path === '/')
      return send(res, 200, {
        paths: [
          '/api',
          '/api/v1',
          '/apis',
          '/healthz',
          '/livez',
          '/openapi/v2',
          '/openapi/v3',
          '/readyz',
          '/version',
        ],
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
    get watchCount() {
      return watches.size;
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
