// Bearer-token authentication (k8s.io/apiserver/pkg/authentication): static tokens (the admin
// token of the kubeconfig this server writes, plus any given like --token-auth-file) and
// ServiceAccount JWTs this server signed, which stay valid only while their ServiceAccount (and
// bound Pod/Secret/Node) exists with the same uid. No credentials → system:anonymous; a token
// that is not valid → 401 even though anonymous requests are allowed (as kube-apiserver does).
import { objectKey, type Store } from '../store.ts';
import {
  ADMIN,
  ALL_AUTHENTICATED,
  ANONYMOUS,
  serviceAccountUser,
  type UserInfo,
} from './identity.ts';
import type { TokenSigner } from './tokens.ts';

/** The bearer token in the kubeconfig this server writes: the admin (system:masters). */
export const ADMIN_TOKEN = 'ironlb-test-token';

export interface StaticToken {
  token: string;
  username: string;
  uid?: string;
  /** `system:authenticated` is added. */
  groups?: string[];
}

export type AuthnResult = { user: UserInfo; anonymous: boolean } | { error: string };

export class Authenticator {
  private readonly tokens = new Map<string, UserInfo>();
  private readonly store: Store;
  private readonly signer: TokenSigner;
  private readonly audiences: readonly string[];

  constructor(
    store: Store,
    signer: TokenSigner,
    audiences: readonly string[],
    staticTokens: readonly StaticToken[] = [],
  ) {
    this.store = store;
    this.signer = signer;
    this.audiences = audiences;
    this.tokens.set(ADMIN_TOKEN, ADMIN);
    for (const t of staticTokens) {
      const groups = [...(t.groups ?? [])];
      if (!groups.includes(ALL_AUTHENTICATED)) groups.push(ALL_AUTHENTICATED);
      const u: UserInfo = { username: t.username, groups };
      if (t.uid) u.uid = t.uid;
      this.tokens.set(t.token, u);
    }
  }

  /** From the Authorization header's value (undefined = no credentials). */
  authenticate(authorization: string | undefined): AuthnResult {
    if (authorization === undefined || authorization.trim() === '')
      return { user: ANONYMOUS, anonymous: true };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return { error: 'only bearer tokens are accepted' };
    const token = m[1] as string;
    const known = this.tokens.get(token);
    if (known) return { user: known, anonymous: false };
    const claims = this.signer.verify(token, this.audiences);
    if (typeof claims === 'string') return { error: claims };
    const k = claims['kubernetes.io'];
    const sa = this.store.get('/serviceaccounts', objectKey(k.namespace, k.serviceaccount.name));
    if (!sa || sa.metadata.uid !== k.serviceaccount.uid || sa.metadata.deletionTimestamp)
      return { error: 'service account is gone or was recreated' };
    const bound: [string, { name: string; uid: string } | undefined][] = [
      ['/pods', k.pod],
      ['/secrets', k.secret],
    ];
    for (const [bucket, ref] of bound) {
      if (!ref) continue;
      const o = this.store.get(bucket, objectKey(k.namespace, ref.name));
      if (!o || o.metadata.uid !== ref.uid || o.metadata.deletionTimestamp)
        return { error: 'the object the token is bound to is gone' };
    }
    if (k.node) {
      const n = this.store.get('/nodes', k.node.name);
      if (!n || n.metadata.uid !== k.node.uid)
        return { error: 'the node the token is bound to is gone' };
    }
    const user = serviceAccountUser(k.namespace, k.serviceaccount.name, k.serviceaccount.uid);
    const extra: Record<string, string[]> = {
      'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`],
    };
    if (k.pod) {
      extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
    }
    user.extra = extra;
    return { user, anonymous: false };
  }
}
