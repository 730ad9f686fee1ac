// The speaker's writes, each through the Writer (bounded concurrency, timeouts): ServiceL2Status
// and ServiceBGPStatus objects (created with generateName, then their status subresource) and the
// ConfigurationState `speaker-<node>`. Every update carries resourceVersion (a 409 means the cache
// is behind; the caller retries once the watch caught up) and fieldManager.
import type { Logger, WallClock } from '@ironlb/clock';
import type {
  ConfigurationState,
  ServiceBGPStatusStatus,
  ServiceL2StatusStatus,
} from '../api/types.generated.js';
import type { ObjectMeta } from '../api/meta.js';
import type { ConditionSpec } from '../controller/config-handler.js';
import {
  configurationStateEquals,
  configurationStateStatus,
  rfc3339,
  type OwnerRef,
} from '../controller/status-objects.js';
import {
  STATUS_LABELS,
  newStatusObject,
  speakerConfigurationStateLabels,
  speakerConfigurationStateName,
  statusEquals,
  type StatusKind,
} from '../speaker/status-objects.js';
import { isAlreadyExists, isNotFound } from './errors.js';
import { fetchPodOwner } from './pod-owner.js';
import { METALLB_KINDS, paths } from './resources.js';
import type { KubeRest } from './rest.js';
import type { SpeakerMetrics } from './speaker-metrics.js';
import type { Writer } from './writer.js';

export type StatusObject = {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta & { resourceVersion?: string; ownerReferences?: OwnerRef[] };
  status?: ServiceL2StatusStatus | ServiceBGPStatusStatus;
};

/** What a status sync wrote: objects created or updated, names deleted, names found gone. */
export interface StatusWriteLog {
  readonly written: StatusObject[];
  readonly deleted: string[];
  /** Objects the cache showed that are not there any more (someone else deleted them). */
  readonly gone: string[];
}

export interface SpeakerWritesDeps {
  readonly rest: KubeRest;
  readonly writer: Writer;
  readonly wallClock: WallClock;
  readonly logger: Logger;
  readonly metrics: SpeakerMetrics;
}

export interface SpeakerWritesOptions {
  readonly namespace: string;
  readonly node: string;
  readonly podName: string;
  readonly fieldManager: string;
}

const PLURAL: Readonly<Record<StatusKind, string>> = {
  ServiceL2Status: 'servicel2statuses',
  ServiceBGPStatus: 'servicebgpstatuses',
};

export class SpeakerWrites {
  private owner: OwnerRef | null | undefined;

  /** Sent with every write; frozen, so the client encodes it once. */
  private readonly fmQuery: Readonly<Record<string, string>>;

  constructor(
    private readonly deps: SpeakerWritesDeps,
    private readonly o: SpeakerWritesOptions,
  ) {
    this.fmQuery = Object.freeze({ fieldManager: o.fieldManager });
  }

