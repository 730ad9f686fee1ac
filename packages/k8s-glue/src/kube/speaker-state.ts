// What the speaker last decided about each Service, so that a sync emits only what changed: the
// nodeAssigned / announceFailed events (MetalLB emits nodeAssigned on every reconcile, thousands
// of times, #1682), MetalLB's announce / withdraw log lines, metallb_speaker_announced, and which
// status objects to (re)write. Plain data in, plain data out; the runtime does the I/O.
import type { Labels } from '@ironlb/clock';
import type { ServiceBGPStatusStatus, ServiceL2StatusStatus } from '../api/types.generated.js';
import type { BgpLocalPrefConflict, BgpServiceDecision } from '../announce/bgp.js';
import type { Layer2ServiceDecision } from '../announce/layer2.js';
import { announceFailedEvent, withdrawLog, type Protocol } from '../announce/reasons.js';
import type { LogLine, ServiceEvent } from '../announce/types.js';
import {
  serviceBgpStatus,
  serviceL2Status,
  statusServiceKey,
  type StatusKind,
} from '../speaker/status-objects.js';
import type { StatusObject } from './speaker-writes.js';

export type StatusWant = ServiceL2StatusStatus | ServiceBGPStatusStatus;

interface Prev {
  announce: boolean;
  /** Announce wanted but no interface answers (Layer 2 only). */
  failed: boolean;
  ips: readonly string[];
  reason: string;
  detail: string;
}

export interface SpeakerOutputs {
  readonly logs: (LogLine & { service: string })[];
  readonly events: { service: string; event: ServiceEvent }[];
  readonly announced: { labels: Labels; value: number }[];
  readonly statusKeys: string[];
}

const svcRef = (key: string) => {
  const [namespace = '', name = ''] = key.split('/', 2);
  return { namespace, name };
};

export class SpeakerState {
  private readonly prev: Record<Protocol, Map<string, Prev>> = {
    layer2: new Map(),
    bgp: new Map(),
  };
  private readonly want: Record<StatusKind, Map<string, string>> = {
    ServiceL2Status: new Map(),
    ServiceBGPStatus: new Map(),
  };
  private readonly wantObj: Record<StatusKind, Map<string, StatusWant>> = {
    ServiceL2Status: new Map(),
    ServiceBGPStatus: new Map(),
  };
  private conflictsText = '[]';
  private out: SpeakerOutputs = { logs: [], events: [], announced: [], statusKeys: [] };
  /** Objects this process wrote or deleted that the informer may not show yet. */
  private readonly written: Record<StatusKind, Map<string, StatusObject>> = {
    ServiceL2Status: new Map(),
    ServiceBGPStatus: new Map(),
  };
  private readonly deleted: Record<StatusKind, Set<string>> = {
    ServiceL2Status: new Set(),
    ServiceBGPStatus: new Set(),
  };

  constructor(private readonly node: string) {}

  announcesLayer2(service: string): boolean {
    const p = this.prev.layer2.get(service);
    return p !== undefined && p.announce && !p.failed;
  }

  /** Services announced over a protocol now (tests, status). */
  announced(protocol: Protocol): string[] {
    return [...this.prev[protocol]]
      .filter(([, p]) => p.announce && !p.failed)
      .map(([k]) => k)
      .sort();
  }

  statusWant(kind: StatusKind, service: string): StatusWant | undefined {
    return this.wantObj[kind].get(service);
  }

