// batch/v1 Job through @kubernetes/client-node: SetDefaults_Job, the generated selector and
// labels, ValidateJob's essentials with the real messages, the immutable template, the status
// rules a job controller must follow (JobManagedBy-era ValidateJobUpdateStatus), the orphan
// default of batch/v1 deletes, and discovery.
import { BatchV1Api, type V1Job } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWithClients, statusOf, type Clients } from './helpers.ts';

let c: Clients;
let batch: BatchV1Api;
beforeAll(async () => {
  c = await startWithClients({ tls: false });
  batch = c.kc.makeApiClient(BatchV1Api);
});
afterAll(async () => {
  await c.server.stop();
});

const job = (name: string, extra: Partial<V1Job['spec']> = {}, restartPolicy = 'Never'): V1Job => ({
  metadata: { name },
  spec: {
    template: {
      spec: {
        restartPolicy,
        containers: [{ name: 'migrate', image: 'busybox:1.36', command: ['true'] }],
      },
    },
    ...extra,
  },
});

describe('Job create', () => {
  it('defaults the spec, generates the selector and labels from the uid, resets status', async () => {
    const j = await batch.createNamespacedJob({ namespace: 'default', body: job('pi') });
    const uid = j.metadata?.uid as string;
    expect(uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(j.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
    });
    const labels = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': uid,
      'job-name': 'pi',
    };
    expect(j.spec?.template.metadata?.labels).toEqual(labels);
    // A Job without labels of its own shows the template's (SetDefaults_Job on decode).
    expect(j.metadata?.labels).toEqual(labels);
    expect(j.metadata?.generation).toBe(1);
    expect(j.status).toEqual({});
    expect(j.spec?.template.spec?.terminationGracePeriodSeconds).toBe(30);
    // managedFields describe the request (as decoded and defaulted), not what PrepareForCreate
    // generated: no manager owns the selector or the generated labels.
    type Fields = Record<string, Record<string, unknown> | undefined>;
    const fields = j.metadata?.managedFields?.[0]?.fieldsV1 as Fields;
    expect(fields['f:spec']?.['f:backoffLimit']).toEqual({});
    expect(fields['f:spec']?.['f:selector']).toBeUndefined();
    expect(fields['f:metadata']?.['f:labels']).toBeUndefined();
  });

  it('keeps its own labels; backoffLimitPerIndex makes backoffLimit MaxInt32', async () => {
    const body = job('indexed', {
      completionMode: 'Indexed',
      completions: 3,
      backoffLimitPerIndex: 1,
    });
    body.metadata = { name: 'indexed', labels: { team: 'a' } };
    const j = await batch.createNamespacedJob({ namespace: 'default', body });
    expect(j.metadata?.labels).toEqual({ team: 'a' });
    expect(j.spec).toMatchObject({ parallelism: 1, backoffLimit: 2147483647 });
  });

  it('refuses restartPolicy Always (or none) and a selector it did not generate', async () => {
    const always = await statusOf(() =>
      batch.createNamespacedJob({ namespace: 'default', body: job('always', {}, 'Always') }),
    );
    expect(always.code).toBe(422);
    expect(always.message).toBe(
      'Job.batch "always" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    );
    const body = job('picked', { selector: { matchLabels: { app: 'x' } } });
    (body.spec as NonNullable<V1Job['spec']>).template.metadata = { labels: { app: 'x' } };
    const picked = await statusOf(() => batch.createNamespacedJob({ namespace: 'default', body }));
    expect(picked.details?.causes).toContainEqual(
      expect.objectContaining({
        field: 'spec.selector',
        message: expect.stringMatching(/`selector` not auto-generated$/),
      }),
    );
    // With manualSelector the user's selector stands, and must match the template.
    (body.spec as NonNullable<V1Job['spec']>).manualSelector = true;
    const manual = await batch.createNamespacedJob({ namespace: 'default', body });
    expect(manual.spec?.selector).toEqual({ matchLabels: { app: 'x' } });
    expect(manual.spec?.template.metadata?.labels).toEqual({ app: 'x' });
    const neg = await statusOf(() =>
      batch.createNamespacedJob({ namespace: 'default', body: job('neg', { backoffLimit: -1 }) }),
    );
    expect(neg.details?.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.backoffLimit',
        message: 'Invalid value: -1: must be greater than or equal to 0',
      },
    ]);
  });
});

