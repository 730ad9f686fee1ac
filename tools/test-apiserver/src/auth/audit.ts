// A per-identity audit log: one audit.k8s.io/v1 Event (level Metadata, stage ResponseStarted for
// watches and log streams, ResponseComplete otherwise) per request, kept in memory (bounded) and
// optionally appended to a file as JSON lines — the format kube-apiserver's --audit-log-path
// writes, so the same tools read both. `permissionsUsed()` boils it down to what an identity
// actually did, to prove a component's RBAC minimal; it is kept as a running summary (one entry
// per identity and permission), so it covers a whole run even after old events are dropped.
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { userInfoJson, type UserInfo } from './identity.ts';
import type { RequestInfo } from './request-info.ts';

export interface AuditOptions {
  /** Append every event to this file (JSON lines); undefined = memory only. */
  auditLogPath?: string;
  /** Events kept in memory (oldest dropped first; the summaries keep everything). Default 10000. */
  auditMaxEntries?: number;
}

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'Metadata';
  auditID: string;
  stage: 'ResponseStarted' | 'ResponseComplete';
  requestURI: string;
  verb: string;
  user: Record<string, unknown>;
  impersonatedUser?: Record<string, unknown>;
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: Record<string, string>;
  responseStatus: { metadata: Record<string, never>; code: number };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

export interface AuditQuery {
  /** The identity that acted (the impersonated user when impersonating). */
  username?: string;
  verb?: string;
  resource?: string;
  namespace?: string;
}

/** One permission an identity used: what an RBAC rule would have to grant. */
export interface UsedPermission {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  /** HTTP codes seen for it, ascending (403 = it was tried and refused). */
  codes: number[];
  /**
   * The object names it was used on, sorted ('' = a collection: list, watch, create), so a
   * Role's `resourceNames` can be checked; at most MAX_NAMES_PER_PERMISSION kept.
   */
  names: string[];
}

/** Names kept per summarised permission: a client touching many objects is not a memory hog. */
const MAX_NAMES_PER_PERMISSION = 64;

function micro(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** What one request's event is made of; the Event JSON is built only when read or written. */
interface Rec {
  info: RequestInfo;
  requestURI: string;
  user: UserInfo;
  impersonatedUser: UserInfo | undefined;
  sourceIP: string;
  userAgent: string | undefined;
  code: number;
  receivedMs: number;
  stageMs: number;
  streaming: boolean;
  decision: { allowed: boolean; reason: string } | undefined;
  /** Assigned when the event is first built (a UUID, as kube-apiserver's). */
  auditID?: string;
}

function toEvent(r: Rec): AuditEvent {
  r.auditID ??= randomUUID();
  const ev: AuditEvent = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: r.auditID,
    stage: r.streaming ? 'ResponseStarted' : 'ResponseComplete',
    requestURI: r.requestURI,
    verb: r.info.verb,
    user: userInfoJson(r.user),
    sourceIPs: [r.sourceIP],
    responseStatus: { metadata: {}, code: r.code },
    requestReceivedTimestamp: micro(new Date(r.receivedMs)),
    stageTimestamp: micro(new Date(r.stageMs)),
  };
  if (r.impersonatedUser) ev.impersonatedUser = userInfoJson(r.impersonatedUser);
  if (r.userAgent) ev.userAgent = r.userAgent;
  const i = r.info;
  if (i.isResourceRequest) {
    const ref: Record<string, string> = { resource: i.resource };
    if (i.namespace) ref.namespace = i.namespace;
    if (i.name) ref.name = i.name;
    if (i.apiGroup) ref.apiGroup = i.apiGroup;
    if (i.apiVersion) ref.apiVersion = i.apiVersion;
    if (i.subresource) ref.subresource = i.subresource;
    ev.objectRef = ref;
  }
  if (r.decision)
    ev.annotations = {
      'authorization.k8s.io/decision': r.decision.allowed ? 'allow' : 'forbid',
      'authorization.k8s.io/reason': r.decision.reason,
    };
  return ev;
}

