// What the kubelet stand-in hands a container (pure): its environment (values, fieldRef,
// secretKeyRef, configMapKeyRef, envFrom, $(VAR) expansion, the kubernetes Service variables) and
// the files of its volumes (secret, configMap, projected service-account token, downwardAPI,
// emptyDir) — so IronLB's pods start with exactly what their manifests say, as in a cluster.
import type { V1ConfigMap, V1Container, V1Pod, V1Secret, V1Volume } from '@kubernetes/client-node';

export interface PodContext {
  pod: V1Pod;
  hostIP: string;
  hostIPs: string[];
  podIP: string;
  podIPs: string[];
  secret(namespace: string, name: string): V1Secret | undefined;
  configMap(namespace: string, name: string): V1ConfigMap | undefined;
  /** The `kubernetes` Service address clients in pods use (KUBERNETES_SERVICE_HOST/PORT). */
  kubernetesService: { host: string; port: number };
}

export class PodSpecError extends Error {
  override readonly name = 'PodSpecError';
  readonly reason: 'CreateContainerConfigError';
  constructor(reason: 'CreateContainerConfigError', message: string) {
    super(message);
    this.reason = reason;
  }
}

function fieldRef(ctx: PodContext, path: string): string {
  const m = ctx.pod.metadata ?? {};
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return m.labels?.[label[1] as string] ?? '';
  const ann = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (ann) return m.annotations?.[ann[1] as string] ?? '';
  switch (path) {
    case 'metadata.name':
      return m.name ?? '';
    case 'metadata.namespace':
      return m.namespace ?? '';
    case 'metadata.uid':
      return m.uid ?? '';
    case 'spec.nodeName':
      return ctx.pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return ctx.pod.spec?.serviceAccountName ?? 'default';
    case 'status.hostIP':
      return ctx.hostIP;
    case 'status.hostIPs':
      return ctx.hostIPs.join(',');
    case 'status.podIP':
      return ctx.podIP;
    case 'status.podIPs':
      return ctx.podIPs.join(',');
    default:
      throw new PodSpecError('CreateContainerConfigError', `unsupported fieldPath ${path}`);
  }
}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

/** $(VAR) references to earlier variables are expanded; $$(VAR) is a literal $(VAR). */
export function expand(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g,
    (whole, name: string | undefined) => {
      if (whole === '$$') return '$';
      return name !== undefined && name in env ? (env[name] as string) : whole;
    },
  );
}

export function containerEnv(ctx: PodContext, c: V1Container): Record<string, string> {
  const ns = ctx.pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = {
    KUBERNETES_SERVICE_HOST: ctx.kubernetesService.host,
    KUBERNETES_SERVICE_PORT: String(ctx.kubernetesService.port),
    KUBERNETES_SERVICE_PORT_HTTPS: String(ctx.kubernetesService.port),
    KUBERNETES_PORT: `tcp://${ctx.kubernetesService.host}:${ctx.kubernetesService.port}`,
    HOSTNAME: ctx.pod.spec?.hostNetwork
      ? (ctx.pod.spec.nodeName ?? '')
      : (ctx.pod.metadata?.name ?? ''),
  };
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = ctx.configMap(ns, from.configMapRef.name ?? '');
      if (!cm && !from.configMapRef.optional)
        throw new PodSpecError(
          'CreateContainerConfigError',
          `configmap "${from.configMapRef.name}" not found`,
        );
      for (const [k, v] of Object.entries(cm?.data ?? {})) env[prefix + k] = v;
    }
    if (from.secretRef) {
      const s = ctx.secret(ns, from.secretRef.name ?? '');
      if (!s && !from.secretRef.optional)
        throw new PodSpecError(
          'CreateContainerConfigError',
          `secret "${from.secretRef.name}" not found`,
        );
      for (const [k, v] of Object.entries(s?.data ?? {})) env[prefix + k] = decode(v);
    }
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) {
      env[e.name] = expand(e.value, env);
      continue;
    }
    const vf = e.valueFrom;
    if (!vf) {
      env[e.name] = '';
    } else if (vf.fieldRef) {
      env[e.name] = fieldRef(ctx, vf.fieldRef.fieldPath);
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const v = ctx.secret(ns, ref.name ?? '')?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new PodSpecError(
          'CreateContainerConfigError',
          `secret "${ref.name}" key "${ref.key}" not found`,
        );
      }
      env[e.name] = decode(v);
    } else if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const v = ctx.configMap(ns, ref.name ?? '')?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new PodSpecError(
          'CreateContainerConfigError',
          `configmap "${ref.name}" key "${ref.key}" not found`,
        );
      }
      env[e.name] = v;
    } else if (vf.resourceFieldRef) {
      env[e.name] = '0';
    }
  }
  return env;
}

/** The argv of a container: command (or the image's entrypoint) + args, $(VAR) expanded. */
export function containerArgv(
  c: V1Container,
  env: Record<string, string>,
  entrypoint: string[],
): string[] {
  const command = c.command?.length ? c.command : entrypoint;
  return [...command, ...(c.args ?? [])].map((a) => expand(a, env));
}

export interface VolumeFiles {
  /** Relative path → content. */
  files: Record<string, string | Uint8Array>;
  /** An emptyDir: a writable empty folder. */
  emptyDir?: boolean;
  /** A hostPath: bind this host path. */
  hostPath?: string;
}

export const SA_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

