// The verbs on a resource path: GET (get, list, watch; JSON or Table), POST, PUT, PATCH
// (including server-side apply), DELETE and DELETECOLLECTION, and the scale subresource.
// Everything that can be refused is refused before the first byte of the answer goes out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN, type UserInfo } from '../auth/identity.ts';
import { badRequest, methodNotAllowed } from '../errors.ts';
import { asTable, tableOptions } from '../printers/table.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import type { JsonObject } from '../schema/structural.ts';
import type { ApiCore, WriteQuery, WriteResult } from './api.ts';
import { mediaType, readBody } from './body.ts';
import { deleteOptions } from './delete-options.ts';
import { negotiate, TABLE_V1, TABLE_V1BETA1 } from './negotiate.ts';
import { parseListQuery } from './query.ts';
import { send } from './respond.ts';
import { getScale, patchScale, updateScale } from './scale.ts';
import { prepareWatch, type WatchOptions } from './watch.ts';
import { fieldManagerFor } from './user-agent.ts';
import { runHandler } from './handlers.ts';

export interface Route {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  sub: string | undefined;
  watchPath: boolean;
}

export interface ResourceHandlerOptions extends WatchOptions {
  maxBodyBytes: number;
  watchBacklogBytes: number;
  /** Open watch responses (removed on every exit path; its size is asserted by tests). */
  watches: Set<ServerResponse>;
}

export function baseWriteQuery(p: URLSearchParams, req: IncomingMessage): WriteQuery {
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
  } else {
    // As kube-apiserver: without fieldManager, the manager is the User-Agent's program name.
    q.defaultFieldManager = fieldManagerFor(req.headers['user-agent']);
  }
  const force = p.get('force');
  if (force !== null) {
    if (!['true', 'false', '1', '0', ''].includes(force))
      throw badRequest(`force: invalid boolean value "${force}"`);
    q.force = force === 'true' || force === '1';
  }
  return q;
}