describe('Job update and status', () => {
  it('the template is immutable; suspend is not and moves generation', async () => {
    const j = await batch.createNamespacedJob({ namespace: 'default', body: job('upd') });
    const changed = structuredClone(j);
    const ctr = changed.spec?.template.spec?.containers[0];
    if (ctr) ctr.image = 'busybox:1.37';
    const bad = await statusOf(() =>
      batch.replaceNamespacedJob({ name: 'upd', namespace: 'default', body: changed }),
    );
    expect(bad.details?.causes?.map((x) => x.field)).toEqual(['spec.template']);
    expect(bad.details?.causes?.[0]?.message).toMatch(/field is immutable$/);
    const suspended = structuredClone(j);
    (suspended.spec as NonNullable<V1Job['spec']>).suspend = true;
    const s = await batch.replaceNamespacedJob({
      name: 'upd',
      namespace: 'default',
      body: suspended,
    });
    expect(s.spec?.suspend).toBe(true);
    expect(s.metadata?.generation).toBe(2);
  });

  it('status writes follow the controller rules: SuccessCriteriaMet before Complete, times, no way back', async () => {
    await batch.createNamespacedJob({ namespace: 'default', body: job('st') });
    const put = async (status: object) => {
      const cur = await batch.readNamespacedJob({ name: 'st', namespace: 'default' });
      return batch.replaceNamespacedJobStatus({
        name: 'st',
        namespace: 'default',
        body: { ...cur, status } as V1Job,
      });
    };
    const start = '2026-03-01T08:00:00Z';
    const end = '2026-03-01T08:00:07Z';
    const cond = (type: string) => ({
      type,
      status: 'True',
      lastProbeTime: end,
      lastTransitionTime: end,
    });
    const noCriteria = await statusOf(() =>
      put({ startTime: start, completionTime: end, succeeded: 1, conditions: [cond('Complete')] }),
    );
    expect(noCriteria.message).toBe(
      'Job.batch "st" is invalid: status.conditions: Invalid value: cannot set Complete=True condition without the SuccessCriteriaMet=true condition',
    );
    const noTime = await statusOf(() =>
      put({
        startTime: start,
        succeeded: 1,
        conditions: [cond('SuccessCriteriaMet'), cond('Complete')],
      }),
    );
    expect(noTime.details?.causes).toContainEqual({
      reason: 'FieldValueRequired',
      field: 'status.completionTime',
      message: 'Required value: completionTime is required for Complete jobs',
    });
    const backwards = await statusOf(() =>
      put({
        startTime: end,
        completionTime: start,
        succeeded: 1,
        conditions: [cond('SuccessCriteriaMet'), cond('Complete')],
      }),
    );
    expect(backwards.details?.causes?.map((x) => x.message)).toContain(
      'Invalid value: "2026-03-01T08:00:00Z": must be equal to or after `startTime`',
    );
    await put({ startTime: start, active: 1 });
    const done = await put({
      startTime: start,
      completionTime: end,
      succeeded: 1,
      conditions: [cond('SuccessCriteriaMet'), cond('Complete')],
    });
    expect(done.status?.succeeded).toBe(1);
    expect(done.spec?.completions).toBe(1); // a status write keeps the stored spec
    const undo = await statusOf(() => put({ startTime: start, succeeded: 0 }));
    expect(undo.details?.causes?.map((x) => x.message)).toEqual(
      expect.arrayContaining([
        'Invalid value: cannot disable the terminal Complete=True condition',
        'Invalid value: cannot disable the SuccessCriteriaMet=True condition',
        'Invalid value: 0: cannot decrease the succeeded counter',
      ]),
    );
  });
});

describe('Job delete and discovery', () => {
  it('a delete without a propagation policy orphans (batch/v1 default), then the Job goes', async () => {
    await batch.createNamespacedJob({ namespace: 'default', body: job('gone') });
    // A bare DELETE (client-node's typed answer is a V1Status, which drops the object).
    const res = (await (
      await fetch(`${c.server.url}/apis/batch/v1/namespaces/default/jobs/gone`, {
        method: 'DELETE',
      })
    ).json()) as { metadata?: { finalizers?: string[]; deletionTimestamp?: unknown } };
    expect(res.metadata?.finalizers).toEqual(['orphan']);
    expect(res.metadata?.deletionTimestamp).toBeDefined();
    await eventually(() =>
      c.server.core.store.get('batch/jobs', 'default/gone') === undefined ? true : undefined,
    );
  });

  it('is listed in batch/v1 discovery with its status subresource, in the `all` category', async () => {
    const list = (await (await fetch(`${c.server.url}/apis/batch/v1`)).json()) as {
      resources: { name: string; kind: string; categories?: string[]; namespaced: boolean }[];
    };
    const names = list.resources.map((r) => r.name);
    expect(names).toEqual(['jobs', 'jobs/status']);
    expect(list.resources[0]).toMatchObject({
      kind: 'Job',
      namespaced: true,
      categories: ['all'],
    });
  });
});
