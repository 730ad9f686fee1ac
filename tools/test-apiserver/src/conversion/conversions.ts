// Version conversion of custom resources whose CRD says `conversion.strategy: Webhook`: the
// ConversionReview call (or the in-process `conversionHook`), batched per CRD and target version.
// The verbs stay synchronous: a conversion not done yet throws ConversionPending (before any write
// has happened); `run()` performs the pending conversions and runs the step again. Results live
// only as long as the step that asked for them (a scope), so every request calls the webhook as
// kube-apiserver does — a webhook that goes away or a caBundle that goes wrong shows at once. A
// list converts all its objects in one review; a watch converts each event before it is sent.
import { createHash, randomUUID } from 'node:crypto';
import { ApiError } from '../errors.ts';
import { webhookTarget } from '../admission/endpoints.ts';
import { postJson, WebhookCallError } from '../admission/client.ts';
import type { KubeObject } from '../registry/types.ts';
import type { CustomResourceDefinition } from '../schema/types.ts';
import { isObject } from '../schema/structural.ts';
import type { Store } from '../store.ts';
import { acceptConverted, conversionReview, convertedObjects } from './review.ts';

/**
 * Converts custom resources in-process instead of calling the CRD's conversion webhook (same
 * contract as a ConversionReview: one object per object, in order). May be asynchronous.
 */
export type ConversionHook = (
  crd: CustomResourceDefinition,
  objects: KubeObject[],
  desiredAPIVersion: string,
) => KubeObject[] | Promise<KubeObject[]>;

export interface ConversionOptions {
  /** Convert in-process instead of calling conversion webhooks. */
  conversionHook?: ConversionHook;
  /** Deadline of one conversion webhook call. Default 30000 ms. */
  conversionTimeoutMs?: number;
  /** Largest ConversionReview response accepted. Default 64 MiB. */
  conversionMaxResponseBytes?: number;
}

export interface ConversionRequest {
  crd: CustomResourceDefinition;
  object: KubeObject;
  apiVersion: string;
}

/** A conversion that needs a webhook call first (internal control flow, never sent). */
export class ConversionPending extends Error {
  readonly requests: ConversionRequest[];
  constructor(requests: ConversionRequest[]) {
    super('conversion pending');
    this.name = 'ConversionPending';
    this.requests = requests;
  }
}

/**
 * What a conversion result depends on: everything but the metadata a write fills in (a write
 * converts before it sets uid, resourceVersion and timestamps, and uses the result after).
 */
function cacheKey(crdName: string, o: KubeObject, apiVersion: string): string {
  const { metadata, ...rest } = o;
  const m = metadata;
  const content = JSON.stringify([
    rest,
    m.name,
    m.namespace,
    m.labels ?? null,
    m.annotations ?? null,
  ]);
  return `${crdName}\0${apiVersion}\0${createHash('sha256').update(content).digest('base64')}`;
}

function gvk(o: KubeObject): string {
  return `${String(o.apiVersion)}, Kind=${String(o.kind)}`;
}

function failure(o: KubeObject, why: string): ApiError {
  const text = `conversion webhook for ${gvk(o)} failed: ${why}`;
  return new ApiError(500, 'InternalError', `Internal error occurred: ${text}`, {
    causes: [{ message: text } as never],
  });
}

type Scope = Map<string, KubeObject>;

export class Conversions {
  /** Results of the steps running now (a step sees every active scope's results). */
  private readonly scopes = new Set<Scope>();
  private readonly store: Store;
  private readonly o: ConversionOptions;

  constructor(store: Store, options: ConversionOptions = {}) {
    this.store = store;
    this.o = options;
  }

  private lookup(key: string): KubeObject | undefined {
    for (const s of this.scopes) {
      const hit = s.get(key);
      if (hit) return hit;
    }
    return undefined;
  }

