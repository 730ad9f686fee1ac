// The admission webhooks of a write, as kube-apiserver's MutatingAdmissionWebhook and
// ValidatingAdmissionWebhook plugins run them: mutating webhooks one after the other (configurations
// by name, webhooks in order), each seeing the previous one's result and able to patch it
// (JSONPatch); `reinvocationPolicy: IfNeeded` webhooks called again once, in order, when a later
// webhook changed the object; then validating webhooks all at once. A failed call is decided by
// failurePolicy (Ignore → skipped, Fail → 500 InternalError); a dry run refuses webhooks whose
// sideEffects are not None/NoneOnDryRun. The object is sent in the version the matching rule names
// (matchPolicy Equivalent) and converted back.
import { randomUUID } from 'node:crypto';
import { ApiError, badRequest, notFound } from '../errors.ts';
import type { Registry } from '../registry/registry.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import { deepEqual } from '../schema/validate.ts';
import type { Store } from '../store.ts';
import { jsonPatch } from '../util/patch.ts';
import type { Conversions } from '../conversion/conversions.ts';
import { ADMIN, type UserInfo } from '../auth/identity.ts';
import { postJson, WebhookCallError } from './client.ts';
import { webhookTarget } from './endpoints.ts';
import {
  admissionReview,
  callingErrorText,
  denialError,
  internalCallError,
  verifyResponse,
} from './review.ts';
import {
  dryRunAllowed,
  isExempt,
  shouldCall,
  type Invocation,
  type MatchAttributes,
} from './rules.ts';

export interface WebhookOptions {
  /**
   * 'call' (default): admission webhooks are called. 'off': configurations are stored only (for
   * tests that apply webhook manifests without running the webhook server).
   */
  admissionWebhooks?: 'call' | 'off';
  /** Largest AdmissionReview response accepted. Default 16 MiB. */
  webhookMaxResponseBytes?: number;
}

/** One write as the webhooks see it (the verbs' AdmissionAttributes plus who asks). */
export interface WebhookAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  resource: ResourceType;
  subresource: string | undefined;
  namespace: string | undefined;
  name: string;
  object: KubeObject | undefined;
  oldObject: KubeObject | undefined;
  dryRun: boolean;
  user?: UserInfo | undefined;
  options?: JsonObject | undefined;
}

export interface AdmissionDeps {
  store: Store;
  registry: Registry;
  conversions: Conversions;
  /** The object of `from`'s version in `to`'s version (through storage). */
  toVersion(from: ResourceType, o: KubeObject, to: ResourceType): Promise<KubeObject>;
}

type Hook = JsonObject & { name: string };

function hooksOf(store: Store, bucket: string): Hook[] {
  const out: Hook[] = [];
  for (const cfg of store.list(`admissionregistration.k8s.io/${bucket}`))
    for (const w of Array.isArray(cfg.webhooks) ? cfg.webhooks : [])
      if (isObject(w) && typeof w.name === 'string') out.push(w as Hook);
  return out;
}

export class WebhookAdmission {
  private readonly d: AdmissionDeps;
  private readonly o: WebhookOptions;

  constructor(deps: AdmissionDeps, options: WebhookOptions = {}) {
    this.d = deps;
    this.o = options;
  }

  private matchAttrs(a: WebhookAttributes, object: KubeObject | undefined): MatchAttributes {
    const t = a.resource;
    return {
      operation: a.operation,
      resource: { group: t.group, version: t.version, resource: t.resource },
      kind: { group: t.group, version: t.version, kind: t.kind },
      subresource: a.subresource ?? '',
      namespace: t.namespaced ? (a.namespace ?? '') : '',
      object,
      oldObject: a.oldObject,
    };
  }

  private invocation(
    hook: Hook,
    a: WebhookAttributes,
    object: KubeObject | undefined,
  ): Invocation | undefined {
    const t = a.resource;
    const equivalents = this.d.registry
      .all()
      .filter((x) => x.storageKey === t.storageKey)
      .map((x) => ({
        resource: { group: x.group, version: x.version, resource: x.resource },
        kind: { group: x.group, version: x.version, kind: x.kind },
      }));
    const inv = shouldCall(
      hook,
      this.matchAttrs(a, object),
      (ns) => {
        const o = this.d.store.get('/namespaces', ns);
        return o ? (isObject(o.metadata.labels) ? o.metadata.labels : {}) : undefined;
      },
      equivalents,
    );
    if (inv === 'namespace-not-found')
      throw notFound({ group: '', resource: 'namespaces' }, a.namespace ?? '');
    if (inv && a.dryRun && !dryRunAllowed(hook))
      throw badRequest(`admission webhook ${JSON.stringify(hook.name)} does not support dry run`);
    return inv;
  }

  private typeOf(inv: Invocation, a: WebhookAttributes): ResourceType {
    const t = this.d.registry.find(inv.resource.group, inv.resource.version, inv.resource.resource);
    return t ?? a.resource;
  }

  private async inVersion(a: WebhookAttributes, o: KubeObject | undefined, to: ResourceType) {
    if (!o || to === a.resource) return o;
    return this.d.toVersion(a.resource, o, to);
  }