export class AuditLog {
  /** A ring of the last `max` records (cheap per request: no JSON until someone reads). */
  private readonly ring: (Rec | undefined)[];
  private next = 0;
  private count = 0;
  /** username → permission key → what was used (bounded by the distinct permissions used). */
  private readonly used = new Map<string, Map<string, UsedPermission>>();
  private readonly max: number;
  private readonly file: WriteStream | undefined;

  constructor(options: AuditOptions = {}) {
    this.max = Math.max(0, options.auditMaxEntries ?? 10_000);
    this.ring = new Array<Rec | undefined>(this.max);
    this.file = options.auditLogPath
      ? createWriteStream(options.auditLogPath, { flags: 'a', mode: 0o600 })
      : undefined;
  }

  record(e: {
    info: RequestInfo;
    requestURI: string;
    user: UserInfo;
    impersonatedUser: UserInfo | undefined;
    sourceIP: string;
    userAgent: string | undefined;
    code: number;
    received: Date;
    streaming: boolean;
    decision?: { allowed: boolean; reason: string } | undefined;
  }): void {
    const r: Rec = {
      info: e.info,
      requestURI: e.requestURI,
      user: e.user,
      impersonatedUser: e.impersonatedUser,
      sourceIP: e.sourceIP,
      userAgent: e.userAgent,
      code: e.code,
      receivedMs: e.received.getTime(),
      stageMs: Date.now(),
      streaming: e.streaming,
      decision: e.decision,
    };
    if (this.max > 0) {
      this.ring[this.next] = r;
      this.next = (this.next + 1) % this.max;
      if (this.count < this.max) this.count++;
    }
    this.summarise(r);
    this.file?.write(`${JSON.stringify(toEvent(r))}\n`);
  }

  /** The events kept, oldest first, optionally filtered. */
  entries(q: AuditQuery = {}): AuditEvent[] {
    const out: AuditEvent[] = [];
    const first = (this.next - this.count + this.max) % Math.max(1, this.max);
    for (let k = 0; k < this.count; k++) {
      const r = this.ring[(first + k) % this.max] as Rec;
      const who = (r.impersonatedUser ?? r.user).username;
      if (q.username !== undefined && who !== q.username) continue;
      if (q.verb !== undefined && r.info.verb !== q.verb) continue;
      if (q.resource !== undefined && (!r.info.isResourceRequest || r.info.resource !== q.resource))
        continue;
      if (q.namespace !== undefined && r.info.namespace !== q.namespace) continue;
      out.push(toEvent(r));
    }
    return out;
  }

  private summarise(r: Rec): void {
    const i = r.info;
    if (!i.isResourceRequest) return;
    const who = (r.impersonatedUser ?? r.user).username;
    const key = `${i.verb}\0${i.apiGroup}\0${i.resource}\0${i.subresource}\0${i.namespace}`;
    let mine = this.used.get(who);
    if (!mine) {
      mine = new Map();
      this.used.set(who, mine);
    }
    let cur = mine.get(key);
    if (!cur) {
      cur = {
        verb: i.verb,
        apiGroup: i.apiGroup,
        resource: i.resource,
        subresource: i.subresource,
        namespace: i.namespace,
        codes: [],
        names: [],
      };
      mine.set(key, cur);
    }
    if (!cur.codes.includes(r.code)) {
      cur.codes.push(r.code);
      cur.codes.sort((a, b) => a - b);
    }
    if (!cur.names.includes(i.name) && cur.names.length < MAX_NAMES_PER_PERMISSION) {
      cur.names.push(i.name);
      cur.names.sort();
    }
  }

  /** The distinct resource permissions `username` used (since start or clear()), sorted. */
  permissionsUsed(username: string): UsedPermission[] {
    const mine = this.used.get(username);
    if (!mine) return [];
    return [...mine.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, v]) => ({ ...v, codes: [...v.codes], names: [...v.names] }));
  }

  clear(): void {
    this.ring.fill(undefined);
    this.next = 0;
    this.count = 0;
    this.used.clear();
  }

  close(): Promise<void> {
    const f = this.file;
    if (!f) return Promise.resolve();
    return new Promise((resolve) => f.end(() => resolve()));
  }
}
