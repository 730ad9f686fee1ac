// The controller's command line: MetalLB's flags and environment variables (controller/main.go,
// internal/tlsconfig) with Go's flag syntax (`-name value`, `--name=value`, booleans as `--name`
// or `--name=false`), plus IronLB's own (`--kubeconfig`, leader election). Flags that mean
// nothing for IronLB are accepted and reported as warnings, so MetalLB's manifests and Helm
// values keep working. Pure: argv and env in, options or errors out.
import { K8sGlueError } from '../errors.js';
import { parseGoDuration } from '../config/duration.js';

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
  readonly tlsMinVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
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
  readonly help: boolean;
}

export interface ParsedFlags {
  readonly flags: ControllerFlags;
  /** Accepted but ignored or adapted; the app logs each one. */
  readonly warnings: readonly string[];
}

type Kind = 'string' | 'int' | 'bool' | 'duration';
interface FlagDef {
  readonly kind: Kind;
  readonly help: string;
  readonly def: string;
  readonly env?: string;
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
  'tls-min-version': {
    kind: 'string',
    def: '',
    help: 'minimum TLS version, VersionTLS12 or VersionTLS13 (default VersionTLS13)',
  },
  'tls-cipher-suites': {
    kind: 'string',
    def: '',
    help: 'comma-separated TLS 1.2 cipher suites (IANA names, as Go)',
  },
  'tls-curve-preferences': {
    kind: 'string',
    def: '',
    help: 'comma-separated numeric TLS CurveIDs (23 P-256, 24 P-384, 25 P-521, 29 X25519)',
  },
  'metrics-cert-dir': {
    kind: 'string',
    def: '',
    help: 'directory with tls.crt and tls.key for the metrics endpoint (default: self-signed)',
  },
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
  help: { kind: 'bool', def: 'false', help: 'print this help' },
};

/** Go crypto/tls cipher suite names (what MetalLB's --tls-cipher-suites takes) → OpenSSL names. */
const CIPHERS: Readonly<Record<string, string>> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
};

/** Go crypto/tls CurveIDs → OpenSSL group names. */
const CURVES: Readonly<Record<number, string>> = {
  23: 'P-256',
  24: 'P-384',
  25: 'P-521',
  29: 'X25519',
};

const TLS_VERSIONS: Readonly<Record<string, ControllerFlags['tlsMinVersion']>> = {
  VersionTLS10: 'TLSv1',
  VersionTLS11: 'TLSv1.1',
  VersionTLS12: 'TLSv1.2',
  VersionTLS13: 'TLSv1.3',
};

const usage = (msg: string) => new K8sGlueError('INVALID_OPTION', msg);

/** The --help text. */
export function controllerUsage(): string {
  const lines = [
    'Usage: ironlb-controller [flags]',
    '',
    'Flags (MetalLB controller flags, then IronLB additions):',
  ];
  for (const [name, d] of Object.entries(CONTROLLER_FLAGS)) {
    const def =
      d.def !== '' && d.kind !== 'bool'
        ? ` (default ${d.def})`
        : d.def === 'true'
          ? ' (default true)'
          : '';
    const env = d.env ? ` [env ${d.env}]` : '';
    lines.push(`  --${name}${d.kind === 'bool' ? '' : ' VALUE'}`, `        ${d.help}${def}${env}`);
  }
  lines.push(
    '',
    'Environment: METALLB_BGP_TYPE (native|frr|frr-k8s; validation is always frr-k8s-like, see README).',
  );
  return `${lines.join('\n')}\n`;
}

function parseBool(name: string, v: string): boolean {
  // Go's strconv.ParseBool.
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw usage(`invalid boolean value ${JSON.stringify(v)} for -${name}: parse error`);
}

function parseIntFlag(name: string, v: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(v))
    throw usage(`invalid value ${JSON.stringify(v)} for flag -${name}: parse error`);
  const n = Number(v);
  if (n < min || n > max)
    throw usage(
      `invalid value ${JSON.stringify(v)} for flag -${name}: out of range ${min}..${max}`,
    );
  return n;
}

