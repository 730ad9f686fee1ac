// The controller's command line: MetalLB's flags and environment (controller/main.go,
// internal/tlsconfig) in Go's flag syntax, IronLB's additions, and warnings for what IronLB
// accepts but does not use.
import { describe, expect, it } from 'vitest';
import { controllerUsage, parseControllerFlags } from '../../src/controller/flags.js';
import { K8sGlueError } from '../../src/errors.js';

const parse = (argv: string[], env: Record<string, string> = {}) =>
  parseControllerFlags(argv, { METALLB_BGP_TYPE: 'frr-k8s', ...env });

function fails(argv: string[], env: Record<string, string> = {}): string {
  try {
    parse(argv, env);
  } catch (e) {
    expect(e).toBeInstanceOf(K8sGlueError);
    expect((e as K8sGlueError).code).toBe('INVALID_OPTION');
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}

describe('parseControllerFlags', () => {
  it("MetalLB's defaults", () => {
    const { flags, warnings } = parse([]);
    expect(flags).toMatchObject({
      namespace: '',
      metricsPort: 9120,
      healthProbePort: 17472,
      logLevel: 'info',
      webhookMode: 'enabled',
      webhookSecret: 'metallb-webhook-cert',
      certServiceName: 'metallb-webhook-service',
      certDir: '/tmp/k8s-webhook-server/serving-certs',
      disableCertRotation: false,
      tlsMinVersion: 'TLSv1.3',
      lbClass: '',
      leaderElect: true,
      leaseName: 'ironlb-controller',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      webhookPort: 9443,
      allowMetalLB: false,
    });
    expect(warnings).toEqual([]);
  });

  it('--allow-metallb (the coexistence guard, issue 19) is a boolean and in --help', () => {
    expect(parse(['--allow-metallb']).flags.allowMetalLB).toBe(true);
    expect(parse(['-allow-metallb=false']).flags.allowMetalLB).toBe(false);
    expect(controllerUsage()).toContain('-allow-metallb');
  });

  it("Go's flag syntax: -x v, --x v, --x=v, boolean --x and --x=false", () => {
    const { flags } = parse([
      '-namespace',
      'lb',
      '--port=9999',
      '--lb-class',
      'example.com/lb',
      '--disable-cert-rotation',
      '--leader-elect=false',
      '--leader-elect-lease-duration=4s',
      '--leader-elect-renew-deadline',
      '2500ms',
      '--leader-elect-retry-period=500ms',
    ]);
    expect(flags).toMatchObject({
      namespace: 'lb',
      metricsPort: 9999,
      lbClass: 'example.com/lb',
      disableCertRotation: true,
      leaderElect: false,
      leaseDurationMs: 4000,
      renewDeadlineMs: 2500,
      retryPeriodMs: 500,
    });
  });

  it('environment variables, overridden by flags', () => {
    const env = {
      METALLB_NAMESPACE: 'from-env',
      METALLB_ML_SECRET_NAME: 'memberlist',
      METALLB_DEPLOYMENT: 'controller',
      METALLB_POD_NAME: 'controller-abc',
    };
    expect(parse([], env).flags).toMatchObject({
      namespace: 'from-env',
      mlSecretName: 'memberlist',
      deployment: 'controller',
      podName: 'controller-abc',
    });
    expect(parse(['--namespace', 'flag'], env).flags.namespace).toBe('flag');
  });

  it('TLS: Go version and cipher names become OpenSSL ones; ciphers need TLS 1.2', () => {
    const { flags } = parse([
      '--tls-min-version=VersionTLS12',
      '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
      '--tls-curve-preferences=29,23',
    ]);
    expect(flags.tlsMinVersion).toBe('TLSv1.2');
    expect(flags.tlsCiphers).toBe('ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384');
    expect(flags.tlsCurves).toBe('X25519:P-256');
    expect(fails(['--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'])).toBe(
      'cipher suites cannot be configured with TLS 1.3',
    );
    expect(fails(['--tls-min-version=VersionTLS14'])).toMatch(/unknown tls version/);
    expect(fails(['--tls-min-version=VersionTLS12', '--tls-cipher-suites=NOPE'])).toMatch(
      /Cipher suite NOPE not supported/,
    );
    expect(fails(['--tls-curve-preferences=23,23'])).toMatch(/duplicate curve preference 23/);
  });

  it('accepts what IronLB does not use, with a warning for each', () => {
    const { warnings } = parseControllerFlags(
      ['--pprof-bind-address=127.0.0.1:6060', '--webhook-http2'],
      { METALLB_BGP_TYPE: 'native' },
    );
    expect(warnings).toEqual([
      '--pprof-bind-address is ignored: IronLB has no pprof endpoint',
      '--webhook-http2 is ignored: the webhook server speaks HTTP/1.1',
      expect.stringMatching(/^METALLB_BGP_TYPE=native: IronLB validates/),
    ]);
  });

  it('refuses unknown flags, bad values and modes, like Go', () => {
    expect(fails(['--frobnicate'])).toBe('flag provided but not defined: -frobnicate');
    expect(fails(['--port'])).toBe('flag needs an argument: -port');
    expect(fails(['--port=http'])).toMatch(/invalid value "http" for flag -port/);
    expect(fails(['--webhook-mode=sometimes'])).toMatch(/invalid webhookmode value/);
    expect(fails(['--log-level=chatty'])).toMatch(/invalid log level/);
    expect(fails(['--leader-elect=maybe'])).toMatch(/invalid boolean value/);
    expect(fails(['--leader-elect-lease-duration=soon'])).toMatch(/parse error/);
    expect(fails([], { METALLB_BGP_TYPE: 'bird' })).toMatch(/invalid METALLB_BGP_TYPE/);
    expect(fails(['stray'])).toMatch(/unexpected argument/);
  });

  it('--help / -h, and a usage text naming every flag and its env', () => {
    expect(parse(['-h']).flags.help).toBe(true);
    expect(parse(['--help']).flags.help).toBe(true);
    const u = controllerUsage();
    for (const f of [
      '--namespace',
      '--ml-secret-name',
      '--lb-class',
      '--webhook-mode',
      '--kubeconfig',
      '--leader-elect-renew-deadline',
    ]) {
      expect(u).toContain(f);
    }
    expect(u).toContain('[env METALLB_NAMESPACE]');
  });
});