  /** The object in `apiVersion` if a running step converted it; else throws ConversionPending. */
  convertSync(crd: CustomResourceDefinition, o: KubeObject, apiVersion: string): KubeObject {
    const hit = this.lookup(cacheKey(crd.metadata.name ?? '', o, apiVersion));
    if (!hit) throw new ConversionPending([{ crd, object: o, apiVersion }]);
    const out = structuredClone(hit);
    // The caller's metadata wins (resourceVersion, uid... set after the conversion ran).
    out.metadata = structuredClone(o.metadata);
    for (const f of ['labels', 'annotations'] as const) {
      const v = hit.metadata[f];
      if (v === undefined) delete out.metadata[f];
      else out.metadata[f] = structuredClone(v);
    }
    return out;
  }

  /** Runs `fn`, performing the conversions it needs first; bounded retries. */
  async run<T>(fn: () => T): Promise<T> {
    // Fast path: most steps need no conversion at all (no scope, no allocation).
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof ConversionPending)) throw e;
    }
    const scope: Scope = new Map();
    this.scopes.add(scope);
    try {
      for (let i = 0; ; i++) {
        try {
          return fn();
        } catch (e) {
          if (!(e instanceof ConversionPending) || i >= 8) throw e;
          await this.resolve(e.requests, scope);
        }
      }
    } finally {
      this.scopes.delete(scope);
    }
  }

  /**
   * Performs `requests` (one review per CRD and target version), then runs `fn` while their
   * results are available (the watch queue's drain).
   */
  async resolved<T>(requests: readonly ConversionRequest[], fn: () => T): Promise<T> {
    const scope: Scope = new Map();
    this.scopes.add(scope);
    try {
      await this.resolve(requests, scope);
      return fn();
    } finally {
      this.scopes.delete(scope);
    }
  }

  private async resolve(requests: readonly ConversionRequest[], scope: Scope): Promise<void> {
    const groups = new Map<string, ConversionRequest[]>();
    const seen = new Set<string>();
    for (const r of requests) {
      const key = cacheKey(r.crd.metadata.name ?? '', r.object, r.apiVersion);
      if (seen.has(key)) continue;
      seen.add(key);
      const k = `${r.crd.metadata.name ?? ''}\0${r.apiVersion}`;
      const g = groups.get(k) ?? [];
      g.push(r);
      groups.set(k, g);
    }
    await Promise.all([...groups.values()].map((g) => this.convertBatch(g, scope)));
  }

  private async convertBatch(reqs: ConversionRequest[], scope: Scope): Promise<void> {
    const first = reqs[0] as ConversionRequest;
    const { crd, apiVersion } = first;
    const objects = reqs.map((r) => r.object);
    let converted: unknown[];
    if (this.o.conversionHook) {
      try {
        converted = await this.o.conversionHook(crd, structuredClone(objects), apiVersion);
      } catch (e) {
        throw failure(first.object, (e as Error).message);
      }
    } else {
      const uid = randomUUID();
      const conv: unknown = crd.spec.conversion;
      const webhook = isObject(conv) && isObject(conv.webhook) ? conv.webhook : {};
      const timeoutMs = this.o.conversionTimeoutMs ?? 30_000;
      const target = webhookTarget(this.store, webhook.clientConfig, Math.ceil(timeoutMs / 1000));
      let body: unknown;
      try {
        body = await postJson(target, conversionReview(uid, apiVersion, objects), {
          timeoutMs,
          maxResponseBytes: this.o.conversionMaxResponseBytes ?? 64 * 1024 * 1024,
        });
      } catch (e) {
        if (e instanceof WebhookCallError) throw failure(first.object, e.message);
        throw e;
      }
      const got = convertedObjects(uid, body);
      if (typeof got === 'string') throw failure(first.object, got);
      converted = got;
    }
    if (!Array.isArray(converted) || converted.length !== objects.length)
      throw new ApiError(
        500,
        'InternalError',
        `Internal error occurred: conversion webhook for ${gvk(first.object)} returned ${Array.isArray(converted) ? converted.length : 0} objects, expected ${objects.length}`,
      );
    objects.forEach((orig, i) => {
      const ok = acceptConverted(orig, converted[i] as never, apiVersion);
      if (typeof ok === 'string')
        throw new ApiError(
          500,
          'InternalError',
          `Internal error occurred: conversion webhook for ${gvk(orig)} returned invalid object at index ${i}: ${ok}`,
        );
      scope.set(cacheKey(crd.metadata.name ?? '', orig, apiVersion), ok);
    });
  }
}
