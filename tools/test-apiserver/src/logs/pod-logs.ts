// `pods/log` (GET /api/v1/namespaces/<ns>/pods/<pod>/log): the pod and container checks and
// PodLogOptions validation of kube-apiserver (pkg/registry/core/pod/rest/log.go), with the output
// from a pluggable source instead of a kubelet — the lab passes a callback that returns or streams
// a container's output. `follow` streams until the source ends or the client goes away;
// `tailLines` and `limitBytes` apply to text answers here (a streaming source gets them too).
import {
  badRequest,
  invalid,
  invalidValue,
  methodNotAllowed,
  notFound,
  type StatusCause,
} from '../errors.ts';
import type { HandlerReply, HandlerRequest, SubresourceHandler } from '../registry/types.ts';
import { isObject } from '../schema/structural.ts';
import { objectKey, type Store } from '../store.ts';

export interface PodLogRequest {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
  tailLines: number | undefined;
  sinceSeconds: number | undefined;
  limitBytes: number | undefined;
  timestamps: boolean;
  previous: boolean;
  /** Aborted when the client disconnects (stop producing). */
  signal: AbortSignal;
}

export type PodLogChunk = string | Uint8Array;

/**
 * A container's output: the text so far (the server applies tailLines/limitBytes), or a stream
 * (for `follow`) that ends when the container's output ends.
 */
export type PodLogSource = (
  r: PodLogRequest,
) => PodLogChunk | AsyncIterable<PodLogChunk> | Promise<PodLogChunk | AsyncIterable<PodLogChunk>>;

/** The last `n` lines of `text` (a final line without newline counts). */
export function tail(text: string, n: number | undefined): string {
  if (n === undefined) return text;
  if (n === 0) return '';
  const lines = text.split('\n');
  const trailing = text.endsWith('\n');
  if (trailing) lines.pop();
  const kept = lines.slice(Math.max(0, lines.length - n));
  return kept.length ? kept.join('\n') + (trailing ? '\n' : '') : '';
}

function intParam(
  p: URLSearchParams,
  name: string,
  min: number,
  causes: StatusCause[],
): number | undefined {
  const v = p.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`${name}: invalid integer value "${v}"`);
  if (n < min)
    causes.push(
      invalidValue(
        name,
        n,
        min === 0 ? 'must be greater than or equal to 0' : 'must be greater than 0',
      ),
    );
  return n;
}

function names(list: unknown): string[] {
  return Array.isArray(list)
    ? list
        .filter(isObject)
        .map((c) => String(c.name ?? ''))
        .filter(Boolean)
    : [];
}

export function podLogHandler(
  store: Store,
  source: () => PodLogSource | undefined,
): SubresourceHandler {
  return {
    kind: { group: '', version: 'v1', kind: 'Pod' },
    verbs: ['get'],
    async handle(r: HandlerRequest): Promise<HandlerReply> {
      if (r.method !== 'GET' && r.method !== 'HEAD')
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      const ns = r.namespace ?? '';
      const pod = store.get('/pods', objectKey(ns, r.name));
      if (!pod) throw notFound({ group: '', resource: 'pods' }, r.name);
      const p = r.params;
      const causes: StatusCause[] = [];
      const tailLines = intParam(p, 'tailLines', 0, causes);
      const limitBytes = intParam(p, 'limitBytes', 1, causes);
      const sinceSeconds = intParam(p, 'sinceSeconds', 1, causes);
      if (sinceSeconds !== undefined && p.get('sinceTime') !== null)
        causes.push(
          invalidValue(
            'sinceSeconds',
            sinceSeconds,
            'at most one of sinceTime or sinceSeconds may be specified',
          ),
        );
      if (causes.length) throw invalid('PodLogOptions', '', '', causes);
      const spec = isObject(pod.spec) ? pod.spec : {};
      const containers = names(spec.containers);
      const inits = names(spec.initContainers);
      const all = [...containers, ...inits, ...names(spec.ephemeralContainers)];
      let container = p.get('container') ?? '';
      if (container === '') {
        if (containers.length === 1 && inits.length === 0) container = containers[0] as string;
        else
          throw badRequest(
            `a container name must be specified for pod ${r.name}, choose one of: [${containers.join(' ')}]${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`,
          );
      } else if (!all.includes(container))
        throw badRequest(`container ${container} is not valid for pod ${r.name}`);
      const src = source();
      if (!src)
        throw badRequest(
          `container "${container}" in pod "${r.name}" has no log source: this test API server serves pods/log from the podLogs option (startTestApiServer({ podLogs }))`,
        );
      const truthy = (n: string) => p.get(n) === 'true' || p.get(n) === '1';
      const out = await src({
        namespace: ns,
        pod: r.name,
        container,
        follow: truthy('follow'),
        tailLines,
        sinceSeconds,
        limitBytes,
        timestamps: truthy('timestamps'),
        previous: truthy('previous'),
        signal: r.signal,
      });
      const res = r.res;
      res.writeHead(200, {
        'Content-Type': 'text/plain',
        'Cache-Control': 'no-cache, private',
        'Transfer-Encoding': 'chunked',
      });
      let budget = limitBytes ?? Infinity;
      const write = (c: PodLogChunk): boolean => {
        let buf = typeof c === 'string' ? Buffer.from(c) : Buffer.from(c);
        if (buf.length > budget) buf = buf.subarray(0, budget);
        budget -= buf.length;
        if (buf.length && !res.writableEnded) res.write(buf);
        return budget > 0 && !r.signal.aborted;
      };
      if (typeof out === 'string' || out instanceof Uint8Array) {
        const text = typeof out === 'string' ? out : Buffer.from(out).toString('utf8');
        write(tail(text, tailLines));
      } else {
        for await (const c of out) if (!write(c)) break;
      }
      if (!res.writableEnded) res.end();
      return 'streamed';
    },
  };
}