  /**
   * Records the Layer 2 decisions and what the announcer answers on (`answered`: address →
   * interfaces). Returns how many Services this node started announcing (a takeover when it
   * follows a memberlist change).
   */
  applyLayer2(
    decisions: readonly Layer2ServiceDecision[],
    answered: ReadonlyMap<string, readonly string[]>,
  ): number {
    let started = 0;
    const seen = new Set<string>();
    for (const d of decisions) {
      seen.add(d.key);
      const prev = this.prev.layer2.get(d.key);
      if (d.announce) {
        const failed = d.ips.every((ip) => (answered.get(ip)?.length ?? 0) === 0);
        const changed = !prev || !prev.announce || prev.failed || !sameIps(prev.ips, d.ips);
        if (prev?.announce && !prev.failed && !sameIps(prev.ips, d.ips))
          this.withdraw('layer2', d.key, prev.ips, 'loadBalancerIPChanged');
        if (failed) {
          if (!prev?.failed || !sameIps(prev.ips, d.ips))
            for (const ip of d.ips)
              this.out.events.push({ service: d.key, event: announceFailedEvent(ip, this.node) });
          this.setWant('ServiceL2Status', d.key, undefined);
        } else {
          if (changed) {
            started++;
            this.out.logs.push({ ...d.log, service: d.key });
            this.out.events.push({ service: d.key, event: d.event });
            this.setAnnounced('layer2', d.key, d.ips, 1);
          }
          this.setWant(
            'ServiceL2Status',
            d.key,
            serviceL2Status(this.node, svcRef(d.key), d.interfaces),
          );
        }
        this.prev.layer2.set(d.key, {
          announce: true,
          failed,
          ips: d.ips,
          reason: '',
          detail: '',
        });
        continue;
      }
      if (prev?.announce && !prev.failed)
        this.withdraw('layer2', d.key, prev.ips, d.reason as string);
      const detail = d.log ? JSON.stringify(d.log) : '';
      if (d.log && (prev?.reason !== d.reason || prev.detail !== detail))
        this.out.logs.push({ ...d.log, service: d.key });
      this.setWant('ServiceL2Status', d.key, undefined);
      this.prev.layer2.set(d.key, {
        announce: false,
        failed: false,
        ips: d.ips ?? [],
        reason: d.reason,
        detail,
      });
    }
    this.forgetMissing('layer2', 'ServiceL2Status', seen);
    return started;
  }

  applyBgp(
    decisions: readonly BgpServiceDecision[],
    conflicts: readonly BgpLocalPrefConflict[],
  ): void {
    const seen = new Set<string>();
    for (const d of decisions) {
      seen.add(d.key);
      const prev = this.prev.bgp.get(d.key);
      if (d.announce) {
        if (prev?.announce && !sameIps(prev.ips, d.ips))
          this.withdraw('bgp', d.key, prev.ips, 'loadBalancerIPChanged');
        if (!prev?.announce || !sameIps(prev.ips, d.ips)) {
          this.out.logs.push({ ...d.log, service: d.key });
          this.out.events.push({ service: d.key, event: d.event });
          this.setAnnounced('bgp', d.key, d.ips, 1);
        }
        this.setWant(
          'ServiceBGPStatus',
          d.key,
          d.peers.length > 0 ? serviceBgpStatus(this.node, svcRef(d.key), d.peers) : undefined,
        );
        this.prev.bgp.set(d.key, {
          announce: true,
          failed: false,
          ips: d.ips,
          reason: '',
          detail: '',
        });
        continue;
      }
      if (prev?.announce) this.withdraw('bgp', d.key, prev.ips, d.reason as string);
      const detail = d.log ? JSON.stringify(d.log) : '';
      if (d.log && (prev?.reason !== d.reason || prev.detail !== detail))
        this.out.logs.push({ ...d.log, service: d.key });
      this.setWant('ServiceBGPStatus', d.key, undefined);
      this.prev.bgp.set(d.key, {
        announce: false,
        failed: false,
        ips: d.ips ?? [],
        reason: d.reason,
        detail,
      });
    }
    this.forgetMissing('bgp', 'ServiceBGPStatus', seen);
    const text = JSON.stringify(conflicts);
    if (text !== this.conflictsText) {
      this.conflictsText = text;
      for (const c of conflicts)
        this.out.logs.push({
          level: 'warn',
          fields: {
            op: 'bgp',
            peer: c.peer,
            prefix: c.prefix,
            localPrefs: c.localPrefs.join(','),
          },
          msg: 'advertisements of the same prefix disagree on LOCAL_PREF: not sent to this peer',
          service: c.services.join(','),
        });
    }
  }

