// The speaker's command line: MetalLB's speaker flags and environment variables (speaker/main.go,
// metallb-behaviour.md §12) in Go's flag syntax, plus IronLB's own (`--kubeconfig`,
// `--gratuitous-arp-interval`, `--ml-profile`, `--handover-timeout`). Flags that mean nothing for
// IronLB (FRR modes, pprof) are accepted and reported as warnings, so MetalLB's manifests and Helm
// values keep working. Pure: argv and env in, options or errors out.
import {
  TLS_FLAGS,
  checkLogLevel,
  flagError,
  flagUsage,
  parseBgpType,
  parseTlsFlags,
  readGoFlags,
  type FlagDef,
  type TlsFlags,
} from '../flags/go-flags.js';
import { MEMBERLIST_DEFAULT_PORT } from '../announce/speaker-config.js';

export type MemberlistProfileFlag = 'fast' | 'lan';

export interface SpeakerFlags extends TlsFlags {
  /** --node-name / METALLB_NODE_NAME: this node (required). */
  readonly nodeName: string;
  /** --host / METALLB_HOST: the node's address (MetalLB: the metrics host); '' = all addresses. */
  readonly host: string;
  /** --namespace / METALLB_NAMESPACE ('' = the service-account namespace, else metallb-system). */
  readonly namespace: string;
  /** --pod-name / METALLB_POD_NAME: owner of the status objects this speaker writes. */
  readonly podName: string;
  /** --ml-bindaddr / METALLB_ML_BIND_ADDR ('' = memberlist off). */
  readonly mlBindAddr: string;
  /** --ml-bindport / METALLB_ML_BIND_PORT (default 7946). */
  readonly mlBindPort: number;
  /** --ml-labels / METALLB_ML_LABELS: label selector of the speaker Pods ('' = memberlist off). */
  readonly mlLabels: string;
  /** --ml-namespace / METALLB_ML_NAMESPACE: where the speaker Pods run ('' = --namespace). */
  readonly mlNamespace: string;
  /** --ml-secret-key-path / METALLB_ML_SECRET_KEY_PATH: folder holding `secretkey` ('' = plaintext). */
  readonly mlSecretKeyPath: string;
  /** --ml-wan-config: hashicorp's WAN timers (slow links between nodes). */
  readonly mlWanConfig: boolean;
  /**
   * --ml-profile (IronLB): memberlist timers, `fast` or `lan` (MetalLB's); undefined when not
   * given (then `fast`, or `lan` with --ml-wan-config).
   */
  readonly mlProfile: MemberlistProfileFlag | undefined;
  /** --port: metrics port (default 9120; 0 disables metrics). */
  readonly metricsPort: number;
  /** --health-probe-port (default 17472, on 127.0.0.1: the speaker runs on the host network). */
  readonly healthProbePort: number;
  /** --log-level: all|debug|info|warn|error|none (default info). */
  readonly logLevel: string;
  /** --lb-class ('' = Services without a class). */
  readonly lbClass: string;
  /** --ignore-exclude-lb: announce from nodes labelled exclude-from-external-load-balancers. */
  readonly ignoreExcludeLb: boolean;
  /** --gratuitous-arp-interval (IronLB; MetalLB #2910): periodic re-announcement, 0 = off. */
  readonly gratuitousArpIntervalMs: number;
  /** --handover-timeout (IronLB): on SIGTERM, answer at most this long for the next node. */
  readonly handoverTimeoutMs: number;
  /**
   * --ml-key-rotation-grace (IronLB): a new memberlist key read from the file is accepted at once
   * and used to send after this long (every kubelet has updated its copy by then).
   */
  readonly mlKeyRotationGraceMs: number;
  /** METALLB_BGP_TYPE (default native; IronLB always runs its own BGP speaker). */
  readonly bgpType: string;
  /** --kubeconfig (IronLB; '' = in-cluster or $KUBECONFIG / ~/.kube/config). */
  readonly kubeconfig: string;
  /** --allow-metallb (IronLB; default false): start even though MetalLB's pods run in the namespace. */
  readonly allowMetalLB: boolean;
  readonly help: boolean;
}

export interface ParsedSpeakerFlags {
  readonly flags: SpeakerFlags;
  /** Accepted but ignored or adapted; the app logs each one. */
  readonly warnings: readonly string[];
}

