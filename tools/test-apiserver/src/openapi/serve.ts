// /openapi/v3 (the root index and one document per group-version, rebuilt from the registry so
// CRDs appear and disappear with their definitions) and /openapi/v2. kubectl reads v3 to learn
// that the server validates fields itself (the `fieldValidation` query parameter on each PATCH
// operation, cli-runtime's QueryParamVerifierV3) and, for `kubectl explain`, the schemas.
// Built-in kinds' schemas are deliberately absent from components: kubectl then computes
// strategic merge patches from its compiled-in Go types (exact), where a schema derived here
// would be an approximation. Custom resources carry their CRD's openAPIV3Schema.
import { createHash } from 'node:crypto';
import type { ApiCore } from '../server/api.ts';
import type { ResourceType } from '../registry/types.ts';
import type { JsonObject } from '../schema/structural.ts';
import { gvString } from '../registry/types.ts';
import { crdComponents } from './crd-schemas.ts';
import { pathsFor } from './paths.ts';

export interface OpenApiDoc {
  body: string;
  contentType: string;
  etag: string;
}

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function groupVersions(core: ApiCore): { group: string; version: string; types: ResourceType[] }[] {
  const out = new Map<string, { group: string; version: string; types: ResourceType[] }>();
  for (const t of core.registry.all()) {
    const k = gvString(t.group, t.version);
    let e = out.get(k);
    if (!e) out.set(k, (e = { group: t.group, version: t.version, types: [] }));
    e.types.push(t);
  }
  return [...out.values()];
}

function gvDocument(
  core: ApiCore,
  group: string,
  version: string,
  types: ResourceType[],
): JsonObject {
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.35.0' },
    paths: pathsFor(types),
    components: { schemas: crdComponents(core, types) },
  };
}

const hash = (s: string) =>
  createHash('sha512').update(s).digest('hex').slice(0, 128).toUpperCase();

/** The answer for /openapi/<rest>, or undefined for 404. */
export function serveOpenApi(
  core: ApiCore,
  rest: string[],
  _accept: string | undefined,
): OpenApiDoc | undefined {
  if (rest[0] === 'v3') {
    const gvs = groupVersions(core);
    if (rest.length === 1) {
      const paths: JsonObject = {};
      for (const gv of gvs) {
        const body = JSON.stringify(gvDocument(core, gv.group, gv.version, gv.types));
        paths[gvPath(gv.group, gv.version)] = {
          serverRelativeURL: `/openapi/v3/${gvPath(gv.group, gv.version)}?hash=${hash(body)}`,
        };
      }
      const body = JSON.stringify({ paths });
      return { body, contentType: 'application/json', etag: hash(body).slice(0, 32) };
    }
    const want = rest.slice(1).join('/');
    const gv = gvs.find((g) => gvPath(g.group, g.version) === want);
    if (!gv) return undefined;
    const body = JSON.stringify(gvDocument(core, gv.group, gv.version, gv.types));
    return { body, contentType: 'application/json', etag: hash(body).slice(0, 32) };
  }
  return undefined;
}
