// The speaker's process-level configuration from MetalLB's flags and environment, as plain data:
// memberlist (internal/speakerlist New: on iff a bind address and labels are set; member name =
// node name; key from <METALLB_ML_SECRET_KEY_PATH>/secretkey) and the interfaces Layer 2 never
// announces on (the metallb-excludel2 ConfigMap, speaker/main.go
// parseAnnouncedInterfacesToExclude). Reading files and the environment is the app's job.
import { parse } from 'yaml';
import { K8sGlueError } from '../errors.js';
import type { LogLine } from './types.js';

/** The memberlist port MetalLB (hashicorp/memberlist) uses by default. */
export const MEMBERLIST_DEFAULT_PORT = 7946;
/** The key of the memberlist Secret, and the file name it is mounted as. */
export const MEMBERLIST_SECRET_KEY_FILE = 'secretkey';

/** MetalLB's memberlist flags; each defaults to its environment variable, as in MetalLB. */
export interface MemberlistFlags {
  /** --ml-bindaddr (METALLB_ML_BIND_ADDR): the pod's (host network: the node's) address. */
  readonly mlBindAddr?: string;
  /** --ml-bindport (METALLB_ML_BIND_PORT), default 7946. */
  readonly mlBindPort?: string | number;
  /** --ml-labels (METALLB_ML_LABELS): the label selector of the speaker pods, e.g. `app=metallb,component=speaker`. */
  readonly mlLabels?: string;
  /** --ml-namespace (METALLB_ML_NAMESPACE), else --namespace (METALLB_NAMESPACE), else metallb-system. */
  readonly mlNamespace?: string;
  readonly namespace?: string;
  /** --ml-secret-key-path (METALLB_ML_SECRET_KEY_PATH): the folder the memberlist Secret is mounted in. */
  readonly mlSecretKeyPath?: string;
  /** --ml-wan-config: MetalLB's WAN timings. IronLB has `lan` and `fast`; this selects `lan`. */
  readonly mlWanConfig?: boolean;
  /** IronLB's timer profile: `fast` (default, sub-second failover) or `lan` (MetalLB's timings). */
  readonly mlProfile?: 'fast' | 'lan';
}

export type MemberlistPlan =
  | { readonly enabled: false; readonly log: readonly LogLine[] }
  | {
      readonly enabled: true;
      /** Member name: the node name (MetalLB matches it against EndpointSlices' nodeName). */
      readonly name: string;
      /** `host:port` to bind UDP and TCP to (IPv6 in brackets), also the address advertised. */
      readonly bindAddr: string;
      readonly profile: 'fast' | 'lan';
      /** Label selector of the speaker pods whose addresses are the join seeds. */
      readonly podLabelSelector: string;
      readonly namespace: string;
      /** The key file to read (and watch for rotation), when a key path is given. */
      readonly secretKeyFile?: string;
      readonly log: readonly LogLine[];
    };

const info = (msg: string): LogLine => ({ level: 'info', fields: { op: 'startup' }, msg });

/**
 * Memberlist as MetalLB's speaker sets it up: enabled when both a bind address and pod labels are
 * given; without it every Node counts as running a speaker.
 */