  /** Everything to emit since the last drain. */
  drain(): SpeakerOutputs {
    const o = this.out;
    this.out = { logs: [], events: [], announced: [], statusKeys: [] };
    return o;
  }

  /** `objects` (from the informer, for one Service) with this process's writes applied. */
  overlay(kind: StatusKind, service: string, objects: readonly StatusObject[]): StatusObject[] {
    const written = this.written[kind];
    const deleted = this.deleted[kind];
    const byName = new Map<string, StatusObject>();
    const listed = new Set<string>();
    for (const o of objects) {
      const name = o.metadata.name ?? '';
      listed.add(name);
      const w = written.get(name);
      if (w && newer(w, o)) byName.set(name, w);
      else {
        written.delete(name);
        byName.set(name, o);
      }
    }
    for (const [name, w] of written) {
      if (!listed.has(name) && statusServiceKey(w.metadata) === service) byName.set(name, w);
    }
    for (const name of [...deleted]) {
      if (!listed.has(name) && !written.has(name)) deleted.delete(name);
      byName.delete(name);
    }
    return [...byName.values()];
  }

  /** The informer saw the object go: a write of ours it stood for is no news any more. */
  observedDeletion(kind: StatusKind, name: string): void {
    this.written[kind].delete(name);
    this.deleted[kind].delete(name);
  }

  recordWrites(
    kind: StatusKind,
    written: readonly StatusObject[],
    deleted: readonly string[],
    gone: readonly string[] = [],
  ): void {
    for (const o of written) this.written[kind].set(o.metadata.name ?? '', o);
    for (const name of [...deleted, ...gone]) {
      this.written[kind].delete(name);
      this.deleted[kind].add(name);
    }
  }

  // ----------------------------------------------------------------

  private withdraw(protocol: Protocol, key: string, ips: readonly string[], reason: string): void {
    this.out.logs.push({ ...withdrawLog(ips, reason), service: key });
    this.setAnnounced(protocol, key, ips, 0);
  }

  private setAnnounced(
    protocol: Protocol,
    key: string,
    ips: readonly string[],
    value: number,
  ): void {
    // MetalLB deletes the series on withdrawal; the Metrics contract has no delete, so zero.
    for (const ip of ips)
      this.out.announced.push({
        labels: { service: key, protocol, node: this.node, ip },
        value,
      });
  }

  private setWant(kind: StatusKind, key: string, want: StatusWant | undefined): void {
    const text = want === undefined ? undefined : JSON.stringify(want);
    if (this.want[kind].get(key) === text) return;
    if (text === undefined) {
      this.want[kind].delete(key);
      this.wantObj[kind].delete(key);
    } else {
      this.want[kind].set(key, text);
      this.wantObj[kind].set(key, want as StatusWant);
    }
    this.out.statusKeys.push(`${kind}|${key}`);
  }

  private forgetMissing(protocol: Protocol, kind: StatusKind, seen: ReadonlySet<string>): void {
    for (const [key, prev] of [...this.prev[protocol]]) {
      if (seen.has(key)) continue;
      if (prev.announce && !prev.failed) this.withdraw(protocol, key, prev.ips, 'serviceDeleted');
      this.prev[protocol].delete(key);
      this.setWant(kind, key, undefined);
    }
  }
}

function sameIps(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function newer(a: StatusObject, b: StatusObject): boolean {
  const ra = a.metadata.resourceVersion ?? '';
  const rb = b.metadata.resourceVersion ?? '';
  if (/^\d+$/.test(ra) && /^\d+$/.test(rb)) return BigInt(ra) > BigInt(rb);
  return ra !== rb;
}