  /** One call; returns the verified response, or undefined when failurePolicy Ignore skipped it. */
  private async call(
    hook: Hook,
    mutating: boolean,
    a: WebhookAttributes,
    inv: Invocation,
    object: KubeObject | undefined,
  ) {
    const to = this.typeOf(inv, a);
    const uid = randomUUID();
    const versions = Array.isArray(hook.admissionReviewVersions)
      ? hook.admissionReviewVersions
      : [];
    const ignore = hook.failurePolicy === 'Ignore';
    const fail = (why: string) => {
      if (ignore) return undefined;
      throw internalCallError(callingErrorText(hook.name, why));
    };
    if (!versions.includes('v1'))
      return fail(
        'could not create admission objects: this test API server sends AdmissionReview v1 only',
      );
    const review = admissionReview({
      uid,
      invocation: inv,
      requestKind: { group: a.resource.group, version: a.resource.version, kind: a.resource.kind },
      requestResource: {
        group: a.resource.group,
        version: a.resource.version,
        resource: a.resource.resource,
      },
      requestSubResource: a.subresource ?? '',
      name: a.name,
      namespace: a.resource.namespaced ? (a.namespace ?? '') : '',
      operation: a.operation,
      user: a.user ?? ADMIN,
      object: (await this.inVersion(a, object, to)) as Json | undefined,
      oldObject: (await this.inVersion(a, a.oldObject, to)) as Json | undefined,
      dryRun: a.dryRun,
      options: a.options,
    });
    const timeoutSec = typeof hook.timeoutSeconds === 'number' ? hook.timeoutSeconds : 10;
    let body: unknown;
    try {
      body = await postJson(webhookTarget(this.d.store, hook.clientConfig, timeoutSec), review, {
        timeoutMs: timeoutSec * 1000,
        maxResponseBytes: this.o.webhookMaxResponseBytes ?? 16 * 1024 * 1024,
      });
    } catch (e) {
      if (e instanceof WebhookCallError) return fail(`failed to call webhook: ${e.message}`);
      throw e;
    }
    const r = verifyResponse(uid, mutating, body);
    if (typeof r === 'string') return fail(`received invalid webhook response: ${r}`);
    if (!r.allowed) throw denialError(hook.name, r.result);
    return { r, to };
  }

  /** Whether any webhook configuration exists (writes skip admission work otherwise). */
  active(): boolean {
    if (this.o.admissionWebhooks === 'off') return false;
    const g = 'admissionregistration.k8s.io';
    return (
      this.d.store.list(`${g}/mutatingwebhookconfigurations`).length > 0 ||
      this.d.store.list(`${g}/validatingwebhookconfigurations`).length > 0
    );
  }

  /** Mutating webhooks; returns the (possibly patched) object in the request's version. */
  async mutate(
    a: WebhookAttributes,
  ): Promise<{ object: KubeObject | undefined; changed: boolean; warnings: string[] }> {
    const warnings: string[] = [];
    let object = a.object;
    let changed = false;
    if (
      this.o.admissionWebhooks === 'off' ||
      isExempt({ group: a.resource.group, version: a.resource.version, kind: a.resource.kind })
    )
      return { object, changed, warnings };
    const hooks = hooksOf(this.d.store, 'mutatingwebhookconfigurations');
    const reinvocable = new Set<number>();
    let lastChange = -1;
    const round = async (only: Set<number> | undefined) => {
      for (let i = 0; i < hooks.length; i++) {
        if (only && !only.has(i)) continue;
        const hook = hooks[i] as Hook;
        const inv = this.invocation(hook, a, object);
        if (!inv) continue;
        const got = await this.call(hook, true, a, inv, object);
        if (hook.reinvocationPolicy === 'IfNeeded') reinvocable.add(i);
        if (!got) continue;
        warnings.push(...got.r.warnings);
        if (!got.r.patch || got.r.patch.length === 0) continue;
        if (!object)
          throw new ApiError(
            500,
            'InternalError',
            `Internal error occurred: admission webhook ${JSON.stringify(hook.name)} attempted to modify the object, which is not supported for this operation`,
          );
        const sent = (await this.inVersion(a, object, got.to)) as KubeObject;
        let patched: KubeObject;
        try {
          patched = jsonPatch(sent as Json, got.r.patch) as KubeObject;
        } catch (e) {
          throw new ApiError(
            500,
            'InternalError',
            `Internal error occurred: ${(e as Error).message}`,
          );
        }
        const back =
          got.to === a.resource ? patched : await this.d.toVersion(got.to, patched, a.resource);
        if (!deepEqual(back, object)) {
          object = back;
          changed = true;
          lastChange = i;
        }
      }
    };
    await round(undefined);
    // IfNeeded webhooks called before the last change see the final object once more.
    const again = new Set([...reinvocable].filter((i) => i < lastChange));
    if (again.size) await round(again);
    return { object, changed, warnings };
  }

  /** Validating webhooks, called in parallel; the first refusal (in webhook order) wins. */
  async validate(a: WebhookAttributes): Promise<string[]> {
    if (
      this.o.admissionWebhooks === 'off' ||
      isExempt({ group: a.resource.group, version: a.resource.version, kind: a.resource.kind })
    )
      return [];
    const calls: Promise<string[]>[] = [];
    for (const hook of hooksOf(this.d.store, 'validatingwebhookconfigurations')) {
      const inv = this.invocation(hook, a, a.object);
      if (!inv) continue;
      calls.push(this.call(hook, false, a, inv, a.object).then((got) => got?.r.warnings ?? []));
    }
    const results = await Promise.allSettled(calls);
    const refused = results.find((r) => r.status === 'rejected');
    if (refused) throw (refused as PromiseRejectedResult).reason;
    return results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  }
}
