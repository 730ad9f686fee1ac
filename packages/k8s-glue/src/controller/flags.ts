// The controller's command line: MetalLB's flags and environment variables (controller/main.go,
// internal/tlsconfig) with Go's flag syntax (`-name value`, `--name=value`, booleans as `--name`
// or `--name=false`), plus IronLB's own (`--kubeconfig`, leader election). Flags that mean
// nothing for IronLB are accepted and reported as warnings, so MetalLB's manifests and Helm
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
  type TlsMinVersion,
} from '../flags/go-flags.js';

export type WebhookMode = 'enabled' | 'disabled' | 'onlywebhook';

export interface ControllerFlags {
  /** --namespace / METALLB_NAMESPACE (then the service-account namespace file). '' = not given. */
  readonly namespace: string;
  /** --port: HTTPS metrics port (default 9120; 0 disables metrics). */
  readonly metricsPort: number;
  /** --ml-secret-name / METALLB_ML_SECRET_NAME: memberlist Secret to create ('' = none). */
  readonly mlSecretName: string;
  /** --deployment / METALLB_DEPLOYMENT: the controller's Deployment (owner of the memberlist Secret). */
  readonly deployment: string;
  /** --log-level: all|debug|info|warn|error|none (default info). */
  readonly logLevel: string;
  /** --health-probe-port (default 17472). */
  readonly healthProbePort: number;
  /** --disable-cert-rotation: serve the certificate in --cert-dir instead of managing one. */
  readonly disableCertRotation: boolean;
  /** --cert-dir (default /tmp/k8s-webhook-server/serving-certs): tls.crt / tls.key when rotation is off. */
  readonly certDir: string;
  /** --cert-service-name (default metallb-webhook-service). */
  readonly certServiceName: string;
  /** --lb-class ('' = Services without a class). */
  readonly lbClass: string;
  /** --webhook-mode (default enabled). */
  readonly webhookMode: WebhookMode;
  /** --webhook-secret (default metallb-webhook-cert). */
  readonly webhookSecret: string;
  /** --pod-name / METALLB_POD_NAME: owner of ConfigurationState, leader identity. */
  readonly podName: string;
  /** --tls-min-version → Node's minVersion (default TLSv1.3). */
  readonly tlsMinVersion: TlsMinVersion;
  /** --tls-cipher-suites → OpenSSL cipher list ('' = Node's defaults). */
  readonly tlsCiphers: string;
  /** --tls-curve-preferences → OpenSSL curve list ('' = Node's defaults). */
  readonly tlsCurves: string;
  /** --metrics-cert-dir: tls.crt / tls.key for the metrics endpoint ('' = self-signed). */
  readonly metricsCertDir: string;
  /** METALLB_BGP_TYPE (default native). */
  readonly bgpType: string;
  /** --kubeconfig (IronLB; '' = in-cluster or $KUBECONFIG / ~/.kube/config). */
  readonly kubeconfig: string;
  /** --webhook-port (IronLB; default 9443, MetalLB's fixed port). */
  readonly webhookPort: number;
  /** --leader-elect (IronLB; default true). */
  readonly leaderElect: boolean;
  /** --leader-elect-lease-name (IronLB; default ironlb-controller). */
  readonly leaseName: string;
  /** --leader-elect-lease-duration (default 15s; whole seconds). */
  readonly leaseDurationMs: number;
  /** --leader-elect-renew-deadline (default 10s). */
  readonly renewDeadlineMs: number;
  /** --leader-elect-retry-period (default 2s). */
  readonly retryPeriodMs: number;
  /** --allow-metallb (IronLB; default false): start even though MetalLB's pods run in the namespace. */
  readonly allowMetalLB: boolean;
  readonly help: boolean;
}

export interface ParsedFlags {
  readonly flags: ControllerFlags;
  /** Accepted but ignored or adapted; the app logs each one. */
  readonly warnings: readonly string[];
}

