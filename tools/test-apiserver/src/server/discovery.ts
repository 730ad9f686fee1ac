// Discovery documents: the legacy form (/api, /apis, /apis/<g>, <gv> APIResourceList) that
// client-node's KubernetesObjectApi reads, and the aggregated form (apidiscovery.k8s.io/v2,
// chosen by the Accept header) that kubectl 1.30+ asks for first.
import type { JsonObject } from '../schema/structural.ts';
import type { Registry } from '../registry/registry.ts';
import { gvString, type ResourceType } from '../registry/types.ts';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_V2BETA1 =
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** Which aggregated discovery version the client accepts, if any (first match in Accept order). */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s+/g, '');
    if (!p.includes('as=APIGroupDiscoveryList')) continue;
    if (p.includes('v=v2beta1')) return 'v2beta1';
    if (p.includes('v=v2')) return 'v2';
  }
  return undefined;
}

function subresourceVerbs(): string[] {
  return ['get', 'patch', 'update'];
}

interface Sub {
  name: string;
  kind: { group: string; version: string; kind: string };
  verbs: string[];
}

/** A resource's subresources in name order: status, scale and the handler-served ones. */
function subresourcesOf(t: ResourceType): Sub[] {
  const own = { group: t.group, version: t.version, kind: t.kind };
  const out: Sub[] = [];
  if (t.hasStatus) out.push({ name: 'status', kind: own, verbs: subresourceVerbs() });
  if (t.scale)
    out.push({
      name: 'scale',
      kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      verbs: subresourceVerbs(),
    });
  for (const [name, h] of Object.entries(t.subresources ?? {}))
    out.push({ name, kind: h.kind, verbs: h.verbs });
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function sortedResources(reg: Registry, group: string, version: string): ResourceType[] {
  return reg.resources(group, version).sort((a, b) => a.resource.localeCompare(b.resource));
}

export function resourceList(reg: Registry, group: string, version: string): JsonObject {
  const resources: JsonObject[] = [];
  // kube-apiserver lists a group-version's resources in name order (kubectl's `get all` and
  // `api-resources` follow it).
  for (const t of sortedResources(reg, group, version)) {
    const r: JsonObject = {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
    };
    if (t.shortNames.length) r.shortNames = t.shortNames;
    if (t.categories.length) r.categories = t.categories;
    resources.push(r);
    for (const sub of subresourcesOf(t)) {
      const e: JsonObject = {
        name: `${t.resource}/${sub.name}`,
        singularName: '',
        namespaced: t.namespaced,
      };
      // The group and version are named when the subresource takes another kind's API.
      if (sub.kind.group !== t.group || sub.kind.version !== t.version) {
        e.group = sub.kind.group;
        e.version = sub.kind.version;
      }
      e.kind = sub.kind.kind;
      e.verbs = sub.verbs;
      resources.push(e);
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gvString(group, version),
    resources,
  };
}

export function groupDoc(reg: Registry, group: string): JsonObject {
  const versions = reg.versions(group).map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: group,
    versions,
    preferredVersion: versions[0] ?? null,
  };
}

export function groupList(reg: Registry): JsonObject {
  const groups = reg.groups().map((g) => {
    const d = groupDoc(reg, g);
    return {
      name: d.name ?? null,
      versions: d.versions ?? null,
      preferredVersion: d.preferredVersion ?? null,
    };
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

function aggregatedResource(t: ResourceType): JsonObject {
  const r: JsonObject = {
    resource: t.resource,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: t.verbs,
  };
  if (t.shortNames.length) r.shortNames = t.shortNames;
  if (t.categories.length) r.categories = t.categories;
  const subs = subresourcesOf(t);
  if (subs.length)
    r.subresources = subs.map((s) => ({
      subresource: s.name,
      responseKind: { ...s.kind },
      verbs: s.verbs,
    }));
  return r;
}

export function aggregated(reg: Registry, legacy: boolean, version: 'v2' | 'v2beta1'): JsonObject {
  const groups = legacy ? [''] : reg.groups();
  const items = groups.map((g) => ({
    metadata: { name: g },
    versions: reg.versions(g).map((v) => ({
      version: v,
      resources: sortedResources(reg, g, v).map(aggregatedResource),
      freshness: 'Current',
    })),
  }));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items,
  };
}
