// ServiceAccount credentials for in-process users of the server (the lab's stand-in kubelet, tests):
// a token as TokenRequest would issue it, and the files a Pod finds under
// /var/run/secrets/kubernetes.io/serviceaccount (token, ca.crt, namespace).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { notFound } from '../errors.ts';
import type { ApiCore } from '../server/api.ts';
import { objectKey } from '../store.ts';

export interface ServiceAccountTokenOptions {
  /** Default 3600 (kube-apiserver's TokenRequest default). */
  expirationSeconds?: number;
  /** Default the API server's audiences. */
  audiences?: string[];
  /** Bind the token to a Pod: it stops working when the Pod is gone. */
  boundPod?: string;
}

export function issueServiceAccountToken(
  core: ApiCore,
  namespace: string,
  name: string,
  opts: ServiceAccountTokenOptions = {},
): string {
  const sa = core.store.get('/serviceaccounts', objectKey(namespace, name));
  if (!sa) throw notFound({ group: '', resource: 'serviceaccounts' }, name);
  let bound: { kind: string; name: string; uid: string } | undefined;
  if (opts.boundPod) {
    const pod = core.store.get('/pods', objectKey(namespace, opts.boundPod));
    if (!pod) throw notFound({ group: '', resource: 'pods' }, opts.boundPod);
    bound = { kind: 'Pod', name: opts.boundPod, uid: String(pod.metadata.uid) };
  }
  return core.access.signer.issue({
    namespace,
    name,
    uid: String(sa.metadata.uid),
    audiences: opts.audiences ?? core.access.audiences,
    expirationSeconds: opts.expirationSeconds ?? 3600,
    bound,
  }).token;
}

export function writeServiceAccountMount(
  core: ApiCore,
  caPem: string | undefined,
  dir: string,
  namespace: string,
  name: string,
  opts: ServiceAccountTokenOptions = {},
): string {
  const token = issueServiceAccountToken(core, namespace, name, opts);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'token'), token, { mode: 0o600 });
  writeFileSync(join(dir, 'ca.crt'), caPem ?? '');
  writeFileSync(join(dir, 'namespace'), namespace);
  return token;
}