  private base(kind: StatusKind): string {
    return paths.metallb(this.o.namespace, 'v1beta1', PLURAL[kind]);
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

  private send<T>(resource: string, req: Parameters<KubeRest['request']>[0]): Promise<T> {
    return this.counted(
      resource,
      this.deps.writer.submit('high', (timeoutMs) =>
        this.deps.rest.request<T>({ ...req, timeoutMs }),
      ),
    );
  }

  /**
   * Brings the status objects of one Service in line: `want` undefined deletes this node's
   * objects; otherwise one object of this node carries `want`. `others` (objects of other nodes
   * for the same Service) are deleted too when `deleteOthers` (the Layer 2 winner clears the
   * previous winner's, MetalLB). Returns the objects written (for the cache) and the names deleted.
   */
  async syncStatus(
    kind: StatusKind,
    service: { readonly namespace: string; readonly name: string },
    want: ServiceL2StatusStatus | ServiceBGPStatusStatus | undefined,
    existing: readonly StatusObject[],
    deleteOthers: boolean,
    /** Filled as writes succeed, also when a later one fails (the caller's cache overlay). */
    acc: StatusWriteLog = { written: [], deleted: [], gone: [] },
  ): Promise<StatusWriteLog> {
    const mine = existing.filter((x) => x.metadata.labels?.[STATUS_LABELS.node] === this.o.node);
    const others = existing.filter((x) => x.metadata.labels?.[STATUS_LABELS.node] !== this.o.node);
    const { written, deleted, gone } = acc;
    const del = async (x: StatusObject) => {
      const name = x.metadata.name ?? '';
      try {
        await this.send(PLURAL[kind], {
          method: 'DELETE',
          path: `${this.base(kind)}/${name}`,
        });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      deleted.push(name);
    };
    if (want === undefined) {
      for (const x of mine) await del(x);
      return acc;
    }
    let target = mine[0];
    for (const x of mine.slice(1)) await del(x);
    if (deleteOthers) for (const x of others) await del(x);
    const create = async () => {
      const body = newStatusObject(
        kind,
        this.o.namespace,
        this.o.node,
        service,
        await this.podOwner(),
      );
      const obj = await this.send<StatusObject>(PLURAL[kind], {
        method: 'POST',
        path: this.base(kind),
        query: this.fmQuery,
        body,
      });
      written.push(obj);
      return obj;
    };
    const putStatus = (t: StatusObject) =>
      this.send<StatusObject>(`${PLURAL[kind]}/status`, {
        method: 'PUT',
        path: `${this.base(kind)}/${t.metadata.name ?? ''}/status`,
        query: this.fmQuery,
        body: { ...t, apiVersion: 'metallb.io/v1beta1', kind, status: want },
      });
    target ??= await create();
    if (!statusEquals(target.status, want)) {
      let out: StatusObject;
      try {
        out = await putStatus(target);
      } catch (e) {
        // Deleted meanwhile (the Layer 2 winner clears the other nodes' objects, and two nodes
        // may both believe they won for a moment): make a new one.
        if (!isNotFound(e)) throw e;
        gone.push(target.metadata.name ?? '');
        out = await putStatus(await create());
      }
      written.push(out);
    }
    return acc;
  }

  /** Creates `speaker-<node>` when missing and writes its status when it changed. */
  async configurationState(
    conditions: readonly ConditionSpec[],
    existing: ConfigurationState | undefined,
  ): Promise<void> {
    const k = METALLB_KINDS.configurationStates;
    const base = paths.metallb(this.o.namespace, k.version, k.plural);
    const name = speakerConfigurationStateName(this.o.node);
    let obj = existing;
    if (!obj) {
      const owner = await this.podOwner();
      try {
        obj = await this.send<ConfigurationState>('configurationstates', {
          method: 'POST',
          path: base,
          query: this.fmQuery,
          body: {
            apiVersion: 'metallb.io/v1beta1',
            kind: 'ConfigurationState',
            metadata: {
              name,
              namespace: this.o.namespace,
              labels: speakerConfigurationStateLabels(this.o.node),
              ...(owner ? { ownerReferences: [owner] } : {}),
            },
          },
        });
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        obj = await this.deps.rest.request<ConfigurationState>({
          method: 'GET',
          path: `${base}/${name}`,
        });
      }
    }
    const status = configurationStateStatus(
      conditions,
      obj.status,
      rfc3339(this.deps.wallClock.epochMs()),
    );
    if (configurationStateEquals(obj.status, status)) return;
    const target = obj;
    await this.send('configurationstates/status', {
      method: 'PUT',
      path: `${base}/${name}/status`,
      query: this.fmQuery,
      body: { ...target, status },
    });
  }

  /** Owner reference to this pod (MetalLB owns its status objects by the speaker pod); cached. */
  async podOwner(): Promise<OwnerRef | undefined> {
    // null is an answer too (no pod, or not found): looked up once.
    if (this.owner === undefined)
      this.owner = await fetchPodOwner(
        this.deps,
        this.o.namespace,
        this.o.podName,
        'own pod not found: status objects get no owner',
      );
    return this.owner ?? undefined;
  }
}
