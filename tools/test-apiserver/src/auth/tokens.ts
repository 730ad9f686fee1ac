// ServiceAccount tokens as kube-apiserver issues them for TokenRequest (bound tokens,
// pkg/serviceaccount/claims.go): a JWT with iss/sub/aud/exp/iat/nbf/jti and the
// `kubernetes.io` claim naming the namespace, the ServiceAccount (and its uid) and an optional
// bound object. Signed ES256 with a key made at start-up (kept next to --data so tokens survive a
// restart). Verification checks signature, issuer, audience and time; the authenticator then
// checks the ServiceAccount (and bound object) still exist with the same uid.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface BoundObject {
  kind: string;
  name: string;
  uid: string;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
    secret?: { name: string; uid: string };
    node?: { name: string; uid: string };
  };
}

export interface IssueRequest {
  namespace: string;
  name: string;
  uid: string;
  audiences: string[];
  expirationSeconds: number;
  bound?: BoundObject | undefined;
  /** Seconds since the epoch; default now. */
  nowSec?: number;
}

function b64url(buf: Buffer | string): string {
  return Buffer.from(buf).toString('base64url');
}

export class TokenSigner {
  readonly issuer: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  /** `keyFile`: where the signing key is kept across restarts (created if missing). */
  constructor(options: { issuer?: string; keyFile?: string | undefined } = {}) {
    this.issuer = options.issuer ?? DEFAULT_ISSUER;
    if (options.keyFile && existsSync(options.keyFile)) {
      this.privateKey = createPrivateKey(readFileSync(options.keyFile, 'utf8'));
    } else {
      this.privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      if (options.keyFile)
        writeFileSync(
          options.keyFile,
          this.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
          { mode: 0o600 },
        );
    }
    this.publicKey = createPublicKey(this.privateKey);
  }

  issue(r: IssueRequest): { token: string; claims: TokenClaims } {
    const now = r.nowSec ?? Math.floor(Date.now() / 1000);
    const k8s: TokenClaims['kubernetes.io'] = {
      namespace: r.namespace,
      serviceaccount: { name: r.name, uid: r.uid },
    };
    if (r.bound) {
      const key = r.bound.kind.toLowerCase() as 'pod' | 'secret' | 'node';
      k8s[key] = { name: r.bound.name, uid: r.bound.uid };
    }
    const claims: TokenClaims = {
      aud: r.audiences,
      exp: now + r.expirationSeconds,
      iat: now,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': k8s,
      nbf: now,
      sub: `system:serviceaccount:${r.namespace}:${r.name}`,
    };
    const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT' }));
    const payload = b64url(JSON.stringify(claims));
    const sig = sign('sha256', Buffer.from(`${header}.${payload}`), {
      key: this.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return { token: `${header}.${payload}.${b64url(sig)}`, claims };
  }

  /**
   * The claims of a token this server signed that is valid now for one of `audiences`, or a
   * reason it is not (never thrown: any malformed input is just "not ours").
   */
  verify(
    token: string,
    audiences: readonly string[],
    nowSec = Math.floor(Date.now() / 1000),
  ): TokenClaims | string {
    const parts = token.split('.');
    if (parts.length !== 3) return 'not a JWT';
    const [h, p, s] = parts as [string, string, string];
    let header: unknown;
    let claims: TokenClaims;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return 'malformed JWT';
    }
    if ((header as { alg?: unknown }).alg !== 'ES256') return 'unexpected signing algorithm';
    const ok = verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      { key: this.publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(s, 'base64url'),
    );
    if (!ok) return 'invalid signature';
    if (claims.iss !== this.issuer) return 'unexpected issuer';
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => audiences.includes(a))) return 'token audiences do not match';
    if (typeof claims.exp !== 'number' || nowSec >= claims.exp) return 'token has expired';
    if (typeof claims.nbf === 'number' && nowSec < claims.nbf - 60) return 'token is not valid yet';
    const k8s = claims['kubernetes.io'];
    if (!k8s || typeof k8s.namespace !== 'string' || !k8s.serviceaccount)
      return 'not a ServiceAccount token';
    return claims;
  }
}
