// Multi-document YAML manifests as plain objects.
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

/** Every non-empty document of a YAML stream (comments and empty documents dropped). */
export function parseManifests(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw doc.errors[0];
    const v = doc.toJS() as K8sObject | null;
    if (v && typeof v === 'object') out.push(v);
  }
  return out;
}

/** The object of that kind and name; throws when it is not there (tests read clearer). */
export function findObject<T = K8sObject>(
  objs: readonly K8sObject[],
  kind: string,
  name: string,
): T {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in the manifest`);
  return o as T;
}