function keyItems(
  data: Record<string, string | Uint8Array>,
  items: { key: string; path: string }[] | undefined,
): Record<string, string | Uint8Array> {
  if (!items?.length) return data;
  const out: Record<string, string | Uint8Array> = {};
  for (const it of items) if (it.key in data) out[it.path] = data[it.key] as string | Uint8Array;
  return out;
}

/** The files of one volume; a missing non-optional source is a CreateContainerConfigError. */
export function volumeFiles(
  ctx: PodContext,
  v: V1Volume,
  token: string,
  caPem: string,
): VolumeFiles {
  const ns = ctx.pod.metadata?.namespace ?? 'default';
  const secretData = (name: string, optional?: boolean): Record<string, Uint8Array> => {
    const s = ctx.secret(ns, name);
    if (!s && !optional)
      throw new PodSpecError('CreateContainerConfigError', `secret "${name}" not found`);
    return Object.fromEntries(
      Object.entries(s?.data ?? {}).map(([k, b]) => [k, Buffer.from(b, 'base64')]),
    );
  };
  const cmData = (name: string, optional?: boolean): Record<string, string> => {
    const cm = ctx.configMap(ns, name);
    if (!cm && !optional)
      throw new PodSpecError('CreateContainerConfigError', `configmap "${name}" not found`);
    return { ...(cm?.data ?? {}) };
  };
  if (v.secret)
    return {
      files: keyItems(secretData(v.secret.secretName ?? '', v.secret.optional), v.secret.items),
    };
  if (v.configMap)
    return {
      files: keyItems(cmData(v.configMap.name ?? '', v.configMap.optional), v.configMap.items),
    };
  if (v.emptyDir) return { files: {}, emptyDir: true };
  if (v.hostPath) return { files: {}, hostPath: v.hostPath.path };
  if (v.downwardAPI) {
    const files: Record<string, string> = {};
    for (const it of v.downwardAPI.items ?? [])
      if (it.fieldRef) files[it.path] = fieldRef(ctx, it.fieldRef.fieldPath);
    return { files };
  }
  if (v.projected) {
    const files: Record<string, string | Uint8Array> = {};
    for (const src of v.projected.sources ?? []) {
      if (src.serviceAccountToken) files[src.serviceAccountToken.path] = token;
      if (src.configMap)
        Object.assign(
          files,
          keyItems(cmData(src.configMap.name ?? '', src.configMap.optional), src.configMap.items),
        );
      if (src.secret)
        Object.assign(
          files,
          keyItems(secretData(src.secret.name ?? '', src.secret.optional), src.secret.items),
        );
      if (src.downwardAPI)
        for (const it of src.downwardAPI.items ?? [])
          if (it.fieldRef) files[it.path] = fieldRef(ctx, it.fieldRef.fieldPath);
    }
    return { files };
  }
  void caPem;
  throw new PodSpecError(
    'CreateContainerConfigError',
    `volume "${v.name}": unsupported volume type`,
  );
}

/** Whether the kubelet should mount the service-account token (automount, no explicit mount). */
export function wantsServiceAccountMount(pod: V1Pod, c: V1Container): boolean {
  if (pod.spec?.automountServiceAccountToken === false) return false;
  return !(c.volumeMounts ?? []).some((m) => m.mountPath === SA_MOUNT);
}

// Capabilities a container runtime (containerd, CRI-O) gives a container by default.
export const DEFAULT_CAPS = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
];

export interface Security {
  uid: number;
  gid: number;
  /** Effective capabilities (upper case, without CAP_), or 'all' when privileged. */
  caps: string[] | 'all';
  noNewPrivs: boolean;
}

/**
 * The process identity and capabilities the pod's securityContext asks for, as a runtime applies
 * them: runAsUser/runAsGroup (container over pod over the image's user), the default capability
 * set minus `drop` plus `add` (privileged = all), allowPrivilegeEscalation false = no_new_privs.
 * Running IronLB's pods this way proves the manifests' least privilege (only NET_RAW for the
 * speaker, none for the controller) is enough.
 */
export function securityOf(pod: V1Pod, c: V1Container, imageUser: number): Security {
  const ps = pod.spec?.securityContext;
  const cs = c.securityContext;
  const uid = cs?.runAsUser ?? ps?.runAsUser ?? imageUser;
  const gid = cs?.runAsGroup ?? ps?.runAsGroup ?? uid;
  if (cs?.privileged) return { uid, gid, caps: 'all', noNewPrivs: false };
  const drop = (cs?.capabilities?.drop ?? []).map((x) => x.toUpperCase().replace(/^CAP_/, ''));
  const add = (cs?.capabilities?.add ?? []).map((x) => x.toUpperCase().replace(/^CAP_/, ''));
  const base = drop.includes('ALL') ? [] : DEFAULT_CAPS.filter((x) => !drop.includes(x));
  const caps = [...new Set([...base, ...add])].sort();
  return { uid, gid, caps, noNewPrivs: cs?.allowPrivilegeEscalation === false };
}

/** `setpriv` arguments that drop to `s` at exec (the mounts are made before, as root). */
export function setprivArgv(s: Security): string[] {
  if (s.caps === 'all' && s.uid === 0) return [];
  const list =
    s.caps === 'all' ? '+all' : ['-all', ...s.caps.map((x) => `+${x.toLowerCase()}`)].join(',');
  const argv = ['setpriv', `--bounding-set=${list}`, `--inh-caps=${list}`];
  if (s.uid !== 0)
    argv.push(`--ambient-caps=${list}`, `--reuid=${s.uid}`, `--regid=${s.gid}`, '--clear-groups');
  if (s.noNewPrivs) argv.push('--no-new-privs');
  return argv;
}
