// Shared by the deploy/ tests: typed views of the rendered workloads.
import { findObject, type K8sObject } from '../src/index.ts';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  livenessProbe?: { httpGet: { path: string; port: number; host?: string } };
  readinessProbe?: { httpGet: { path: string; port: number; host?: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsUser?: number;
    runAsNonRoot?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
  };
}
export interface PodSpec {
  serviceAccountName: string;
  hostNetwork?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: {
    name: string;
    secret?: { secretName: string };
    configMap?: { name: string; optional?: boolean };
  }[];
  tolerations?: { key: string; effect: string; operator: string }[];
  nodeSelector?: Record<string, string>;
  affinity?: unknown;
  imagePullSecrets?: { name: string }[];
  priorityClassName?: string;
}
export interface Workload extends K8sObject {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

export const workload = (objs: K8sObject[], kind: 'Deployment' | 'DaemonSet', name: string) =>
  findObject<Workload>(objs, kind, name);

export const container = (w: Workload): Container => {
  const c = w.spec.template.spec.containers[0];
  if (!c) throw new Error(`${w.metadata.name} has no container`);
  return c;
};

export const envOf = (c: Container): Record<string, string> =>
  Object.fromEntries(
    (c.env ?? []).map((e) => [
      e.name,
      e.value ?? (e.valueFrom?.fieldRef ? `fieldRef:${e.valueFrom.fieldRef.fieldPath}` : ''),
    ]),
  );

/** `a=b,c=d` (METALLB_ML_LABELS) matches these labels. */
export const labelSelectorMatches = (selector: string, labels: Record<string, string>) =>
  selector.split(',').every((kv) => {
    const [k, v] = kv.split('=');
    return k !== undefined && labels[k] === v;
  });
