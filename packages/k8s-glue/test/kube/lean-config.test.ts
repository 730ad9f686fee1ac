// loadKubeAuth: kubeconfigs it reads itself (so client-node's KubeConfig is never loaded), and the
// ones it leaves to client-node.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { loadKubeAuth } from '../../src/kube/lean-config.js';
import { K8sGlueError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lean-config-'));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const config = (cluster: string, user: string) => `
apiVersion: v1
kind: Config
current-context: ctx
contexts: [{name: ctx, context: {cluster: c, user: u}}, {name: other, context: {cluster: x, user: y}}]
clusters: [{name: c, cluster: {${cluster}}}, {name: x, cluster: {server: "https://wrong:1"}}]
users: [{name: u, user: {${user}}}]
`;

describe('loadKubeAuth', () => {
  it('a token and CA data: the current context, read without client-node', async () => {
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const f = write(
      'a',
      config(
        `server: "https://198.51.100.2:6443", certificate-authority-data: "${ca.toString('base64')}"`,
        'token: "t0ken"',
      ),
    );
    const auth = await loadKubeAuth({ kubeconfig: f, env: {} });
    expect(auth).not.toBeInstanceOf(KubeConfig);
    expect(auth.getCurrentCluster()?.server).toBe('https://198.51.100.2:6443');
    const opts: Record<string, unknown> & { headers?: Record<string, string> } = {};
    await auth.applyToHTTPSOptions(opts);
    expect(opts.headers).toEqual({ Authorization: 'Bearer t0ken' });
    expect(opts.ca).toEqual(ca);
    expect(opts.rejectUnauthorized).toBeUndefined();
  });

  it('files relative to the kubeconfig, a token file re-read on every refresh, TLS options', async () => {
    write('ca.crt', 'CA');
    write('client.crt', 'CERT');
    write('client.key', 'KEY');
    const tok = write('token', 'first\n');
    const f = write(
      'b',
      config(
        'server: "https://k:6443", certificate-authority: ca.crt, tls-server-name: api.example, insecure-skip-tls-verify: true',
        `tokenFile: ${tok}, client-certificate: client.crt, client-key: client.key`,
      ),
    );
    const auth = await loadKubeAuth({ env: { KUBECONFIG: f } });
    const opts: Record<string, unknown> & { headers?: Record<string, string> } = {};
    await auth.applyToHTTPSOptions(opts);
    expect(String(opts.ca)).toBe('CA');
    expect(String(opts.cert)).toBe('CERT');
    expect(String(opts.key)).toBe('KEY');
    expect(opts.servername).toBe('api.example');
    expect(opts.rejectUnauthorized).toBe(false);
    expect(opts.headers?.Authorization).toBe('Bearer first');
    writeFileSync(tok, 'second');
    const again: { headers?: Record<string, string> } = {};
    await auth.applyToHTTPSOptions(again);
    expect(again.headers?.Authorization).toBe('Bearer second');
  });

  it('user name and password become basic auth', async () => {
    const f = write(
      'c',
      config('server: "http://127.0.0.1:8080"', 'username: admin, password: pw'),
    );
    const opts: Record<string, unknown> = {};
    await (await loadKubeAuth({ kubeconfig: f, env: {} })).applyToHTTPSOptions(opts);
    expect(opts.auth).toBe('admin:pw');
  });

  it('exec plugins, several files and unknown fields are client-node’s business', async () => {
    const exec = write(
      'd',
      config(
        'server: "https://k:6443"',
        'exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/true}',
      ),
    );
    expect(await loadKubeAuth({ kubeconfig: exec, env: {} })).toBeInstanceOf(KubeConfig);
    const proxy = write(
      'e',
      config('server: "https://k:6443", proxy-url: "http://proxy:3128"', 'token: t'),
    );
    expect(await loadKubeAuth({ kubeconfig: proxy, env: {} })).toBeInstanceOf(KubeConfig);
    const plain = write('f', config('server: "https://k:6443"', 'token: t'));
    expect(await loadKubeAuth({ env: { KUBECONFIG: `${plain}:${proxy}` } })).toBeInstanceOf(
      KubeConfig,
    );
  });

  it('a broken file is an INVALID_OPTION naming it', async () => {
    const f = write('g', 'clusters: [unclosed');
    const err = await loadKubeAuth({ kubeconfig: f, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(K8sGlueError);
    expect((err as K8sGlueError).code).toBe('INVALID_OPTION');
    expect((err as Error).message).toContain(f);
  });
});