/** Parses argv (without node and script) and the environment. Throws K8sGlueError INVALID_OPTION. */
export function parseControllerFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedFlags {
  const raw = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      if (i + 1 < argv.length) throw usage(`unexpected arguments: ${argv.slice(i + 1).join(' ')}`);
      break;
    }
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(a);
    if (!m || a === '-') throw usage(`unexpected argument ${JSON.stringify(a)}`);
    const name = m[1]!;
    if (name === 'h') {
      raw.set('help', 'true');
      continue;
    }
    const def = CONTROLLER_FLAGS[name];
    if (!def) throw usage(`flag provided but not defined: -${name}`);
    let value = m[2];
    if (value === undefined) {
      if (def.kind === 'bool') value = 'true';
      else {
        if (i + 1 >= argv.length) throw usage(`flag needs an argument: -${name}`);
        value = argv[++i]!;
      }
    }
    raw.set(name, value);
  }
  const get = (name: string): string => {
    const d = CONTROLLER_FLAGS[name]!;
    if (raw.has(name)) return raw.get(name)!;
    if (d.env && env[d.env] !== undefined) return env[d.env]!;
    return d.def;
  };
  const dur = (name: string): number => {
    const ms = parseGoDuration(get(name));
    if (ms === undefined || ms <= 0)
      throw usage(`invalid value ${JSON.stringify(get(name))} for flag -${name}: parse error`);
    return ms;
  };
  const warnings: string[] = [];

  const mode = get('webhook-mode');
  if (mode !== 'enabled' && mode !== 'disabled' && mode !== 'onlywebhook') {
    throw usage(
      `invalid webhookmode value ${JSON.stringify(mode)}: expected enabled, disabled or onlywebhook`,
    );
  }
  const minText = get('tls-min-version');
  const tlsMinVersion = minText === '' ? 'TLSv1.3' : TLS_VERSIONS[minText];
  if (!tlsMinVersion)
    throw usage(`parsing tls-min-version: unknown tls version ${JSON.stringify(minText)}`);
  const cipherNames = get('tls-cipher-suites')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const ciphers = cipherNames.map((n) => {
    const c = CIPHERS[n];
    if (!c)
      throw usage(`parsing tls-cipher-suites: Cipher suite ${n} not supported or doesn't exist`);
    return c;
  });
  if (ciphers.length > 0 && tlsMinVersion === 'TLSv1.3') {
    throw usage('cipher suites cannot be configured with TLS 1.3');
  }
  const seenCurves = new Set<number>();
  const curves = get('tls-curve-preferences')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d+$/.test(s) || Number(s) > 65535)
        throw usage(
          `parsing tls-curve-preferences: invalid curve preference ${JSON.stringify(s)}: must be a numeric CurveID (0-65535)`,
        );
      const id = Number(s);
      if (id === 0)
        throw usage(
          `parsing tls-curve-preferences: curve preference ${id} is out of range (must be 1-65535)`,
        );
      if (seenCurves.has(id))
        throw usage(`parsing tls-curve-preferences: duplicate curve preference ${id}`);
      seenCurves.add(id);
      const c = CURVES[id];
      if (!c) throw usage(`parsing tls-curve-preferences: curve preference ${id} is not supported`);
      return c;
    });

  if (get('pprof-bind-address') !== '')
    warnings.push('--pprof-bind-address is ignored: IronLB has no pprof endpoint');
  if (parseBool('webhook-http2', get('webhook-http2'))) {
    warnings.push('--webhook-http2 is ignored: the webhook server speaks HTTP/1.1');
  }
  const bgpType = env.METALLB_BGP_TYPE ?? 'native';
  if (!['native', 'frr', 'frr-k8s'].includes(bgpType)) {
    throw usage(
      `invalid METALLB_BGP_TYPE ${JSON.stringify(bgpType)}: expected native, frr or frr-k8s`,
    );
  }
  if (bgpType !== 'frr-k8s') {
    warnings.push(
      `METALLB_BGP_TYPE=${bgpType}: IronLB validates the configuration for its own speaker (as MetalLB's frr-k8s mode: IPv6, BFD, large communities accepted)`,
    );
  }
  const logLevel = get('log-level');
  if (!['all', 'debug', 'info', 'warn', 'error', 'none'].includes(logLevel)) {
    throw usage(
      `invalid log level ${JSON.stringify(logLevel)}: expected one of all, debug, info, warn, error, none`,
    );
  }
  const flags: ControllerFlags = {
    namespace: get('namespace'),
    metricsPort: parseIntFlag('port', get('port'), 0, 65535),
    mlSecretName: get('ml-secret-name'),
    deployment: get('deployment'),
    logLevel,
    healthProbePort: parseIntFlag('health-probe-port', get('health-probe-port'), 0, 65535),
    disableCertRotation: parseBool('disable-cert-rotation', get('disable-cert-rotation')),
    certDir: get('cert-dir'),
    certServiceName: get('cert-service-name'),
    lbClass: get('lb-class'),
    webhookMode: mode,
    webhookSecret: get('webhook-secret'),
    podName: get('pod-name'),
    tlsMinVersion,
    tlsCiphers: ciphers.join(':'),
    tlsCurves: curves.join(':'),
    metricsCertDir: get('metrics-cert-dir'),
    bgpType,
    kubeconfig: get('kubeconfig'),
    webhookPort: parseIntFlag('webhook-port', get('webhook-port'), 0, 65535),
    leaderElect: parseBool('leader-elect', get('leader-elect')),
    leaseName: get('leader-elect-lease-name'),
    leaseDurationMs: dur('leader-elect-lease-duration'),
    renewDeadlineMs: dur('leader-elect-renew-deadline'),
    retryPeriodMs: dur('leader-elect-retry-period'),
    help: parseBool('help', get('help')),
  };
  return { flags, warnings };
}
