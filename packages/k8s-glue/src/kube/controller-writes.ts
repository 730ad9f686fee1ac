// The controller's writes, each through the Writer (so: bounded, prioritised, fenced by the
// Lease): Service status (+ the pool annotation, MetalLB writes both through UpdateStatus),
// IPAddressPool status, ConfigurationState, the memberlist Secret. Every write carries
// resourceVersion (optimistic concurrency: a 409 means the cache is behind) and fieldManager.
import type { Logger, WallClock } from '@ironlb/clock';
import type { PoolCounters } from '@ironlb/ipam';
import type { ConfigurationState, IPAddressPool } from '../api/types.generated.js';
import type { ConditionSpec } from '../controller/config-handler.js';
import type { ServiceUpdate } from '../controller/outcome.js';
import { ANNOTATIONS, type ServiceObject } from '../controller/service.js';
import {
  CONFIGURATION_STATE_LABELS,
  CONFIGURATION_STATE_NAME,
  configurationStateEquals,
  configurationStateStatus,
  jsonWithBigInts,
  memberlistSecret,
  poolStatusEquals,
  poolStatusFor,
  rfc3339,
  type OwnerRef,
} from '../controller/status-objects.js';
import type { ControllerMetrics } from './controller-metrics.js';
import { isAlreadyExists } from './errors.js';
import { fetchPodOwner } from './pod-owner.js';
import { METALLB_KINDS, paths } from './resources.js';
import type { KubeRest } from './rest.js';
import type { Writer } from './writer.js';

export interface ControllerWritesDeps {
  readonly rest: KubeRest;
  readonly writer: Writer;
  readonly wallClock: WallClock;
  readonly logger: Logger;
  readonly randomBytes: (n: number) => Uint8Array;
  readonly metrics: ControllerMetrics;
}

export interface ControllerWritesOptions {
  readonly namespace: string;
  readonly fieldManager: string;
  readonly podName: string;
  readonly deployment: string;
}

/**
 * The merge patch that writes a handler's decision through the status subresource: the
 * load-balancer ingress (replaced as a whole, MetalLB replaces the list; cleared with null) and
 * the metallb.io/ip-allocated-from-pool annotation (null removes it), conditional on the
 * resourceVersion the decision was made on (a 409 means the cache is behind). MetalLB sends the
 * whole Service with UpdateStatus; the patch changes the same fields and nothing else.
 */
export function serviceStatusPatch(svc: ServiceObject, u: ServiceUpdate): Record<string, unknown> {
  return {
    metadata: {
      resourceVersion: svc.metadata.resourceVersion,
      annotations: { [ANNOTATIONS.allocatedFromPool]: u.pool ?? null },
    },
    status: {
      loadBalancer: { ingress: u.ingress.length > 0 ? u.ingress.map((ip) => ({ ip })) : null },
    },
  };
}

/**
 * What the cache holds after our status write succeeded: the object the write was based on with
 * the fields the write can change (annotations, status) and the resourceVersion taken from the
 * API server's answer. The write was conditional on the cached resourceVersion, so nothing else
 * changed; keeping the cached object's other fields (spec, labels: unchanged, already old in the
 * heap) instead of caching the whole parsed answer is what lets the garbage collector drop the
 * answer young — 10k answers promoted to the old generation cost the cold start more than their
 * parsing.
 */
export function afterStatusWrite<S extends ServiceObject>(based: S, written: ServiceObject): S {
  const { annotations, resourceVersion } = written.metadata;
  const metadata = { ...based.metadata, resourceVersion };
  if (annotations) metadata.annotations = annotations;
  else delete metadata.annotations;
  const out = { ...based, metadata };
  if (written.status) out.status = written.status;
  else delete out.status;
  return out;
}

export class ControllerWrites {
  private owner: OwnerRef | null | undefined;

  /** Sent with every write; frozen, so the client encodes it once. */
  private readonly fmQuery: Readonly<Record<string, string>>;

  constructor(
    private readonly deps: ControllerWritesDeps,
    private readonly o: ControllerWritesOptions,
  ) {
    this.fmQuery = Object.freeze({ fieldManager: o.fieldManager });
  }

  private counted<T>(resource: string, p: Promise<T>): Promise<T> {
    return p.then(
      (v) => {
        this.deps.metrics.writes.inc({ resource, result: 'ok' });
        return v;
      },
      (e: unknown) => {
        this.deps.metrics.writes.inc({ resource, result: 'error' });
        throw e;
      },
    );
  }

  /** PATCH services/<name>/status (merge patch). Resolves with the stored object. */
  serviceStatus(
    svc: ServiceObject,
    u: ServiceUpdate,
  ): Promise<ServiceObject & { metadata: { name?: string } }> {
    const body = serviceStatusPatch(svc, u);
    const ns = svc.metadata.namespace ?? '';
    const name = svc.metadata.name ?? '';
    return this.counted(
      'services/status',
      this.deps.writer.submit('high', (timeoutMs) =>
        this.deps.rest.request<ServiceObject>({
          method: 'PATCH',
          path: paths.serviceStatus(ns, name),
          query: this.fmQuery,
          body,
          contentType: 'application/merge-patch+json',
          timeoutMs,
        }),
      ),
    );
  }

