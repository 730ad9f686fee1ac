// A small typed client for the Kubernetes REST API: JSON get / list / create / update / patch /
// delete and streaming watches, over @kubernetes/client-node's KubeConfig for everything about
// authentication (tokens, client certificates, exec plugins, OIDC, in-cluster service account).
//
// Why not client-node's generated API classes: they load every model of every API group (an app
// importing the package's root pays ~85 MiB of RSS before doing anything), they convert every
// object to and from typed models on the way in and out (10k Services at start-up), and they
// build a new connection pool per request (no keep-alive, a TLS handshake per write: ~200 writes/s
// over HTTPS here). This client keeps connections alive, passes JSON through, and bounds every
// request in time — also so that a leader that lost its Lease can abort its writes in flight.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Clock } from '@ironlb/clock';
import { KubeApiError } from './errors.js';
import { LINE_HEAD_BYTES, LineSplitter } from './lines.js';

export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute API path, e.g. `/api/v1/namespaces/ns/services/web/status`. */
  readonly path: string;
  /** Query parameters (undefined ones left out); a frozen object is encoded once and reused. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** An object (sent as JSON) or ready-made JSON text. */
  readonly body?: unknown;
  /** Default application/json; merge-patch+json for PATCH. */
  readonly contentType?: string;
  /** Abort the request (RST, so nothing more leaves this process) after this long (default 30 000 ms). */
  readonly timeoutMs?: number;
  /** Do not parse a successful response (the caller does not need it); resolves undefined. */
  readonly discardResponse?: boolean;
  /**
   * Called once with the start of a successful response's body (its first chunk, Latin-1
   * decoded), before the rest arrives: a paged list reads the next page's continue token there.
   */
  readonly onHead?: (head: string) => void;
}

export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

export interface WatchHandle {
  /** Ends the watch; `onEnd` is called with undefined. */
  close(): void;
}

export interface KubeRest {
  request<T>(req: KubeRequest): Promise<T>;
  /**
   * Streams a watch (`?watch=true` is added). `onEnd(error?)` is called once when the stream ends,
   * after close(), on an HTTP error (KubeApiError) or a network error.
   */
  watch<T>(
    path: string,
    query: Readonly<Record<string, string | number | boolean | undefined>>,
    onEvent: (e: WatchEvent<T>) => void,
    onEnd: (error?: unknown) => void,
    /**
     * Sees the start of each event's JSON text first (its first LINE_HEAD_BYTES bytes, Latin-1
     * decoded); true drops the event unparsed (see Informer.expectEcho).
     */
    skipLine?: (head: string) => boolean,
  ): WatchHandle;
  /** Closes idle connections and stops background work. */
  close(): void;
}

export interface KubeRestOptions {
  /** User-Agent (default ironlb). */
  readonly userAgent?: string;
  /** Re-read credentials from the KubeConfig this often (default 60 000 ms; token files rotate). */
  readonly credentialTtlMs?: number;
  /** Sockets per host for ordinary requests (default 32). */
  readonly maxSockets?: number;
  /** Default per-request timeout (default 30 000 ms). */
  readonly timeoutMs?: number;
  /** Largest response body accepted, in bytes (default 256 MiB; a 10k-object list is ~30 MiB). */
  readonly maxResponseBytes?: number;
}

interface Credentials {
  headers: Record<string, string>;
  /** user-agent, accept and `headers`: what every request sends (built once, not per request). */
  base: Record<string, string>;
  tls: RequestOptions;
  expiresAt: number;
}

