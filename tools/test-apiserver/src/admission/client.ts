// The HTTPS POST of a webhook call (admission and conversion): TLS verified against the
// clientConfig's caBundle for the target's name, a deadline (timeoutSeconds), a bounded response,
// and failures worded the way Go's net/http and crypto/x509 word them inside kube-apiserver's
// messages (`Post "<url>": tls: failed to verify certificate: x509: certificate signed by unknown
// authority`), so the Status a client sees reads like a real cluster's.
import { request } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { WebhookTarget } from './endpoints.ts';

export interface CallOptions {
  timeoutMs: number;
  /** Responses larger than this fail the call. */
  maxResponseBytes: number;
}

/** A failed call: `message` is the `Post "<url>": <why>` text. */
export class WebhookCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookCallError';
  }
}

const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);

/** Go's wording of a transport failure. */
export function goError(
  e: NodeJS.ErrnoException & { cert?: PeerCertificate; host?: string },
  dial: string,
): string {
  const code = e.code ?? '';
  if (UNKNOWN_AUTHORITY.has(code))
    return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = (e.cert?.subjectaltname ?? '')
      .split(', ')
      .map((n) => n.replace(/^(DNS|IP Address):/, ''))
      .filter(Boolean);
    return `tls: failed to verify certificate: x509: certificate is valid for ${names.join(', ')}, not ${e.host ?? ''}`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  if (code === 'ECONNREFUSED') return `dial tcp ${dial}: connect: connection refused`;
  if (code === 'EHOSTUNREACH') return `dial tcp ${dial}: connect: no route to host`;
  if (code === 'ECONNRESET') return 'read: connection reset by peer';
  return e.message;
}

function httpStatusText(status: number, text: string): string {
  if (status === 404) return 'the server could not find the requested resource';
  if (status >= 500)
    return `an error on the server (${JSON.stringify(text.slice(0, 1024))}) has prevented the request from succeeding`;
  return `the server responded with the status code ${status} but did not return more information`;
}

/** POSTs `body` as JSON and returns the parsed JSON answer; throws WebhookCallError. */
export function postJson(target: WebhookTarget, body: unknown, o: CallOptions): Promise<unknown> {
  const prefix = `Post ${JSON.stringify(target.url)}: `;
  if ('error' in target.dial)
    return Promise.reject(new WebhookCallError(prefix + target.dial.error));
  const { host, port } = target.dial;
  const dialText = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    let done = false;
    const fail = (why: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      reject(new WebhookCallError(prefix + why));
    };
    const req = request(
      {
        host,
        port,
        path: target.path,
        method: 'POST',
        servername: /^[\d.]+$|:/.test(target.servername) ? undefined : target.servername,
        ca: target.caPem,
        rejectUnauthorized: true,
        checkServerIdentity: (_h, cert) => checkServerIdentity(target.servername, cert),
        agent: false,
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, */*',
          'Content-Length': data.length,
          'User-Agent': 'kube-apiserver-admission',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > o.maxResponseBytes)
            return fail(`the webhook response is larger than ${o.maxResponseBytes} bytes`);
          chunks.push(c);
        });
        res.on('error', (e) => fail(goError(e, dialText)));
        res.on('end', () => {
          if (done) return;
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) return fail(httpStatusText(status, text));
          try {
            const parsed = JSON.parse(text) as unknown;
            done = true;
            clearTimeout(timer);
            resolve(parsed);
          } catch (e) {
            fail(`the webhook response is not JSON: ${(e as Error).message}`);
          }
        });
      },
    );
    const timer = setTimeout(() => fail('context deadline exceeded'), o.timeoutMs);
    timer.unref();
    req.on('error', (e) => fail(goError(e as NodeJS.ErrnoException, dialText)));
    req.end(data);
  });
}
