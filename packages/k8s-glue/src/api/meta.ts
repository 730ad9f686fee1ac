// The parts of Kubernetes' core objects that k8s-glue reads. Plain structural types so that
// callers can pass objects from @kubernetes/client-node, from YAML or from tests alike.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  generation?: number;
  uid?: string;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface NamespaceObject {
  metadata: ObjectMeta;
}

export interface NodeObject {
  metadata: ObjectMeta;
}

export interface SecretObject {
  metadata: ObjectMeta;
  type?: string;
  /** Base64-encoded values, as the API returns them. */
  data?: Record<string, string>;
  /** Plain values (write-only in the API; accepted here for tests and YAML). */
  stringData?: Record<string, string>;
}

export interface ConfigMapObject {
  metadata: ObjectMeta;
  data?: Record<string, string>;
}
