// Issue 19's RBAC proof from what really happened: the API server's audit log sums up every call
// IronLB's service accounts made in the lab (verb, group, resource/subresource, namespace, codes),
// and deploy/ironlb-native.yaml's Roles are checked against it — every call allowed (no 403), and
// every granted verb used by some call (nothing more granted).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@ironlb/netns-kit';
import {
  allowed,
  expandGrants,
  grantsOf,
  parseManifests,
  type ApiCall,
} from '@ironlb/deploy-checks';
import { control } from '../src/lab.ts';

export interface UsedPermission {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  codes: number[];
  /** Object names used ('' = a collection), for Roles with resourceNames. */
  names: string[];
}

export interface RbacReport {
  calls: number;
  refused: string[];
  notAllowedByRoles: string[];
  unusedGrants: string[];
}

const NS = 'metallb-system';

export async function rbacReport(lab: string, serviceAccount: string): Promise<RbacReport> {
  const used = await control<UsedPermission[]>(lab, 'audit', {
    user: `system:serviceaccount:${NS}:${serviceAccount}`,
  });
  const objs = parseManifests(
    readFileSync(join(workspaceRoot, 'deploy', 'ironlb-native.yaml'), 'utf8'),
  );
  const grants = grantsOf(objs, { name: serviceAccount, namespace: NS });
  // One call per (permission, name): a rule with resourceNames allows only the named objects.
  const calls: (ApiCall & { codes: number[] })[] = used.flatMap((u) =>
    (u.names.length ? u.names : ['']).map((name) => ({
      verb: u.verb,
      group: u.apiGroup,
      resource: u.subresource ? `${u.resource}/${u.subresource}` : u.resource,
      ...(u.namespace ? { namespace: u.namespace } : {}),
      ...(name ? { name } : {}),
      codes: u.codes,
      why: `seen in the lab (codes ${u.codes.join(',')})`,
    })),
  );
  const show = (c: ApiCall) =>
    `${c.verb} ${c.group || 'core'}/${c.resource}${c.name ? `/${c.name}` : ''}${c.namespace ? ` in ${c.namespace}` : ' (cluster)'}`;
  return {
    calls: calls.length,
    refused: calls.filter((c) => c.codes.includes(403)).map((c) => `${show(c)} → 403`),
    notAllowedByRoles: calls.filter((c) => !allowed(grants, c)).map(show),
    unusedGrants: expandGrants(grants)
      .filter(
        (g) =>
          !calls.some(
            (c) =>
              c.verb === g.verb &&
              c.group === g.group &&
              c.resource === g.resource &&
              (g.name === undefined || c.name === g.name) &&
              (g.grant.scope === 'cluster' || c.namespace === g.grant.scope),
          ),
      )
      .map(
        (g) =>
          `${g.grant.from}: ${g.verb} ${g.group || 'core'}/${g.resource}${g.name ? `/${g.name}` : ''}`,
      ),
  };
}

/**
 * Grants the lab's journeys do not exercise, each with the path that uses it. The e2e test fails
 * on any other unused grant (IronLB would hold more than it needs).
 */
export const CONDITIONAL_GRANTS: Record<
  'ironlb-controller' | 'ironlb-speaker',
  Record<string, string>
> = {
  'ironlb-controller': {
    'ClusterRole/ironlb:controller: patch core/events':
      'a repeated event is aggregated into the earlier one (its count patched), as client-go does',
    'Role/metallb-system/ironlb-controller: update core/secrets':
      'the webhook certificate is renewed in place (replaceSecret) when it nears expiry or is unusable',
    'Role/metallb-system/ironlb-controller: get metallb.io/configurationstates':
      'creating ConfigurationState met AlreadyExists (the informer had not seen it yet): read it back',
  },
  'ironlb-speaker': {
    'ClusterRole/ironlb:speaker: patch core/events':
      'a repeated event is aggregated into the earlier one (its count patched), as client-go does',
    'Role/metallb-system/ironlb-speaker: create metallb.io/servicebgpstatuses':
      'a BGP Service announced from this node (the seeds are Layer 2 only; the demo runs BGP)',
    'Role/metallb-system/ironlb-speaker: delete metallb.io/servicebgpstatuses':
      'a BGP Service no longer announced from this node',
    'Role/metallb-system/ironlb-speaker: update metallb.io/servicebgpstatuses/status':
      'a BGP Service’s peers changed',
    'Role/metallb-system/ironlb-speaker: get metallb.io/configurationstates':
      'creating ConfigurationState met AlreadyExists (the informer had not seen it yet): read it back',
  },
};
