// What both processes (controller, speaker) need to start: the namespace they run in, and the
// certificate of their metrics endpoint. Kept apart from controller-app.ts so that the speaker's
// bundle does not load the controller's (and its webhook server's) code.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_NAMESPACE } from '../config/resources.js';
import { K8sGlueError } from '../errors.js';
import { generateCa, issueServingCert } from '../webhook/certs.js';

export const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** MetalLB's namespace resolution, with IronLB's default when nothing says otherwise. */
export function resolveNamespace(flag: string): string {
  if (flag) return flag;
  if (existsSync(SERVICE_ACCOUNT_NAMESPACE)) {
    const ns = readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim();
    if (ns) return ns;
  }
  return DEFAULT_NAMESPACE;
}

/** tls.crt / tls.key of a folder (--cert-dir, --metrics-cert-dir). */
export function readPair(dir: string, what: string): { cert: string; key: string } {
  try {
    return {
      cert: readFileSync(join(dir, 'tls.crt'), 'utf8'),
      key: readFileSync(join(dir, 'tls.key'), 'utf8'),
    };
  } catch (e) {
    throw new K8sGlueError(
      'INVALID_OPTION',
      `${what}: cannot read tls.crt / tls.key in ${dir}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** A self-signed certificate for /metrics (MetalLB generates one in memory the same way). */
export async function selfSigned(nowMs: number): Promise<{ cert: string; key: string }> {
  const host = hostname();
  const ca = await generateCa(`${host}-ca@${Math.floor(nowMs / 1000)}`, nowMs, 365 * 86_400_000);
  const serving = await issueServingCert(ca, [host, 'localhost'], nowMs, 365 * 86_400_000);
  return { cert: serving.certPem + ca.certPem, key: serving.keyPem };
}