/** Every flag: MetalLB's names first, IronLB's after. Used for --help too. */
export const CONTROLLER_FLAGS: Readonly<Record<string, FlagDef>> = {
  port: {
    kind: 'int',
    def: '9120',
    help: 'HTTPS listening port for Prometheus metrics; 0 disables metrics',
  },
  namespace: {
    kind: 'string',
    def: '',
    env: 'METALLB_NAMESPACE',
    help: 'config / memberlist secret namespace (default: the service account namespace, else metallb-system)',
  },
  'ml-secret-name': {
    kind: 'string',
    def: '',
    env: 'METALLB_ML_SECRET_NAME',
    help: 'name of the memberlist secret to create',
  },
  deployment: {
    kind: 'string',
    def: '',
    env: 'METALLB_DEPLOYMENT',
    help: 'name of the controller Deployment (owner of the memberlist secret)',
  },
  'log-level': {
    kind: 'string',
    def: 'info',
    help: 'log level: all, debug, info, warn, error, none',
  },
  'pprof-bind-address': {
    kind: 'string',
    def: '',
    help: '(accepted for MetalLB compatibility; IronLB has no pprof endpoint)',
  },
  'health-probe-port': { kind: 'int', def: '17472', help: 'port of /healthz and /readyz' },
  'disable-cert-rotation': {
    kind: 'bool',
    def: 'false',
    help: 'do not generate and rotate the webhook certificate; serve tls.crt/tls.key from --cert-dir',
  },
  'cert-dir': {
    kind: 'string',
    def: '/tmp/k8s-webhook-server/serving-certs',
    help: 'directory of the webhook certificate when rotation is disabled',
  },
  'cert-service-name': {
    kind: 'string',
    def: 'metallb-webhook-service',
    help: "the webhook Service's name (the certificate's DNS names)",
  },
  'lb-class': {
    kind: 'string',
    def: '',
    help: 'handle only Services with this spec.loadBalancerClass (default: only Services without one)',
  },
  'webhook-mode': {
    kind: 'string',
    def: 'enabled',
    help: 'enabled, disabled, or onlywebhook (serve webhooks, allocate nothing)',
  },
  'webhook-secret': {
    kind: 'string',
    def: 'metallb-webhook-cert',
    help: 'Secret holding the webhook certificate',
  },
  'pod-name': {
    kind: 'string',
    def: '',
    env: 'METALLB_POD_NAME',
    help: 'name of this controller pod',
  },
  'webhook-http2': {
    kind: 'bool',
    def: 'false',
    help: '(accepted for MetalLB compatibility; the webhook serves HTTP/1.1)',
  },
  ...TLS_FLAGS,
  kubeconfig: {
    kind: 'string',
    def: '',
    help: 'kubeconfig file (default: in-cluster config, else $KUBECONFIG or ~/.kube/config)',
  },
  'webhook-port': { kind: 'int', def: '9443', help: 'webhook HTTPS port' },
  'leader-elect': {
    kind: 'bool',
    def: 'true',
    help: 'elect a leader among replicas on a coordination.k8s.io Lease; only the leader writes',
  },
  'leader-elect-lease-name': {
    kind: 'string',
    def: 'ironlb-controller',
    help: 'name of the Lease (in --namespace)',
  },
  'leader-elect-lease-duration': {
    kind: 'duration',
    def: '15s',
    help: 'how long a Lease stays valid without renewal (whole seconds)',
  },
  'leader-elect-renew-deadline': {
    kind: 'duration',
    def: '10s',
    help: 'the leader stops writing when it could not renew for this long (< lease duration)',
  },
  'leader-elect-retry-period': {
    kind: 'duration',
    def: '2s',
    help: 'time between attempts to acquire or renew the Lease',
  },
  'allow-metallb': {
    kind: 'bool',
    def: 'false',
    help: "start even though MetalLB's pods run in the namespace (both would allocate every address; see MIGRATING.md)",
  },
  help: { kind: 'bool', def: 'false', help: 'print this help' },
};

/** The --help text. */
export function controllerUsage(): string {
  return flagUsage(
    'Usage: ironlb-controller [flags]\n\nFlags (MetalLB controller flags, then IronLB additions):',
    CONTROLLER_FLAGS,
    [
      'Environment: METALLB_BGP_TYPE (native|frr|frr-k8s; validation is always frr-k8s-like, see README).',
    ],
  );
}

/** Parses argv (without node and script) and the environment. Throws K8sGlueError INVALID_OPTION. */
export function parseControllerFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedFlags {
  const f = readGoFlags(CONTROLLER_FLAGS, argv, env);
  const get = f.get;
  const warnings: string[] = [];

  const mode = get('webhook-mode');
  if (mode !== 'enabled' && mode !== 'disabled' && mode !== 'onlywebhook') {
    throw flagError(
      `invalid webhookmode value ${JSON.stringify(mode)}: expected enabled, disabled or onlywebhook`,
    );
  }
  const tls = parseTlsFlags(f);
  if (get('pprof-bind-address') !== '')
    warnings.push('--pprof-bind-address is ignored: IronLB has no pprof endpoint');
  if (f.bool('webhook-http2')) {
    warnings.push('--webhook-http2 is ignored: the webhook server speaks HTTP/1.1');
  }
  const bgpType = parseBgpType(env, warnings);
  const logLevel = checkLogLevel(get('log-level'));
  const flags: ControllerFlags = {
    namespace: get('namespace'),
    metricsPort: f.int('port', 0, 65535),
    mlSecretName: get('ml-secret-name'),
    deployment: get('deployment'),
    logLevel,
    healthProbePort: f.int('health-probe-port', 0, 65535),
    disableCertRotation: f.bool('disable-cert-rotation'),
    certDir: get('cert-dir'),
    certServiceName: get('cert-service-name'),
    lbClass: get('lb-class'),
    webhookMode: mode,
    webhookSecret: get('webhook-secret'),
    podName: get('pod-name'),
    ...tls,
    bgpType,
    kubeconfig: get('kubeconfig'),
    webhookPort: f.int('webhook-port', 0, 65535),
    leaderElect: f.bool('leader-elect'),
    leaseName: get('leader-elect-lease-name'),
    leaseDurationMs: f.durationMs('leader-elect-lease-duration'),
    renewDeadlineMs: f.durationMs('leader-elect-renew-deadline'),
    retryPeriodMs: f.durationMs('leader-elect-retry-period'),
    allowMetalLB: f.bool('allow-metallb'),
    help: f.bool('help'),
  };
  return { flags, warnings };
}
