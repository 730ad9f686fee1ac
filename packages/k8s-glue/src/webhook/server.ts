// The webhook HTTPS server (MetalLB: port 9443): AdmissionReview v1 on MetalLB's
// /validate-metallb-io-* paths, ConversionReview v1 on /convert, /healthz. I/O only: the
// decisions are decideAdmission() and handleConversionReview(); the current cluster objects
// come from an injected lister; the certificate can be swapped while serving.
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '@ironlb/clock';
import type { ClusterResources } from '../config/resources.js';
import { DEFAULT_NAMESPACE } from '../config/resources.js';
import {
  WEBHOOK_PATHS,
  admissionResponse,
  decideAdmission,
  type AdmissionDecision,
  type AdmissionRequest,
  type AdmissionReview,
} from './admission.js';
import { handleConversionReview, type ConversionReview } from './conversion.js';

export interface WebhookServerDeps {
  /** The metallb.io objects (and nodes, namespaces, secrets) that exist now. */
  readonly resources: () => Promise<ClusterResources>;
  /** Default silentLogger. */
  readonly logger?: Logger;
}

export interface WebhookServerOptions {
  readonly cert: string;
  readonly key: string;
  /** IronLB's namespace (default metallb-system). */
  readonly namespace?: string;
  /** Default 9443 (MetalLB); 0 picks a free port. */
  readonly port?: number;
  /** Default '0.0.0.0'. */
  readonly host?: string;
  /** Default 'TLSv1.3' (MetalLB --tls-min-version default). */
  readonly minTlsVersion?: TlsVersion;
  /** Requests larger than this are refused with 413 (default 3 MiB, the API server's limit). */
  readonly maxBodyBytes?: number;
}

/** TLS protocol versions (node:tls SecureVersion), spelled out so that the declarations need no @types/node. */
export type TlsVersion = 'TLSv1.3' | 'TLSv1.2' | 'TLSv1.1' | 'TLSv1';

/**
 * What the webhook exposes of its node:https Server: swapping the TLS context (certificate, and
 * the ciphers and curves the controller's flags choose) and emitting errors. Structural, so that
 * the package's declarations reference no Node type.
 */
export interface WebhookHttpsServer {
  setSecureContext(options: {
    cert: string;
    key: string;
    minVersion?: TlsVersion;
    ciphers?: string;
    ecdhCurve?: string;
  }): void;
  emit(event: 'error', error: Error): boolean;
}

export interface WebhookServer {
  listen(): Promise<{ port: number }>;
  close(): Promise<void>;
  /** New connections use the new certificate; open ones finish with the old. */
  updateCertificate(cert: string, key: string): void;
  readonly server: WebhookHttpsServer;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) throw new HttpError(413, 'request body too large');
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not JSON');
  }
}

export function createWebhookServer(
  deps: WebhookServerDeps,
  options: WebhookServerOptions,
): WebhookServer {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const max = options.maxBodyBytes ?? 3 * 1024 * 1024;
  const log = deps.logger ?? silentLogger;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
    });
    res.end(text);
  };

  const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

  /** Never throws: every failure becomes a denial that says what went wrong. */
  async function decide(request: AdmissionRequest): Promise<AdmissionDecision> {
    let existing: ClusterResources;
    try {
      existing = await deps.resources();
    } catch (e) {
      // MetalLB denies when it cannot list the existing objects; so do we, with the reason.
      log.error({ op: 'admission', error: String(e) }, 'failed to get existing objects');
      return { allowed: false, message: `failed to get existing objects: ${reason(e)}` };
    }
    try {
      return decideAdmission(request, existing, namespace);
    } catch (e) {
      // decideAdmission denies malformed objects itself; anything else that escapes is a bug.
      // Deny (fail closed) naming the object, rather than answer 500 with no reason.
      const name = request.name ?? (request.object ?? request.oldObject)?.metadata?.name ?? '';
      log.error(
        { op: 'admission', kind: request.kind.kind, name, error: String(e) },
        'admission decision failed',
      );
      return {
        allowed: false,
        message: `cannot validate ${request.kind.kind} ${name}: ${reason(e)}`,
      };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz'))
      return send(res, 200, 'ok');
    if (req.method !== 'POST') throw new HttpError(405, 'method not allowed');
    if (path === '/convert') {
      const review = (await readJson(req, max)) as ConversionReview;
      return send(res, 200, handleConversionReview(review));
    }
    const kindOfPath = WEBHOOK_PATHS[path];
    if (!kindOfPath) throw new HttpError(404, 'not found');
    const review = (await readJson(req, max)) as AdmissionReview;
    const request = review?.request;
    if (!request || typeof request.uid !== 'string' || !request.kind) {
      throw new HttpError(400, 'not an AdmissionReview request');
    }
    const decision = await decide(request);
    log.info(
      {
        op: 'admission',
        kind: request.kind.kind,
        name: request.name,
        operation: request.operation,
        allowed: decision.allowed,
      },
      decision.allowed ? 'admitted' : `denied: ${decision.message ?? ''}`,
    );
    return send(res, 200, admissionResponse(request.uid, decision));
  }

  const server = createServer(
    { cert: options.cert, key: options.key, minVersion: options.minTlsVersion ?? 'TLSv1.3' },
    (req, res) => {
      handle(req, res).catch((e: unknown) => {
        const status = e instanceof HttpError ? e.status : 500;
        if (status === 500) log.error({ error: String(e) }, 'webhook request failed');
        if (!res.headersSent) send(res, status, e instanceof Error ? e.message : 'error');
        else res.destroy();
      });
    },
  );

  // A server 'error' after listen (EMFILE/ENFILE when accept() fails, for instance) must not
  // become an uncaught exception that kills the controller: Node's net.Server keeps listening
  // after such errors, so they are logged and serving goes on. listen() adds its own one-shot
  // listener only to reject its promise.
  server.on('error', (e: Error) => {
    log.error({ op: 'server', error: String(e) }, 'webhook server error');
  });

  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 9443, options.host ?? '0.0.0.0', () => {
          server.off('error', reject);
          resolve({ port: (server.address() as AddressInfo).port });
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    updateCertificate(cert, key) {
      server.setSecureContext({ cert, key, minVersion: options.minTlsVersion ?? 'TLSv1.3' });
      log.info({ op: 'certRotation' }, 'webhook serving certificate updated');
    },
  };
}
