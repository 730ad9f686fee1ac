// Go's flag syntax as MetalLB's binaries accept it (`-name value`, `--name=value`, booleans as
// `--name` or `--name=false`, `-h`), environment variables as defaults (MetalLB writes
// `flag.String("node-name", os.Getenv("METALLB_NODE_NAME"), ...)`), and the TLS and logging flags
// both binaries share (internal/tlsconfig). Pure: argv and env in, values or errors out. Used by
// the controller's and the speaker's command lines.
import { K8sGlueError } from '../errors.js';
import { parseGoDuration } from '../config/duration.js';

export type FlagKind = 'string' | 'int' | 'bool' | 'duration';

export interface FlagDef {
  readonly kind: FlagKind;
  readonly help: string;
  /** Default as the user would type it ('' = none). */
  readonly def: string;
  /** Environment variable read when the flag is not given. */
  readonly env?: string;
}

export const flagError = (msg: string) => new K8sGlueError('INVALID_OPTION', msg);

/** Go's strconv.ParseBool. */
export function parseBool(name: string, v: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw flagError(`invalid boolean value ${JSON.stringify(v)} for -${name}: parse error`);
}

export function parseIntFlag(name: string, v: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(v))
    throw flagError(`invalid value ${JSON.stringify(v)} for flag -${name}: parse error`);
  const n = Number(v);
  if (n < min || n > max)
    throw flagError(
      `invalid value ${JSON.stringify(v)} for flag -${name}: out of range ${min}..${max}`,
    );
  return n;
}

/** Flag values after argv and the environment: `get(name)` gives the text to parse. */
export interface RawFlags {
  get(name: string): string;
  /** Given on the command line or through its environment variable. */
  given(name: string): boolean;
  bool(name: string): boolean;
  int(name: string, min: number, max: number): number;
  /** A Go duration in milliseconds: positive, or zero too when `allowZero`. */
  durationMs(name: string, allowZero?: boolean): number;
}

/** Reads argv (without node and script) against `defs`. Throws K8sGlueError INVALID_OPTION. */
export function readGoFlags(
  defs: Readonly<Record<string, FlagDef>>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): RawFlags {
  const raw = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      if (i + 1 < argv.length)
        throw flagError(`unexpected arguments: ${argv.slice(i + 1).join(' ')}`);
      break;
    }
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(a);
    if (!m || a === '-') throw flagError(`unexpected argument ${JSON.stringify(a)}`);
    const name = m[1]!;
    if (name === 'h' && defs.help) {
      raw.set('help', 'true');
      continue;
    }
    const def = defs[name];
    if (!def) throw flagError(`flag provided but not defined: -${name}`);
    let value = m[2];
    if (value === undefined) {
      if (def.kind === 'bool') value = 'true';
      else {
        if (i + 1 >= argv.length) throw flagError(`flag needs an argument: -${name}`);
        value = argv[++i]!;
      }
    }
    raw.set(name, value);
  }
  const get = (name: string): string => {
    const d = defs[name];
    if (!d) throw new Error(`bug: flag ${name} is not defined`);
    if (raw.has(name)) return raw.get(name)!;
    if (d.env && env[d.env] !== undefined) return env[d.env]!;
    return d.def;
  };
  return {
    get,
    given: (name) => raw.has(name) || (!!defs[name]?.env && env[defs[name]!.env!] !== undefined),
    bool: (name) => parseBool(name, get(name)),
    int: (name, min, max) => parseIntFlag(name, get(name), min, max),
    durationMs: (name, allowZero = false) => {
      const ms = parseGoDuration(get(name));
      if (ms === undefined || ms < 0 || (ms === 0 && !allowZero))
        throw flagError(
          `invalid value ${JSON.stringify(get(name))} for flag -${name}: parse error`,
        );
      return ms;
    },
  };
}

/** The --help text: every flag with its default and environment variable. */
export function flagUsage(
  title: string,
  defs: Readonly<Record<string, FlagDef>>,
  footer: readonly string[] = [],
): string {
  const lines = [title, ''];
  for (const [name, d] of Object.entries(defs)) {
    const def =
      d.def !== '' && d.kind !== 'bool'
        ? ` (default ${d.def})`
        : d.def === 'true'
          ? ' (default true)'
          : '';
    const env = d.env ? ` [env ${d.env}]` : '';
    lines.push(`  --${name}${d.kind === 'bool' ? '' : ' VALUE'}`, `        ${d.help}${def}${env}`);
  }
  if (footer.length > 0) lines.push('', ...footer);
  return `${lines.join('\n')}\n`;
}

