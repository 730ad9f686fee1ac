// The audit log: audit.k8s.io/v1 events per request, a bounded ring, and per-identity summaries
// that outlive the ring (what an RBAC role must cover).
import { describe, expect, it } from 'vitest';
import { AuditLog } from './audit.ts';
import { serviceAccountUser } from './identity.ts';
import { requestInfo } from './request-info.ts';

const sa = serviceAccountUser('metallb-system', 'controller');

function hit(log: AuditLog, method: string, path: string, code: number, query = '') {
  log.record({
    info: requestInfo(method, path, new URLSearchParams(query)),
    requestURI: query ? `${path}?${query}` : path,
    user: sa,
    impersonatedUser: undefined,
    sourceIP: '127.0.0.1',
    userAgent: 'controller/v0',
    code,
    received: new Date(),
    streaming: query.includes('watch'),
    decision: { allowed: code !== 403, reason: '' },
  });
}

describe('AuditLog', () => {
  it('records Metadata-level events with the objectRef and response code', () => {
    const log = new AuditLog();
    hit(
      log,
      'GET',
      '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools',
      200,
      'watch=1',
    );
    const [ev] = log.entries();
    expect(ev).toMatchObject({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      stage: 'ResponseStarted',
      verb: 'watch',
      user: { username: 'system:serviceaccount:metallb-system:controller' },
      objectRef: {
        resource: 'ipaddresspools',
        namespace: 'metallb-system',
        apiGroup: 'metallb.io',
        apiVersion: 'v1beta1',
      },
      responseStatus: { code: 200 },
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    });
    expect(log.entries()[0]?.auditID).toBe(ev?.auditID);
  });

  it('keeps the last events only, but summaries of everything an identity did', () => {
    const log = new AuditLog({ auditMaxEntries: 2 });
    hit(log, 'GET', '/api/v1/namespaces/metallb-system/secrets/memberlist', 200);
    hit(log, 'PUT', '/api/v1/namespaces/default/services/web/status', 200);
    hit(log, 'PUT', '/api/v1/namespaces/default/services/web/status', 403);
    hit(log, 'GET', '/api/v1/nodes', 403);
    expect(log.entries().map((e) => e.verb)).toEqual(['update', 'list']);
    expect(log.permissionsUsed(sa.username)).toEqual([
      {
        verb: 'get',
        apiGroup: '',
        resource: 'secrets',
        subresource: '',
        namespace: 'metallb-system',
        codes: [200],
        names: ['memberlist'],
      },
      {
        verb: 'list',
        apiGroup: '',
        resource: 'nodes',
        subresource: '',
        namespace: '',
        codes: [403],
        names: [''],
      },
      {
        verb: 'update',
        apiGroup: '',
        resource: 'services',
        subresource: 'status',
        namespace: 'default',
        codes: [200, 403],
        names: ['web'],
      },
    ]);
    expect(log.entries({ resource: 'nodes' })).toHaveLength(1);
    expect(log.entries({ username: 'someone-else' })).toEqual([]);
    log.clear();
    expect(log.entries()).toEqual([]);
    expect(log.permissionsUsed(sa.username)).toEqual([]);
  });
});