  /** IPAddressPool status from the allocator's counters, when it differs. */
  async poolStatus(
    pool: IPAddressPool & { metadata: { resourceVersion?: string } },
    counters: PoolCounters,
    written: (
      p: IPAddressPool & {
        metadata: { resourceVersion?: string; namespace?: string; name?: string };
      },
    ) => void,
  ): Promise<void> {
    const want = poolStatusFor(counters);
    if (poolStatusEquals(pool.status, want)) return;
    const k = METALLB_KINDS.pools;
    const body = jsonWithBigInts({
      metadata: { resourceVersion: pool.metadata.resourceVersion },
      status: want,
    });
    const out = await this.counted(
      'ipaddresspools/status',
      this.deps.writer.submit('high', (timeoutMs) =>
        this.deps.rest.request<IPAddressPool>({
          method: 'PATCH',
          contentType: 'application/merge-patch+json',
          path: `${paths.metallb(this.o.namespace, k.version, k.plural)}/${pool.metadata.name ?? ''}/status`,
          query: this.fmQuery,
          body,
          timeoutMs,
        }),
      ),
    );
    written(out);
  }

  /** Creates the ConfigurationState `controller` if missing, and writes its status when it changed. */
  async configurationState(
    condition: ConditionSpec | undefined,
    existing: ConfigurationState | undefined,
  ): Promise<void> {
    if (!condition) return;
    const k = METALLB_KINDS.configurationStates;
    const base = paths.metallb(this.o.namespace, k.version, k.plural);
    let obj = existing;
    if (!obj) {
      const owner = await this.podOwner();
      try {
        obj = await this.counted(
          'configurationstates',
          this.deps.writer.submit('high', (timeoutMs) =>
            this.deps.rest.request<ConfigurationState>({
              method: 'POST',
              path: base,
              query: this.fmQuery,
              body: {
                apiVersion: 'metallb.io/v1beta1',
                kind: 'ConfigurationState',
                metadata: {
                  name: CONFIGURATION_STATE_NAME,
                  namespace: this.o.namespace,
                  labels: { ...CONFIGURATION_STATE_LABELS },
                  ...(owner ? { ownerReferences: [owner] } : {}),
                },
              },
              timeoutMs,
            }),
          ),
        );
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        obj = await this.deps.rest.request<ConfigurationState>({
          method: 'GET',
          path: `${base}/${CONFIGURATION_STATE_NAME}`,
        });
      }
    }
    const status = configurationStateStatus(
      [condition],
      obj.status,
      rfc3339(this.deps.wallClock.epochMs()),
    );
    if (configurationStateEquals(obj.status, status)) return;
    const target = obj;
    await this.counted(
      'configurationstates/status',
      this.deps.writer.submit('high', (timeoutMs) =>
        this.deps.rest.request({
          method: 'PUT',
          path: `${base}/${CONFIGURATION_STATE_NAME}/status`,
          query: this.fmQuery,
          body: { ...target, status },
          timeoutMs,
        }),
      ),
    );
  }

  /**
   * MetalLB's CreateMlSecret: nothing when a Secret of that name exists (a user's is used as is),
   * else 16 random bytes owned by the controller's Deployment.
   */
  async memberlistSecret(name: string): Promise<void> {
    if (!name) return;
    const { rest } = this.deps;
    const list = await rest.request<{ items?: unknown[] }>({
      method: 'GET',
      path: paths.secrets(this.o.namespace),
      query: { fieldSelector: `metadata.name=${name}` },
    });
    if ((list.items ?? []).length > 0) return;
    let owner: OwnerRef | undefined;
    if (this.o.deployment) {
      const d = await rest.request<{ metadata: { name?: string; uid?: string } }>({
        method: 'GET',
        path: paths.deployment(this.o.namespace, this.o.deployment),
      });
      owner = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: d.metadata.name ?? this.o.deployment,
        uid: d.metadata.uid ?? '',
      };
    } else {
      this.deps.logger.warn(
        { op: 'CreateMlSecret' },
        'no --deployment: the memberlist secret is created without an owner',
      );
    }
    const secret = memberlistSecret(name, this.o.namespace, this.deps.randomBytes(16), owner);
    try {
      await this.counted(
        'secrets',
        this.deps.writer.submit('high', (timeoutMs) =>
          rest.request({
            method: 'POST',
            path: paths.secrets(this.o.namespace),
            query: this.fmQuery,
            body: { apiVersion: 'v1', kind: 'Secret', ...secret },
            timeoutMs,
          }),
        ),
      );
      this.deps.logger.info({ op: 'CreateMlSecret', secret: name }, 'secret successfully created');
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }

  /** Owner reference to this pod (MetalLB owns ConfigurationState by the pod); cached. */
  private async podOwner(): Promise<OwnerRef | undefined> {
    // null is an answer too (no pod, or not found): looked up once.
    if (this.owner === undefined)
      this.owner = await fetchPodOwner(
        this.deps,
        this.o.namespace,
        this.o.podName,
        'own pod not found: ConfigurationState gets no owner',
      );
    return this.owner ?? undefined;
  }
}