export const LOG_LEVELS = ['all', 'debug', 'info', 'warn', 'error', 'none'] as const;

export function checkLogLevel(level: string): string {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw flagError(
      `invalid log level ${JSON.stringify(level)}: expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  return level;
}

// ---------------------------------------------------------------- TLS (internal/tlsconfig)

export type TlsMinVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** The TLS flags of both binaries' metrics endpoint (and the controller's webhook). */
export const TLS_FLAGS: Readonly<Record<string, FlagDef>> = {
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

const TLS_VERSIONS: Readonly<Record<string, TlsMinVersion>> = {
  VersionTLS10: 'TLSv1',
  VersionTLS11: 'TLSv1.1',
  VersionTLS12: 'TLSv1.2',
  VersionTLS13: 'TLSv1.3',
};

export interface TlsFlags {
  readonly tlsMinVersion: TlsMinVersion;
  /** OpenSSL cipher list ('' = Node's defaults). */
  readonly tlsCiphers: string;
  /** OpenSSL group list ('' = Node's defaults). */
  readonly tlsCurves: string;
  readonly metricsCertDir: string;
}

/** MetalLB's --tls-* flags as Node's TLS options, with MetalLB's error texts. */
export function parseTlsFlags(f: RawFlags): TlsFlags {
  const minText = f.get('tls-min-version');
  const tlsMinVersion = minText === '' ? 'TLSv1.3' : TLS_VERSIONS[minText];
  if (!tlsMinVersion)
    throw flagError(`parsing tls-min-version: unknown tls version ${JSON.stringify(minText)}`);
  const ciphers = f
    .get('tls-cipher-suites')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((n) => {
      const c = CIPHERS[n];
      if (!c)
        throw flagError(
          `parsing tls-cipher-suites: Cipher suite ${n} not supported or doesn't exist`,
        );
      return c;
    });
  if (ciphers.length > 0 && tlsMinVersion === 'TLSv1.3') {
    throw flagError('cipher suites cannot be configured with TLS 1.3');
  }
  const seenCurves = new Set<number>();
  const curves = f
    .get('tls-curve-preferences')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d+$/.test(s) || Number(s) > 65535)
        throw flagError(
          `parsing tls-curve-preferences: invalid curve preference ${JSON.stringify(s)}: must be a numeric CurveID (0-65535)`,
        );
      const id = Number(s);
      if (id === 0)
        throw flagError(
          `parsing tls-curve-preferences: curve preference ${id} is out of range (must be 1-65535)`,
        );
      if (seenCurves.has(id))
        throw flagError(`parsing tls-curve-preferences: duplicate curve preference ${id}`);
      seenCurves.add(id);
      const c = CURVES[id];
      if (!c)
        throw flagError(`parsing tls-curve-preferences: curve preference ${id} is not supported`);
      return c;
    });
  return {
    tlsMinVersion,
    tlsCiphers: ciphers.join(':'),
    tlsCurves: curves.join(':'),
    metricsCertDir: f.get('metrics-cert-dir'),
  };
}

/** METALLB_BGP_TYPE: accepted values, and the warning when it is not frr-k8s. */
export function parseBgpType(
  env: Readonly<Record<string, string | undefined>>,
  warnings: string[],
): string {
  const bgpType = env.METALLB_BGP_TYPE ?? 'native';
  if (!['native', 'frr', 'frr-k8s'].includes(bgpType)) {
    throw flagError(
      `invalid METALLB_BGP_TYPE ${JSON.stringify(bgpType)}: expected native, frr or frr-k8s`,
    );
  }
  // Unset is IronLB's own default and says nothing; a MetalLB manifest's explicit native / frr is
  // worth a word, since IronLB accepts what MetalLB's native mode would refuse.
  if (env.METALLB_BGP_TYPE !== undefined && bgpType !== 'frr-k8s') {
    warnings.push(
      `METALLB_BGP_TYPE=${bgpType}: IronLB validates the configuration for its own speaker (as MetalLB's frr-k8s mode: IPv6, BFD, large communities accepted)`,
    );
  }
  return bgpType;
}
