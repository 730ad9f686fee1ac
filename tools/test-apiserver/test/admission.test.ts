// The admission seam (webhooks come in the next issue): a hook that denies, and an asynchronous
// hook during which the object changes — the write then fails with 409 instead of overwriting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors.ts';
import type { AdmissionAttributes } from '../src/server/api.ts';
import { startWithClients, statusOf, type Clients } from './helpers.ts';

let c: Clients;
const seen: string[] = [];
let delayNextUpdate: (() => Promise<void>) | undefined;

beforeAll(async () => {
  c = await startWithClients({
    admissionHook: async (a: AdmissionAttributes) => {
      seen.push(
        `${a.operation} ${a.resource.resource}${a.subresource ? `/${a.subresource}` : ''} ${a.name}`,
      );
      if (
        a.operation === 'CREATE' &&
        a.object?.metadata.labels &&
        (a.object.metadata.labels as Record<string, string>).deny === 'yes'
      )
        throw new ApiError(
          400,
          'BadRequest',
          `admission webhook "deny.example.com" denied the request: label deny=yes`,
        );
      if (a.operation === 'UPDATE' && delayNextUpdate) {
        const d = delayNextUpdate;
        delayNextUpdate = undefined;
        await d();
      }
    },
  });
});
afterAll(async () => {
  await c.server.stop();
});

describe('admission hook', () => {
  it('sees every write with its operation and can deny it', async () => {
    await c.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'ok' } },
    });
    const st = await statusOf(() =>
      c.core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'no', labels: { deny: 'yes' } } },
      }),
    );
    expect(st).toMatchObject({
      code: 400,
      message: 'admission webhook "deny.example.com" denied the request: label deny=yes',
    });
    await c.core.deleteNamespacedConfigMap({ name: 'ok', namespace: 'default' });
    expect(seen).toEqual(['CREATE configmaps ok', 'CREATE configmaps no', 'DELETE configmaps ok']);
    const nf = await statusOf(() =>
      c.core.readNamespacedConfigMap({ name: 'no', namespace: 'default' }),
    );
    expect(nf.code).toBe(404);
  });

  it('a write that changed during an asynchronous admission gets 409, not a lost update', async () => {
    const cm = await c.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'race' }, data: { v: '0' } },
    });
    delayNextUpdate = async () => {
      // While the first update waits in admission, a second one commits.
      await c.core.replaceNamespacedConfigMap({
        name: 'race',
        namespace: 'default',
        body: { ...cm, data: { v: 'second' } },
      });
    };
    const st = await statusOf(() =>
      c.core.replaceNamespacedConfigMap({
        name: 'race',
        namespace: 'default',
        body: { ...cm, data: { v: 'first' } },
      }),
    );
    expect(st).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(
      (await c.core.readNamespacedConfigMap({ name: 'race', namespace: 'default' })).data,
    ).toEqual({ v: 'second' });
  });
});