function buildQuery(q: NonNullable<KubeRequest['query']>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

// A frozen query object (a writer's `{ fieldManager }`, sent with every write) is encoded once.
const frozenQueries = new WeakMap<object, string>();

function queryString(q: KubeRequest['query']): string {
  if (!q) return '';
  if (!Object.isFrozen(q)) return buildQuery(q);
  let s = frozenQueries.get(q);
  if (s === undefined) frozenQueries.set(q, (s = buildQuery(q)));
  return s;
}

/**
 * Where the API server is and how to authenticate to it: what the client needs of
 * @kubernetes/client-node's KubeConfig (which fits as it is), or of k8s-glue's lean loader
 * (loadKubeAuth), which reads the common cases without loading client-node.
 */
export interface KubeAuth {
  getCurrentCluster(): { readonly server: string; readonly proxyUrl?: string } | null | undefined;
  /** Fills TLS options, headers (Authorization) and `auth`; client-node may set `agent` for proxies. */
  applyToHTTPSOptions(opts: RequestOptions & { headers?: Record<string, string> }): Promise<void>;
}

/** Creates the client for the KubeConfig's current context. */
export function createKubeRest(
  kc: KubeAuth,
  deps: { clock: Clock },
  options: KubeRestOptions = {},
): KubeRest {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeApiError('no current cluster in the kubeconfig', undefined);
  const base = new URL(cluster.server);
  const secure = base.protocol === 'https:';
  const ttl = options.credentialTtlMs ?? 60_000;
  const userAgent = options.userAgent ?? 'ironlb';
  const defaultTimeout = options.timeoutMs ?? 30_000;
  const maxBody = options.maxResponseBytes ?? 256 * 1024 * 1024;
  const { clock } = deps;
  let creds: Credentials | undefined;
  let credsPromise: Promise<Credentials> | undefined;
  let agent: HttpAgent | HttpsAgent | undefined;
  let watchAgent: HttpAgent | HttpsAgent | undefined;

  async function loadCredentials(): Promise<Credentials> {
    const opts: RequestOptions & { headers?: Record<string, string> } = {};
    await kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k] = String(v);
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const tls: RequestOptions = {};
    for (const k of [
      'ca',
      'cert',
      'key',
      'pfx',
      'passphrase',
      'rejectUnauthorized',
      'servername',
    ] as const) {
      if (opts[k] !== undefined) (tls as Record<string, unknown>)[k] = opts[k];
    }
    if (!agent) {
      if (cluster?.proxyUrl) {
        // Proxies (http/https/socks) are client-node's business: use its agent as is.
        agent = opts.agent as HttpAgent;
        watchAgent = agent;
      } else {
        const make = () =>
          secure
            ? new HttpsAgent({
                ...(tls as object),
                keepAlive: true,
                maxSockets: options.maxSockets ?? 64,
              })
            : new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
        agent = make();
        watchAgent = secure
          ? new HttpsAgent({ ...(tls as object), keepAlive: true })
          : new HttpAgent({ keepAlive: true });
      }
    }
    const everyRequest = { 'user-agent': userAgent, accept: 'application/json', ...headers };
    return { headers, base: everyRequest, tls, expiresAt: clock.now() + ttl };
  }

  async function credentials(): Promise<Credentials> {
    if (creds && creds.expiresAt > clock.now()) return creds;
    credsPromise ??= loadCredentials().finally(() => (credsPromise = undefined));
    creds = await credsPromise;
    return creds;
  }

  // Per client, not per request: where requests go.
  const hostname = base.hostname.replace(/^\[|\]$/g, '');
  const port = base.port || (secure ? 443 : 80);
  const pathPrefix = base.pathname.replace(/\/$/, '');

  function send(
    c: Credentials,
    method: string,
    path: string,
    headers: Record<string, string> | undefined,
    useAgent: HttpAgent | HttpsAgent | undefined,
  ) {
    const fn = secure ? httpsRequest : httpRequest;
    return fn({
      protocol: base.protocol,
      hostname,
      port,
      method,
      path: pathPrefix + path,
      headers: headers ? { ...c.base, ...headers } : c.base,
      agent: useAgent,
      // Plain HTTP has no TLS server name; saying so spares the Agent working one out per request.
      ...(secure ? c.tls : { servername: '' }),
    });
  }

  function readBody(res: IncomingMessage, onHead?: (head: string) => void): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        if (onHead && size === 0) {
          try {
            onHead(d.toString('latin1'));
          } catch {
            // Only a hint for the caller; the response itself is unaffected.
          }
        }
        size += d.length;
        if (size > maxBody) {
          res.destroy(new KubeApiError(`response larger than ${maxBody} bytes`, res.statusCode));
          return;
        }
        chunks.push(d);
      });
      res.on('end', () =>
        resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8')),
      );
      res.on('error', reject);
      res.on('aborted', () => reject(new KubeApiError('response aborted', res.statusCode)));
    });
  }

  function apiError(status: number, text: string, what: string): KubeApiError {
    let body: { reason?: string; message?: string; details?: unknown } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    return new KubeApiError(
      `${what}: ${status} ${body?.reason ?? ''} ${body?.message ?? text.slice(0, 200)}`.trim(),
      status,
      body?.reason,
      body?.message,
    );
  }

  async function request<T>(req: KubeRequest): Promise<T> {
    // The common case, cached credentials, without an extra await.
    const c = creds && creds.expiresAt > clock.now() ? creds : await credentials();
    const body =
      req.body === undefined
        ? undefined
        : typeof req.body === 'string'
          ? req.body
          : JSON.stringify(req.body);
    const headers =
      body === undefined
        ? undefined
        : {
            'content-type':
              req.contentType ??
              (req.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json'),
            'content-length': String(Buffer.byteLength(body)),
          };
    const what = `${req.method} ${req.path}`;
    const timeout = req.timeoutMs ?? defaultTimeout;
    return new Promise<T>((resolve, reject) => {
      const r = send(c, req.method, req.path + queryString(req.query), headers, agent);
      let done = false;
      const timer = clock.setTimeout(() => {
        if (done) return;
        done = true;
        // RST rather than FIN: bytes not yet on the wire must never reach the server later. Only a
        // plain TCP socket can be reset; a TLS socket throws ERR_INVALID_HANDLE_TYPE (found by the
        // lab, where it killed the controller from this timer), so that one is just destroyed.
        const sock = r.socket as (Socket & { resetAndDestroy?: () => void }) | null;
        try {
          sock?.resetAndDestroy?.();
        } catch {
          sock?.destroy();
        }
        r.destroy();
        reject(new KubeApiError(`${what}: timed out after ${timeout} ms`, undefined, 'Timeout'));
      }, timeout);
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        fn();
      };
      r.on('error', (e) =>
        finish(() =>
          reject(new KubeApiError(`${what}: ${e.message}`, undefined, undefined, undefined, e)),
        ),
      );
      r.on('response', (res) => {
        const status = res.statusCode ?? 0;
        readBody(res, status < 300 ? req.onHead : undefined).then(
          (text) =>
            finish(() => {
              if (status === 401) creds = undefined;
              if (status >= 400) return reject(apiError(status, text, what));
              try {
                resolve((text === '' || req.discardResponse ? undefined : JSON.parse(text)) as T);
              } catch (e) {
                reject(
                  new KubeApiError(
                    `${what}: response is not JSON`,
                    status,
                    undefined,
                    undefined,
                    e,
                  ),
                );
              }
            }),
          (e: unknown) =>
            finish(() =>
              reject(
                e instanceof KubeApiError
                  ? e
                  : new KubeApiError(`${what}: ${String(e)}`, undefined),
              ),
            ),
        );
      });
      r.end(body);
    });
  }

  function watch<T>(
    path: string,
    query: Readonly<Record<string, string | number | boolean | undefined>>,
    onEvent: (e: WatchEvent<T>) => void,
    onEnd: (error?: unknown) => void,
    skipLine?: (head: string) => boolean,
  ): WatchHandle {
    let ended = false;
    let closed = false;
    let r: ReturnType<typeof send> | undefined;
    const end = (e?: unknown) => {
      if (ended) return;
      ended = true;
      onEnd(closed ? undefined : e);
    };
    credentials().then(
      (c) => {
        if (closed) return end();
        r = send(c, 'GET', path + queryString({ ...query, watch: true }), undefined, watchAgent);
        r.on('error', (e) =>
          end(new KubeApiError(`watch ${path}: ${e.message}`, undefined, undefined, undefined, e)),
        );
        r.on('response', (res) => {
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            if (status === 401) creds = undefined;
            readBody(res).then(
              (text) => end(apiError(status, text, `watch ${path}`)),
              (e: unknown) => end(e),
            );
            return;
          }
          const lines = new LineSplitter();
          const onLine = (line: Buffer): boolean => {
            if (ended) return false;
            if (skipLine?.(line.toString('latin1', 0, Math.min(line.length, LINE_HEAD_BYTES))))
              return true;
            let ev: WatchEvent<T>;
            try {
              ev = JSON.parse(line.toString('utf8')) as WatchEvent<T>;
            } catch {
              // A torn stream: end it and let the informer resume from its resourceVersion.
              res.destroy();
              end(new KubeApiError(`watch ${path}: malformed event`, undefined));
              return false;
            }
            onEvent(ev);
            return true;
          };
          // Chunks wait for the end of this turn of the event loop: the answers to our own writes
          // that arrived in the same turn settle first, so the events they echo are known echoes
          // (skipLine) instead of being parsed — the API server sends a write's watch event just
          // before its answer, and about half of a 10k-write cold start's echoes used to win.
          let queued: Buffer[] = [];
          let queuedBytes = 0;
          const drain = () => {
            const chunks = queued;
            queued = [];
            queuedBytes = 0;
            for (const chunk of chunks) {
              if (ended) return;
              lines.push(chunk, onLine);
              if (lines.pendingBytes > maxBody && !ended) {
                res.destroy();
                end(
                  new KubeApiError(`watch ${path}: event larger than ${maxBody} bytes`, undefined),
                );
              }
            }
          };
          res.on('data', (chunk: Buffer) => {
            if (queued.length === 0) setImmediate(drain);
            queued.push(chunk);
            queuedBytes += chunk.length;
            if (queuedBytes > maxBody) drain();
          });
          // What arrived before the stream ended is delivered first.
          res.on('end', () => (drain(), end()));
          res.on('close', () => (drain(), end()));
          res.on('error', (e) => (drain(), end(e)));
        });
        r.end();
      },
      (e: unknown) => end(e),
    );
    return {
      close() {
        if (closed) return;
        closed = true;
        r?.destroy();
        end();
      },
    };
  }

  return {
    request,
    watch,
    close() {
      agent?.destroy();
      watchAgent?.destroy();
    },
  };
}