/** Every flag: MetalLB's names first, IronLB's after. Used for --help too. */
export const SPEAKER_FLAGS: Readonly<Record<string, FlagDef>> = {
  'node-name': {
    kind: 'string',
    def: '',
    env: 'METALLB_NODE_NAME',
    help: 'name of this Kubernetes node (spec.nodeName); required',
  },
  host: {
    kind: 'string',
    def: '',
    env: 'METALLB_HOST',
    help: "this node's address (status.hostIP); the metrics endpoint binds it when set",
  },
  namespace: {
    kind: 'string',
    def: '',
    env: 'METALLB_NAMESPACE',
    help: 'config and speakers namespace (default: the service account namespace, else metallb-system)',
  },
  'pod-name': {
    kind: 'string',
    def: '',
    env: 'METALLB_POD_NAME',
    help: 'name of this speaker pod (owner of the status objects it writes)',
  },
  'ml-bindaddr': {
    kind: 'string',
    def: '',
    env: 'METALLB_ML_BIND_ADDR',
    help: 'bind address of memberlist (fast dead node detection); memberlist runs when this and --ml-labels are set',
  },
  'ml-bindport': {
    kind: 'string',
    def: '',
    env: 'METALLB_ML_BIND_PORT',
    help: 'bind port of memberlist (default 7946)',
  },
  'ml-labels': {
    kind: 'string',
    def: '',
    env: 'METALLB_ML_LABELS',
    help: 'label selector of the speaker pods (memberlist peers)',
  },
  'ml-namespace': {
    kind: 'string',
    def: '',
    env: 'METALLB_ML_NAMESPACE',
    help: 'namespace of the speaker pods (default: --namespace)',
  },
  'ml-secret-key-path': {
    kind: 'string',
    def: '',
    env: 'METALLB_ML_SECRET_KEY_PATH',
    help: 'folder where the memberlist secret key is mounted (file secretkey; re-read when it changes)',
  },
  'ml-wan-config': {
    kind: 'bool',
    def: 'false',
    help: "MetalLB's WAN memberlist setting: IronLB runs the lan profile (hashicorp's LAN timers) unless --ml-profile says otherwise",
  },
  port: {
    kind: 'int',
    def: '9120',
    help: 'HTTPS listening port for Prometheus metrics; 0 disables metrics',
  },
  'health-probe-port': {
    kind: 'int',
    def: '17472',
    help: 'port of /healthz and /readyz, on 127.0.0.1',
  },
  'log-level': {
    kind: 'string',
    def: 'info',
    help: 'log level: all, debug, info, warn, error, none',
  },
  'lb-class': {
    kind: 'string',
    def: '',
    help: 'handle only Services with this spec.loadBalancerClass (default: only Services without one)',
  },
  'ignore-exclude-lb': {
    kind: 'bool',
    def: 'false',
    help: 'announce from nodes labelled node.kubernetes.io/exclude-from-external-load-balancers',
  },
  'pprof-bind-address': {
    kind: 'string',
    def: '',
    help: '(accepted for MetalLB compatibility; IronLB has no pprof endpoint)',
  },
  'enable-pprof': {
    kind: 'bool',
    def: 'false',
    help: '(accepted for MetalLB compatibility; IronLB has no pprof endpoint)',
  },
  'disable-epslices': {
    kind: 'bool',
    def: 'false',
    help: '(accepted for MetalLB compatibility; IronLB always reads EndpointSlices)',
  },
  'frrk8s-namespace': {
    kind: 'string',
    def: '',
    env: 'FRRK8S_NAMESPACE',
    help: '(accepted for MetalLB compatibility; IronLB speaks BGP itself, without FRR)',
  },
  'frrk8s-secret-passthrough': {
    kind: 'bool',
    def: 'false',
    help: '(accepted for MetalLB compatibility; IronLB speaks BGP itself, without FRR)',
  },
  'bgp-debounce-timeout': {
    kind: 'string',
    def: '',
    env: 'METALLB_BGP_DEBOUNCE_TIMEOUT',
    help: '(accepted for MetalLB compatibility; IronLB sends BGP changes at once)',
  },
  ...TLS_FLAGS,
  kubeconfig: {
    kind: 'string',
    def: '',
    help: 'kubeconfig file (default: in-cluster config, else $KUBECONFIG or ~/.kube/config)',
  },
  'gratuitous-arp-interval': {
    kind: 'duration',
    def: '0s',
    help: 'also re-send gratuitous ARP / unsolicited NA for every announced address this often (MetalLB #2910); 0 = only on changes',
  },
  'ml-profile': {
    kind: 'string',
    def: '',
    help: "memberlist timers: fast (crash detected in ~0.4 s; the default) or lan (hashicorp's LAN defaults, MetalLB's ~6 s; the default with --ml-wan-config)",
  },
  'handover-timeout': {
    kind: 'duration',
    def: '10s',
    help: 'on SIGTERM, keep answering for the announced addresses at most this long while the next node takes over',
  },
  'ml-key-rotation-grace': {
    kind: 'duration',
    def: '2m',
    help: 'a changed memberlist key is accepted at once and used to send after this long, when every node has read it',
  },
  'allow-metallb': {
    kind: 'bool',
    def: 'false',
    help: "start even though MetalLB's pods run in the namespace (both would announce every address; see MIGRATING.md)",
  },
  help: { kind: 'bool', def: 'false', help: 'print this help' },
};

