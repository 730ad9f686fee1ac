// Identity and access as in a cluster, seen from @kubernetes/client-node and kubectl: a
// ServiceAccount token from TokenRequest (and as mounted files), RBAC from a narrow Role with
// kube-apiserver's 403 wording, 401 for tokens that are not (or no longer) valid, `kubectl auth
// can-i` / `--list` / `whoami` / `create token`, impersonation, and the per-identity audit log.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer } from '../src/start.ts';
import { skipReason, startCliServer, type CliServer } from './cli/harness.ts';
import { statusOf } from './helpers.ts';

const skip = skipReason();
const NS = 'team-a';
const SA_USER = `system:serviceaccount:${NS}:reader`;

describe.skipIf(skip !== undefined)(
  `identity and access${skip ? ` — SKIPPED: ${skip}` : ''}`,
  () => {
    let c: CliServer;
    let admin: CoreV1Api;
    let token: string;
    let auditFile: string;

    beforeAll(async () => {
      auditFile = join(mkdtempSync(join(tmpdir(), 'ilb-audit-')), 'audit.log');
      c = await startCliServer({ auditLogPath: auditFile });
      admin = c.server.kubeConfig().makeApiClient(CoreV1Api);
      const rbac = c.server.kubeConfig().makeApiClient(RbacAuthorizationV1Api);
      await admin.createNamespace({ body: { metadata: { name: NS } } });
      await admin.createNamespacedServiceAccount({
        namespace: NS,
        body: { metadata: { name: 'reader' } },
      });
      await rbac.createNamespacedRole({
        namespace: NS,
        body: {
          metadata: { name: 'cm-reader' },
          rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
        },
      });
      await rbac.createNamespacedRoleBinding({
        namespace: NS,
        body: {
          metadata: { name: 'reader' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
          subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: NS }],
        },
      });
      for (const ns of [NS, 'default'])
        await admin.createNamespacedConfigMap({
          namespace: ns,
          body: { metadata: { name: 'settings' } },
        });
      const tr = await admin.createNamespacedServiceAccountToken({
        namespace: NS,
        name: 'reader',
        body: { spec: { audiences: [], expirationSeconds: 3600 } } as never,
      });
      token = tr.status?.token ?? '';
    });
    afterAll(async () => {
      await c?.stop();
    });

    it('issues TokenRequest tokens; every namespace has its default ServiceAccount', async () => {
      expect(token.split('.')).toHaveLength(3);
      const claims = JSON.parse(
        Buffer.from(token.split('.')[1] as string, 'base64url').toString(),
      ) as {
        sub: string;
        aud: string[];
        'kubernetes.io': { namespace: string };
      };
      expect(claims).toMatchObject({
        sub: SA_USER,
        aud: ['https://kubernetes.default.svc.cluster.local'],
        'kubernetes.io': { namespace: NS },
      });
      const sa = await admin.readNamespacedServiceAccount({ name: 'default', namespace: NS });
      expect(sa.metadata?.name).toBe('default');
    });

    it('a ServiceAccount with a narrow Role reads within it and gets 403 outside it', async () => {
      const asSa = c.server.kubeConfig(token).makeApiClient(CoreV1Api);
      const list = await asSa.listNamespacedConfigMap({ namespace: NS });
      expect(list.items.map((i) => i.metadata?.name)).toContain('settings');
      expect(
        await statusOf(() =>
          asSa.readNamespacedConfigMap({ name: 'settings', namespace: 'default' }),
        ),
      ).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `configmaps "settings" is forbidden: User "${SA_USER}" cannot get resource "configmaps" in API group "" in the namespace "default"`,
        reason: 'Forbidden',
        details: { name: 'settings', kind: 'configmaps' },
        code: 403,
      });
      expect((await statusOf(() => asSa.listNamespacedSecret({ namespace: NS }))).message).toBe(
        `secrets is forbidden: User "${SA_USER}" cannot list resource "secrets" in API group "" in the namespace "${NS}"`,
      );
      expect(
        (
          await statusOf(() =>
            asSa.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'x' } } }),
          )
        ).code,
      ).toBe(403);
    });

    it('an unknown token is 401; a token of a deleted ServiceAccount stops working', async () => {
      const bogus = c.server.kubeConfig('not-a-token').makeApiClient(CoreV1Api);
      // client-node does not surface 401 bodies (its OpenAPI has no schema for them): raw request.
      await expect(bogus.listNamespacedConfigMap({ namespace: NS })).rejects.toMatchObject({
        code: 401,
      });
      expect(
        await getJson(c, `/api/v1/namespaces/${NS}/configmaps`, { Authorization: 'Bearer nope' }),
      ).toEqual({
        status: 401,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Unauthorized',
          reason: 'Unauthorized',
          code: 401,
        },
      });
      await admin.createNamespacedServiceAccount({
        namespace: NS,
        body: { metadata: { name: 'temp' } },
      });
      const temp = c.server.serviceAccountToken(NS, 'temp');
      const asTemp = c.server.kubeConfig(temp).makeApiClient(CoreV1Api);
      expect((await statusOf(() => asTemp.listNamespacedConfigMap({ namespace: NS }))).code).toBe(
        403,
      );
      await admin.deleteNamespacedServiceAccount({ name: 'temp', namespace: NS });
      await admin.createNamespacedServiceAccount({
        namespace: NS,
        body: { metadata: { name: 'temp' } },
      });
      await expect(asTemp.listNamespacedConfigMap({ namespace: NS })).rejects.toMatchObject({
        code: 401,
      });
    });

    it('kubectl auth can-i, can-i --list, whoami and create token work for the ServiceAccount', async () => {
      const kc = join(c.dir, 'reader.kubeconfig');
      writeFileSync(kc, c.server.serviceAccountKubeconfig(NS, 'reader'));
      const asReader = (args: string[]) => c.kubectl([...args, '--kubeconfig', kc]);
      expect(await asReader(['auth', 'can-i', 'list', 'configmaps', '-n', NS])).toMatchObject({
        code: 0,
        stdout: 'yes\n',
      });
      expect(await asReader(['auth', 'can-i', 'get', 'secrets', '-n', NS])).toMatchObject({
        code: 1,
        stdout: 'no\n',
      });
      const rules = await asReader(['auth', 'can-i', '--list', '-n', NS]);
      expect(rules.stdout).toMatch(/^configmaps\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
      expect(rules.stdout).toMatch(
        /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m,
      );
      expect(
        (await asReader(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).stdout,
      ).toBe(SA_USER);
      // The admin: everything; impersonating the ServiceAccount (kubectl --as): its rights.
      expect((await c.kubectl(['auth', 'can-i', '*', '*'])).stdout).toBe('yes\n');
      expect(
        await c.kubectl(['auth', 'can-i', 'get', 'secrets', '-n', NS, '--as', SA_USER]),
      ).toMatchObject({ code: 1, stdout: 'no\n' });
      const created = await c.kubectl(['create', 'token', 'reader', '-n', NS, '--duration', '15m']);
      expect(created.stderr).toBe('');
      const asNew = c.server.kubeConfig(created.stdout.trim()).makeApiClient(CoreV1Api);
      expect((await asNew.listNamespacedConfigMap({ namespace: NS })).items.length).toBeGreaterThan(
        0,
      );
    });

    it('impersonation is itself authorized; mounted token files authenticate', async () => {
      const asSa = { Authorization: `Bearer ${token}`, 'Impersonate-User': 'bob' };
      const r = await getJson(c, `/api/v1/namespaces/${NS}/configmaps`, asSa);
      expect(r.status).toBe(403);
      expect((r.body as { message: string }).message).toBe(
        `users "bob" is forbidden: User "${SA_USER}" cannot impersonate resource "users" in API group "" at the cluster scope`,
      );
      const dir = join(c.dir, 'sa-mount');
      const mounted = c.server.writeServiceAccountMount(dir, NS, 'reader');
      expect(readFileSync(join(dir, 'namespace'), 'utf8')).toBe(NS);
      expect(readFileSync(join(dir, 'ca.crt'), 'utf8')).toBe(c.server.caPem);
      const asMounted = c.server
        .kubeConfig(readFileSync(join(dir, 'token'), 'utf8'))
        .makeApiClient(CoreV1Api);
      expect(mounted.length).toBeGreaterThan(0);
      expect(
        (await asMounted.listNamespacedConfigMap({ namespace: NS })).items.length,
      ).toBeGreaterThan(0);
    });

    it('keeps an audit log per identity, in memory and as audit.k8s.io/v1 JSON lines', async () => {
      const used = c.server.audit.permissionsUsed(SA_USER);
      expect(used).toEqual(
        expect.arrayContaining([
          {
            verb: 'list',
            apiGroup: '',
            resource: 'configmaps',
            subresource: '',
            namespace: NS,
            // 200 as itself; 403 when it tried to impersonate bob (checked before RBAC).
            codes: [200, 403],
            names: [''],
          },
          {
            verb: 'get',
            apiGroup: '',
            resource: 'configmaps',
            subresource: '',
            namespace: 'default',
            codes: [403],
            names: ['settings'],
          },
          {
            verb: 'list',
            apiGroup: '',
            resource: 'secrets',
            subresource: '',
            namespace: NS,
            codes: [403],
            names: [''],
          },
        ]),
      );
      expect(used.some((p) => p.resource === 'secrets' && p.codes.includes(200))).toBe(false);
      const lines = readFileSync(auditFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const forbidden = lines.find(
        (e) =>
          (e.user as { username: string }).username === SA_USER &&
          (e.objectRef as { resource?: string })?.resource === 'secrets',
      );
      expect(forbidden).toMatchObject({
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        level: 'Metadata',
        stage: 'ResponseComplete',
        verb: 'list',
        user: {
          username: SA_USER,
          groups: [
            'system:serviceaccounts',
            `system:serviceaccounts:${NS}`,
            'system:authenticated',
          ],
        },
        objectRef: { resource: 'secrets', namespace: NS, apiVersion: 'v1' },
        responseStatus: { code: 403 },
        annotations: { 'authorization.k8s.io/decision': 'forbid' },
      });
      const impersonated = c.server.audit
        .entries({ username: SA_USER })
        .find((e) => e.impersonatedUser);
      expect(impersonated?.user.username).toBe('kubernetes-admin');
    });
  },
);

/** GET over HTTPS trusting the test server's CA, with the given headers. */
function getJson(
  c: CliServer,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${c.server.url}${path}`, { headers, ca: c.server.caPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString()),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('anonymous requests', () => {
  it('with anonymousAccess rbac, system:anonymous gets health only, as kube-apiserver does', async () => {
    const server = await startTestApiServer({ tls: false, anonymousAccess: 'rbac' });
    try {
      const get = async (path: string) => {
        const r = await fetch(`${server.url}${path}`);
        return { status: r.status, text: await r.text() };
      };
      expect(await get('/healthz')).toEqual({ status: 200, text: 'ok' });
      expect((await get('/version')).status).toBe(200);
      const ns = await get('/api/v1/namespaces');
      expect(ns.status).toBe(403);
      expect((JSON.parse(ns.text) as { message: string }).message).toBe(
        'namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope',
      );
      expect((JSON.parse((await get('/apis')).text) as { message: string }).message).toBe(
        'forbidden: User "system:anonymous" cannot get path "/apis"',
      );
      // The default ('full'): anonymous requests are allowed, and audited as system:anonymous.
      const open = await startTestApiServer({ tls: false });
      try {
        expect((await fetch(`${open.url}/api/v1/namespaces`)).status).toBe(200);
        expect(
          open.audit.entries({ username: 'system:anonymous' }).at(-1)?.objectRef,
        ).toMatchObject({ resource: 'namespaces' });
      } finally {
        await open.stop();
      }
    } finally {
      await server.stop();
    }
  });
});
