// The speaker's command line: MetalLB's flags and environment, IronLB's additions, Go's syntax,
// and the errors and warnings MetalLB's manifests must never trip over.
import { describe, expect, it } from 'vitest';
import { K8sGlueError } from '../../src/errors.js';
import { parseSpeakerFlags, speakerUsage, SPEAKER_FLAGS } from '../../src/speaker/flags.js';
import { parseControllerFlags } from '../../src/controller/flags.js';

const fail = (argv: string[], env: Record<string, string> = {}) => {
  try {
    parseSpeakerFlags(argv, env);
  } catch (e) {
    expect(e).toBeInstanceOf(K8sGlueError);
    expect((e as K8sGlueError).code).toBe('INVALID_OPTION');
    return (e as Error).message;
  }
  throw new Error('expected a failure');
};

describe('parseSpeakerFlags', () => {
  it('defaults: MetalLB’s ports, fast memberlist unless told, no periodic re-announcement', () => {
    const { flags, warnings } = parseSpeakerFlags(['--node-name', 'n1']);
    expect(flags).toMatchObject({
      nodeName: 'n1',
      metricsPort: 9120,
      healthProbePort: 17472,
      mlBindPort: 7946,
      mlProfile: undefined,
      mlWanConfig: false,
      logLevel: 'info',
      gratuitousArpIntervalMs: 0,
      handoverTimeoutMs: 10_000,
      mlKeyRotationGraceMs: 120_000,
      ignoreExcludeLb: false,
      lbClass: '',
      kubeconfig: '',
      tlsMinVersion: 'TLSv1.3',
      allowMetalLB: false,
    });
    // METALLB_BGP_TYPE unset = native, IronLB's own default: nothing to warn about.
    expect(warnings).toEqual([]);
    // Set explicitly (a MetalLB manifest's native mode): a note that IronLB validates as frr-k8s.
    expect(
      parseSpeakerFlags(['--node-name', 'n'], { METALLB_BGP_TYPE: 'native' }).warnings,
    ).toEqual([expect.stringMatching(/METALLB_BGP_TYPE=native: IronLB validates/)]);
  });

  it('--allow-metallb (the coexistence guard, issue 19) is a boolean and in --help', () => {
    expect(parseSpeakerFlags(['--node-name', 'n1', '--allow-metallb']).flags.allowMetalLB).toBe(
      true,
    );
    expect(speakerUsage()).toContain('-allow-metallb');
  });

  it('reads MetalLB’s environment, flags win over it', () => {
    const env = {
      METALLB_NODE_NAME: 'node-a',
      METALLB_HOST: '198.51.100.11',
      METALLB_NAMESPACE: 'lb',
      METALLB_POD_NAME: 'speaker-x',
      METALLB_ML_BIND_ADDR: '198.51.100.11',
      METALLB_ML_BIND_PORT: '7947',
      METALLB_ML_LABELS: 'app=metallb,component=speaker',
      METALLB_ML_NAMESPACE: 'lb2',
      METALLB_ML_SECRET_KEY_PATH: '/etc/ml_secret_key',
      METALLB_BGP_TYPE: 'frr-k8s',
    };
    const { flags, warnings } = parseSpeakerFlags([], env);
    expect(flags).toMatchObject({
      nodeName: 'node-a',
      host: '198.51.100.11',
      namespace: 'lb',
      podName: 'speaker-x',
      mlBindAddr: '198.51.100.11',
      mlBindPort: 7947,
      mlLabels: 'app=metallb,component=speaker',
      mlNamespace: 'lb2',
      mlSecretKeyPath: '/etc/ml_secret_key',
      bgpType: 'frr-k8s',
    });
    expect(warnings).toEqual([]);
    expect(
      parseSpeakerFlags(['-node-name=node-b', '--ml-bindport', '8000'], env).flags,
    ).toMatchObject({
      nodeName: 'node-b',
      mlBindPort: 8000,
    });
  });

  it('Go syntax: -flag, --flag=value, booleans without a value or =false, -h', () => {
    const { flags } = parseSpeakerFlags([
      '-node-name',
      'n',
      '--ignore-exclude-lb',
      '--ml-wan-config=true',
      '--gratuitous-arp-interval=1m30s',
      '--ml-profile',
      'lan',
      '--lb-class=x',
      '--log-level=debug',
      '--port=0',
    ]);
    expect(flags).toMatchObject({
      ignoreExcludeLb: true,
      mlWanConfig: true,
      gratuitousArpIntervalMs: 90_000,
      mlProfile: 'lan',
      lbClass: 'x',
      logLevel: 'debug',
      metricsPort: 0,
    });
    expect(parseSpeakerFlags(['-h']).flags.help).toBe(true);
    expect(parseSpeakerFlags(['--help']).flags.help).toBe(true);
  });

  it('refuses what MetalLB refuses, with its messages', () => {
    expect(fail([])).toBe('must specify --node-name or METALLB_NODE_NAME');
    expect(fail(['--node-name', 'n', '--nope'])).toBe('flag provided but not defined: -nope');
    expect(fail(['--node-name'])).toBe('flag needs an argument: -node-name');
    expect(fail(['--node-name', 'n', '--port', 'x'])).toMatch(/invalid value "x" for flag -port/);
    expect(fail(['--node-name', 'n', '--ml-bindport', '70000'])).toMatch(/out of range/);
    expect(fail(['--node-name', 'n', '--log-level', 'chatty'])).toMatch(/invalid log level/);
    expect(fail(['--node-name', 'n', '--ml-profile', 'turbo'])).toMatch(/fast or lan/);
    expect(fail(['--node-name', 'n', '--gratuitous-arp-interval', '-1s'])).toMatch(
      /gratuitous-arp-interval/,
    );
    expect(fail(['--node-name', 'n'], { METALLB_BGP_TYPE: 'gobgp' })).toMatch(/METALLB_BGP_TYPE/);
    expect(fail(['--node-name', 'n', '--tls-min-version', 'VersionTLS14'])).toMatch(
      /unknown tls version/,
    );
    expect(fail(['--node-name', 'n', 'extra'])).toMatch(/unexpected argument/);
  });

  it('accepts MetalLB’s flags IronLB has no use for, each with a warning', () => {
    const { warnings } = parseSpeakerFlags(
      [
        '--node-name=n',
        '--enable-pprof',
        '--disable-epslices',
        '--frrk8s-namespace=frr',
        '--bgp-debounce-timeout=3s',
      ],
      { METALLB_BGP_TYPE: 'frr-k8s' },
    );
    expect(warnings).toHaveLength(4);
  });

  it('--help lists every flag with its environment variable', () => {
    const text = speakerUsage();
    for (const [name, def] of Object.entries(SPEAKER_FLAGS)) {
      expect(text).toContain(`--${name}`);
      if (def.env) expect(text).toContain(`[env ${def.env}]`);
    }
  });
});

describe('parseControllerFlags after the shared Go-flag parser', () => {
  it('parses as before', () => {
    const { flags } = parseControllerFlags(
      [
        '--leader-elect-lease-duration=20s',
        '--tls-min-version=VersionTLS12',
        '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
        '--tls-curve-preferences=29,23',
        '-webhook-mode',
        'disabled',
      ],
      { METALLB_NAMESPACE: 'ns' },
    );
    expect(flags).toMatchObject({
      namespace: 'ns',
      leaseDurationMs: 20_000,
      tlsMinVersion: 'TLSv1.2',
      tlsCiphers: 'ECDHE-RSA-AES128-GCM-SHA256',
      tlsCurves: 'X25519:P-256',
      webhookMode: 'disabled',
      leaderElect: true,
    });
    expect(() => parseControllerFlags(['--leader-elect-retry-period=0s'])).toThrow(K8sGlueError);
  });
});