export function memberlistPlan(
  nodeName: string,
  flags: MemberlistFlags = {},
  env: Readonly<Record<string, string | undefined>> = {},
): MemberlistPlan {
  const pick = (flag: string | number | undefined, name: string) =>
    flag !== undefined && flag !== '' ? String(flag) : (env[name] ?? '');
  const bind = pick(flags.mlBindAddr, 'METALLB_ML_BIND_ADDR');
  const labels = pick(flags.mlLabels, 'METALLB_ML_LABELS');
  if (bind === '' || labels === '') {
    return {
      enabled: false,
      log: [
        info(
          'not starting fast dead node detection (memberlist), need ml-bindaddr / ml-labels config',
        ),
        info('when memberlist is disabled, the speaker pods must run on all nodes'),
      ],
    };
  }
  const portText = pick(flags.mlBindPort, 'METALLB_ML_BIND_PORT');
  const port = portText === '' ? MEMBERLIST_DEFAULT_PORT : Number(portText);
  if (!/^[0-9]+$/.test(portText === '' ? '0' : portText) || port < 1 || port > 65535) {
    throw new K8sGlueError(
      'INVALID_OPTION',
      `--ml-bindport / METALLB_ML_BIND_PORT must be a port number 1..65535, got ${JSON.stringify(portText)}`,
    );
  }
  if (!nodeName) {
    throw new K8sGlueError(
      'INVALID_OPTION',
      'the node name (--node-name / METALLB_NODE_NAME) is the memberlist member name and must be set',
    );
  }
  const namespace =
    pick(flags.mlNamespace, 'METALLB_ML_NAMESPACE') ||
    pick(flags.namespace, 'METALLB_NAMESPACE') ||
    'metallb-system';
  const keyPath = pick(flags.mlSecretKeyPath, 'METALLB_ML_SECRET_KEY_PATH');
  const log: LogLine[] = [];
  if (keyPath === '') {
    log.push({
      level: 'warn',
      fields: {
        op: 'startup',
        warning: 'no ml-secret-key set, memberlist traffic will not be encrypted',
      },
      msg: '',
    });
  }
  return {
    enabled: true,
    name: nodeName,
    bindAddr: bind.includes(':') ? `[${bind}]:${port}` : `${bind}:${port}`,
    profile: flags.mlProfile ?? (flags.mlWanConfig ? 'lan' : 'fast'),
    podLabelSelector: labels,
    namespace,
    ...(keyPath !== ''
      ? { secretKeyFile: `${keyPath.replace(/\/+$/, '')}/${MEMBERLIST_SECRET_KEY_FILE}` }
      : {}),
    log,
  };
}

/**
 * The memberlist secret from the key file's content: its bytes as they are (MetalLB uses the
 * file's text unchanged), or undefined for an empty file — then traffic is not encrypted, with
 * MetalLB's warning. Hand it to @ironlb/memberlist's deriveKey.
 */
export function memberlistSecretFromFile(content: string | Uint8Array | undefined): {
  readonly secret?: Uint8Array;
  readonly log?: LogLine;
} {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  if (!bytes || bytes.length === 0) {
    return {
      log: {
        level: 'warn',
        fields: {
          op: 'startup',
          warning: 'no ml-secret-key set, memberlist traffic will not be encrypted',
        },
        msg: '',
      },
    };
  }
  return { secret: bytes };
}

/**
 * The interface patterns MetalLB's manifests and Helm chart put in the metallb-excludel2 ConfigMap:
 * container, bridge and tunnel devices no address should be announced on.
 */
export const DEFAULT_EXCLUDED_INTERFACES: readonly string[] = [
  '^docker.*',
  '^cbr.*',
  '^dummy.*',
  '^virbr.*',
  '^lxcbr.*',
  '^veth.*',
  '^lo$',
  '^cali.*',
  '^tunl.*',
  '^flannel.*',
  '^kube-ipvs.*',
  '^cni.*',
  '^nodelocaldns.*',
  '^lxc.*',
];

/**
 * The patterns of the metallb-excludel2 ConfigMap's `excludel2.yaml` (`announcedInterfacesToExclude:
 * [...]`). No file = no exclusions (MetalLB); an unreadable file is a K8sGlueError naming it.
 */
export function parseExcludeL2(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [];
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new K8sGlueError('INVALID_OPTION', `excludel2.yaml is not YAML: ${(e as Error).message}`);
  }
  const list = (doc as { announcedInterfacesToExclude?: unknown } | null)
    ?.announcedInterfacesToExclude;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) {
    throw new K8sGlueError(
      'INVALID_OPTION',
      'excludel2.yaml: announcedInterfacesToExclude must be a list of regular expressions',
    );
  }
  for (const p of list) {
    try {
      new RegExp(p);
    } catch (e) {
      throw new K8sGlueError(
        'INVALID_OPTION',
        `excludel2.yaml: ${JSON.stringify(p)} is not a regular expression: ${(e as Error).message}`,
      );
    }
  }
  return list as string[];
}

/** Whether Layer 2 must not announce on this interface (any pattern matches, unanchored as in Go). */
export function interfaceExcluded(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => new RegExp(p).test(name));
}