/** The --help text. */
export function speakerUsage(): string {
  return flagUsage(
    'Usage: ironlb-speaker [flags]\n\nFlags (MetalLB speaker flags, then IronLB additions):',
    SPEAKER_FLAGS,
    [
      'Environment: METALLB_BGP_TYPE (native|frr|frr-k8s; IronLB always runs its own BGP speaker).',
      'memberlist runs when --ml-bindaddr and --ml-labels are both set (MetalLB: METALLB_ML_BIND_ADDR,',
      'METALLB_ML_LABELS); its key is <--ml-secret-key-path>/secretkey.',
    ],
  );
}

/** Parses argv (without node and script) and the environment. Throws K8sGlueError INVALID_OPTION. */
export function parseSpeakerFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedSpeakerFlags {
  const f = readGoFlags(SPEAKER_FLAGS, argv, env);
  const get = f.get;
  const warnings: string[] = [];
  const help = f.bool('help');
  const nodeName = get('node-name');
  // MetalLB exits with "must specify --node-name or METALLB_NODE_NAME".
  if (nodeName === '' && !help) throw flagError('must specify --node-name or METALLB_NODE_NAME');
  const portText = get('ml-bindport');
  const mlBindPort = portText === '' ? MEMBERLIST_DEFAULT_PORT : f.int('ml-bindport', 1, 65535);
  const profile = get('ml-profile');
  if (profile !== '' && profile !== 'fast' && profile !== 'lan')
    throw flagError(`invalid value ${JSON.stringify(profile)} for flag -ml-profile: fast or lan`);
  const mlWanConfig = f.bool('ml-wan-config');
  const tls = parseTlsFlags(f);
  if (get('pprof-bind-address') !== '' || f.bool('enable-pprof'))
    warnings.push(
      '--pprof-bind-address / --enable-pprof are ignored: IronLB has no pprof endpoint',
    );
  if (f.bool('disable-epslices'))
    warnings.push('--disable-epslices is ignored: IronLB always reads EndpointSlices');
  if (get('frrk8s-namespace') !== '' || f.bool('frrk8s-secret-passthrough'))
    warnings.push(
      '--frrk8s-namespace / --frrk8s-secret-passthrough are ignored: IronLB speaks BGP itself',
    );
  if (get('bgp-debounce-timeout') !== '')
    warnings.push('--bgp-debounce-timeout is ignored: IronLB sends BGP changes at once');
  const bgpType = parseBgpType(env, warnings);
  const flags: SpeakerFlags = {
    nodeName,
    host: get('host'),
    namespace: get('namespace'),
    podName: get('pod-name'),
    mlBindAddr: get('ml-bindaddr'),
    mlBindPort,
    mlLabels: get('ml-labels'),
    mlNamespace: get('ml-namespace'),
    mlSecretKeyPath: get('ml-secret-key-path'),
    mlWanConfig,
    mlProfile: profile === '' ? undefined : profile,
    metricsPort: f.int('port', 0, 65535),
    healthProbePort: f.int('health-probe-port', 0, 65535),
    logLevel: checkLogLevel(get('log-level')),
    lbClass: get('lb-class'),
    ignoreExcludeLb: f.bool('ignore-exclude-lb'),
    gratuitousArpIntervalMs: f.durationMs('gratuitous-arp-interval', true),
    handoverTimeoutMs: f.durationMs('handover-timeout', true),
    mlKeyRotationGraceMs: f.durationMs('ml-key-rotation-grace', true),
    ...tls,
    bgpType,
    kubeconfig: get('kubeconfig'),
    allowMetalLB: f.bool('allow-metallb'),
    help,
  };
  return { flags, warnings };
}
