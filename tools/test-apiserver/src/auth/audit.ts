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
}

function micro(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class AuditLog {
  private readonly events: AuditEvent[] = [];
  /** username → permission key → what was used (bounded by the distinct permissions used). */
  private readonly used = new Map<string, Map<string, UsedPermission>>();
  private readonly max: number;
  private readonly file: WriteStream | undefined;

  constructor(options: AuditOptions = {}) {
    this.max = options.auditMaxEntries ?? 10_000;
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
  }): AuditEvent {
    const ev: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: randomUUID(),
      stage: e.streaming ? 'ResponseStarted' : 'ResponseComplete',
      requestURI: e.requestURI,
      verb: e.info.verb,
      user: userInfoJson(e.user),
      sourceIPs: [e.sourceIP],
      responseStatus: { metadata: {}, code: e.code },
      requestReceivedTimestamp: micro(e.received),
      stageTimestamp: micro(new Date()),
    };
    if (e.impersonatedUser) ev.impersonatedUser = userInfoJson(e.impersonatedUser);
    if (e.userAgent) ev.userAgent = e.userAgent;
    if (e.info.isResourceRequest) {
      const ref: Record<string, string> = { resource: e.info.resource };
      if (e.info.namespace) ref.namespace = e.info.namespace;
      if (e.info.name) ref.name = e.info.name;
      if (e.info.apiGroup) ref.apiGroup = e.info.apiGroup;
      if (e.info.apiVersion) ref.apiVersion = e.info.apiVersion;
      if (e.info.subresource) ref.subresource = e.info.subresource;
      ev.objectRef = ref;
    }
    if (e.decision)
      ev.annotations = {
        'authorization.k8s.io/decision': e.decision.allowed ? 'allow' : 'forbid',
        'authorization.k8s.io/reason': e.decision.reason,
      };
    this.events.push(ev);
    if (this.events.length > this.max) this.events.splice(0, this.events.length - this.max);
    this.summarise(ev);
    this.file?.write(`${JSON.stringify(ev)}\n`);
    return ev;
  }

  /** The events kept, oldest first, optionally filtered. */
  entries(q: AuditQuery = {}): AuditEvent[] {
    return this.events.filter((e) => {
      const who = (e.impersonatedUser ?? e.user).username;
      if (q.username !== undefined && who !== q.username) return false;
      if (q.verb !== undefined && e.verb !== q.verb) return false;
      if (q.resource !== undefined && e.objectRef?.resource !== q.resource) return false;
      if (q.namespace !== undefined && e.objectRef?.namespace !== q.namespace) return false;
      return true;
    });
  }

  private summarise(e: AuditEvent): void {
    const r = e.objectRef;
    if (!r) return;
    const who = (e.impersonatedUser ?? e.user).username as string;
    const p = {
      verb: e.verb,
      apiGroup: r.apiGroup ?? '',
      resource: r.resource ?? '',
      subresource: r.subresource ?? '',
      namespace: r.namespace ?? '',
    };
    const key = JSON.stringify(p);
    let mine = this.used.get(who);
    if (!mine) {
      mine = new Map();
      this.used.set(who, mine);
    }
    const cur = mine.get(key) ?? { ...p, codes: [] };
    if (!cur.codes.includes(e.responseStatus.code)) {
      cur.codes.push(e.responseStatus.code);
      cur.codes.sort((a, b) => a - b);
    }
    mine.set(key, cur);
  }

  /** The distinct resource permissions `username` used (since start or clear()), sorted. */
  permissionsUsed(username: string): UsedPermission[] {
    const mine = this.used.get(username);
    if (!mine) return [];
    return [...mine.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, v]) => ({ ...v, codes: [...v.codes] }));
  }

  clear(): void {
    this.events.length = 0;
    this.used.clear();
  }

  close(): Promise<void> {
    const f = this.file;
    if (!f) return Promise.resolve();
    return new Promise((resolve) => f.end(() => resolve()));
  }
}