function startWatchResponse(
  core: ApiCore,
  req: IncomingMessage,
  res: ServerResponse,
  r: Route,
  params: URLSearchParams,
  opts: ResourceHandlerOptions,
): void {
  const { type, namespace, name, sub } = r;
  if (sub !== undefined) throw methodNotAllowed('watch is not supported on subresources');
  const neg = negotiate(req.headers.accept);
  const q = parseListQuery(params);
  if (name !== undefined)
    q.fieldSelector = [q.fieldSelector, `metadata.name=${name}`].filter(Boolean).join(',');
  // Validation (selectors, sendInitialEvents, Table options) happens here, before writeHead.
  const start = prepareWatch(core, type, namespace, q, opts);
  const tOpts = neg.format === 'table' ? tableOptions(params) : undefined;
  res.writeHead(200, {
    'Content-Type':
      neg.format === 'table'
        ? neg.tableVersion === 'v1'
          ? TABLE_V1
          : TABLE_V1BETA1
        : 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  opts.watches.add(res);
  let stop: () => void = () => {};
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    stop();
    opts.watches.delete(res);
    if (!res.writableEnded) res.end();
  };
  res.on('close', end);
  const write = (l: string) => {
    if (res.writableEnded) return;
    let out = l;
    if (tOpts && neg.tableVersion) {
      const ev = JSON.parse(l) as { type: string; object: KubeObject };
      if (ev.type !== 'ERROR' && ev.type !== 'BOOKMARK')
        out = `${JSON.stringify({ type: ev.type, object: asTable(core, type, [ev.object], {}, tOpts, neg.tableVersion) })}\n`;
    }
    res.write(out);
    if (res.writableLength > opts.watchBacklogBytes) end();
  };
  try {
    stop = start({ write, end });
  } catch (e) {
    end();
    throw e;
  }
  if (ended) stop();
}

export async function handleResource(
  core: ApiCore,
  req: IncomingMessage,
  res: ServerResponse,
  r: Route,
  params: URLSearchParams,
  opts: ResourceHandlerOptions,
  user?: UserInfo,
): Promise<void> {
  const method = req.method ?? 'GET';
  const { type, namespace, name, sub } = r;
  const out = async (p: Promise<WriteResult> | WriteResult) => {
    const w = await p;
    send(res, w.status, w.body, w.warnings);
  };
  // The acting identity travels with every write (admission webhooks' userInfo).
  const writeQuery = (p: URLSearchParams, rq: IncomingMessage): WriteQuery => ({
    ...baseWriteQuery(p, rq),
    user,
  });
  // Subresources and create-only resources with handlers of their own (pods/log,
  // serviceaccounts/token, the access reviews): see handlers.ts.
  const sh = sub !== undefined ? type.subresources?.[sub] : undefined;
  if (sh || (type.virtual && sub === undefined)) {
    if (!sh && (method !== 'POST' || name !== undefined || r.watchPath))
      throw methodNotAllowed('the server does not allow this method on the requested resource');
    const handle = sh ? sh.handle.bind(sh) : (type.virtual as NonNullable<typeof type.virtual>);
    const reply = await runHandler(handle, {
      req,
      res,
      namespace,
      name: name ?? '',
      params,
      user: user ?? ADMIN,
      dryRun: writeQuery(params, req).dryRun === true,
      body: () => readBody(req, opts.maxBodyBytes, 'object'),
    });
    if (reply !== 'streamed') send(res, reply.status, reply.body, reply.warnings ?? []);
    return;
  }
  const isWatch = r.watchPath || params.get('watch') === 'true' || params.get('watch') === '1';
  if (method === 'GET' && isWatch) return startWatchResponse(core, req, res, r, params, opts);
  const neg = negotiate(req.headers.accept);
  const max = opts.maxBodyBytes;
  if (sub === 'scale') {
    switch (method) {
      case 'GET':
        return send(
          res,
          200,
          await core.converting(() => getScale(core, type, namespace, name as string)),
        );
      case 'PUT':
        return out(
          updateScale(
            core,
            type,
            namespace,
            name as string,
            await readBody(req, max, 'object'),
            writeQuery(params, req),
          ),
        );
      case 'PATCH':
        return out(
          patchScale(
            core,
            type,
            namespace,
            name as string,
            mediaType(req.headers['content-type']),
            await readBody(req, max, 'patch'),
            writeQuery(params, req),
          ),
        );
      default:
        throw methodNotAllowed('the server does not allow this method on the requested resource');
    }
  }
  switch (method) {
    case 'GET': {
      if (neg.format === 'table' && neg.tableVersion) {
        const tOpts = tableOptions(params);
        if (name === undefined) {
          const lq = parseListQuery(params);
          const list = await core.converting(() => core.list(type, namespace, lq));
          const table = asTable(
            core,
            type,
            list.items as KubeObject[],
            list.metadata as JsonObject,
            tOpts,
            neg.tableVersion,
          );
          return send(res, 200, table, [], neg.tableVersion === 'v1' ? TABLE_V1 : TABLE_V1BETA1);
        }
        const o = await core.converting(() => core.get(type, namespace, name));
        const table = asTable(
          core,
          type,
          [o],
          { resourceVersion: String(o.metadata.resourceVersion ?? '') },
          tOpts,
          neg.tableVersion,
        );
        return send(res, 200, table, [], neg.tableVersion === 'v1' ? TABLE_V1 : TABLE_V1BETA1);
      }
      if (name === undefined) {
        const lq = parseListQuery(params);
        return send(res, 200, await core.converting(() => core.list(type, namespace, lq)));
      }
      return send(res, 200, await core.converting(() => core.get(type, namespace, name)));
    }
    case 'POST':
      if (name !== undefined)
        throw methodNotAllowed(`the server does not allow this method on the requested resource`);
      return out(
        core.create(type, namespace, await readBody(req, max, 'object'), writeQuery(params, req)),
      );
    case 'PUT':
      if (name === undefined)
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      return out(
        core.update(
          type,
          namespace,
          name,
          await readBody(req, max, 'object'),
          writeQuery(params, req),
          sub,
        ),
      );
    case 'PATCH': {
      if (name === undefined)
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      const ct = mediaType(req.headers['content-type']);
      const body = await readBody(req, max, 'patch');
      return out(core.patch(type, namespace, name, ct, body, writeQuery(params, req), sub));
    }
    case 'DELETE': {
      const body = deleteOptions(await readBody(req, max, 'object'), params);
      if (sub !== undefined)
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      const wq = writeQuery(params, req);
      if (Array.isArray(body.dryRun) && body.dryRun.includes('All')) wq.dryRun = true;
      if (name === undefined)
        return out(core.deleteCollection(type, namespace, parseListQuery(params), body, wq));
      return out(core.delete(type, namespace, name, body, wq));
    }
    default:
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}
