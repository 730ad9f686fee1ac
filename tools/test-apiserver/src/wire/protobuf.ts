// Protobuf request bodies (kubectl's typed commands send them: `create namespace`, `create
// deployment`, `create secret`, `expose`, `scale`). client-go falls back from an unsupported media
// type only for CBOR, so these must be decoded. The wire format is Kubernetes' envelope
// (k8s.io/apimachinery/pkg/runtime/serializer/protobuf): the magic `k8s\0`, then a
// runtime.Unknown{typeMeta, raw} whose `raw` is the object encoded with the Go types'
// generated.proto (vendored under proto/, Apache-2.0). Decoded messages become the JSON the same
// object would have been sent as.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { badRequest, ApiError } from '../errors.ts';
import type { JsonObject, Json } from '../schema/structural.ts';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto');

/** API group → proto package (go-to-protobuf names packages after the Go import path). */
const GROUP_PACKAGES: Record<string, string> = {
  '': 'k8s.io.api.core.v1',
  apps: 'k8s.io.api.apps.v1',
  autoscaling: 'k8s.io.api.autoscaling.v1',
  batch: 'k8s.io.api.batch.v1',
  'coordination.k8s.io': 'k8s.io.api.coordination.v1',
  'discovery.k8s.io': 'k8s.io.api.discovery.v1',
  'events.k8s.io': 'k8s.io.api.events.v1',
  'networking.k8s.io': 'k8s.io.api.networking.v1',
  policy: 'k8s.io.api.policy.v1',
  'rbac.authorization.k8s.io': 'k8s.io.api.rbac.v1',
  'scheduling.k8s.io': 'k8s.io.api.scheduling.v1',
  'admissionregistration.k8s.io': 'k8s.io.api.admissionregistration.v1',
  // `kubectl auth can-i` / `create token` / `auth whoami` send these typed bodies (issue 15).
  'authorization.k8s.io': 'k8s.io.api.authorization.v1',
  'authentication.k8s.io': 'k8s.io.api.authentication.v1',
};

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

let rootPromise: Promise<protobuf.Root> | undefined;

/** Loads the vendored .proto files once (≈100 KB of text; parsed on the first protobuf request). */
function root(): Promise<protobuf.Root> {
  rootPromise ??= (async () => {
    const r = new protobuf.Root();
    r.resolvePath = (_origin, target) => join(PROTO_DIR, target);
    const files = [
      ...Object.values(GROUP_PACKAGES).map(
        (p) => `k8s.io/api/${p.split('.')[3]}/v1/generated.proto`,
      ),
      'k8s.io/apimachinery/pkg/runtime/generated.proto',
    ];
    await r.load(files, { keepCase: true });
    r.resolveAll();
    return r;
  })();
  // A failed load is not cached: the next request tries again.
  rootPromise.catch(() => (rootPromise = undefined));
  return rootPromise;
}

/** RFC 3339 (second precision) from a metav1.Time message, as the JSON form carries it. */
function timeString(m: JsonObject, micro: boolean): string | undefined {
  const s = Number(m.seconds ?? 0);
  const n = Number(m.nanos ?? 0);
  if (s === 0 && n === 0) return undefined; // the zero Time: omitted (omitempty / null)
  const iso = new Date(s * 1000 + Math.floor(n / 1e6)).toISOString();
  if (!micro) return iso.replace(/\.\d{3}Z$/, 'Z');
  return iso.replace(/\.\d{3}Z$/, `.${String(Math.floor(n / 1000)).padStart(6, '0')}Z`);
}

/**
 * Fields whose zero value is meaningful although proto2 cannot tell "set to zero" from "not
 * set" for Go value fields: go-to-protobuf writes every non-pointer field, so zero strings,
 * numbers and booleans are dropped (as the Go decoder's zero values mean "unset") except these.
 */
const KEEP_ZERO = new Set(['replicas']);

function toJson(t: protobuf.Type, msg: protobuf.Message): JsonObject {
  const out: JsonObject = {};
  const m = msg as unknown as Record<string, unknown>;
  for (const f of t.fieldsArray) {
    if (!Object.prototype.hasOwnProperty.call(m, f.name)) continue;
    const v = m[f.name];
    let j: Json | undefined;
    if (f instanceof protobuf.MapField) {
      const obj: JsonObject = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const cv = convertValue(f, x);
        obj[k] = cv === undefined ? '' : cv;
      }
      j = Object.keys(obj).length ? obj : undefined;
    } else if (f.repeated) {
      const arr = (v as unknown[]).map((x) => convertValue(f, x) ?? null);
      j = arr.length ? arr : undefined;
    } else {
      j = convertValue(f, v);
      if (!KEEP_ZERO.has(f.name) && (j === '' || j === 0 || j === false)) j = undefined;
    }
    if (j !== undefined) out[f.name] = j;
  }
  return out;
}

function convertValue(f: protobuf.Field, v: unknown): Json | undefined {
  const rt = f.resolvedType;
  if (rt instanceof protobuf.Type) {
    const full = rt.fullName.replace(/^\./, '');
    const o = v as protobuf.Message;
    const raw = o as unknown as Record<string, unknown>;
    switch (full) {
      case `${META}.Time`:
        return timeString(rt.toObject(o, { longs: Number }) as JsonObject, false);
      case `${META}.MicroTime`:
        return timeString(rt.toObject(o, { longs: Number }) as JsonObject, true);
      case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
        return typeof raw.string === 'string' ? raw.string : undefined;
      case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString': {
        const type = Number(raw.type ?? 0);
        if (type === 1)
          return typeof raw.strVal === 'string' && raw.strVal !== '' ? raw.strVal : undefined;
        const n = Number(raw.intVal ?? 0);
        return n === 0 ? undefined : n;
      }
      case `${META}.Duration`: {
        const ns = Number(raw.duration ?? 0);
        return ns === 0 ? undefined : `${ns / 1e9}s`;
      }
      case 'k8s.io.apimachinery.pkg.runtime.RawExtension':
      case `${META}.FieldsV1`: {
        const bytes = (raw.raw ?? raw.Raw) as Uint8Array | undefined;
        if (!bytes || bytes.length === 0) return undefined;
        try {
          return JSON.parse(Buffer.from(bytes).toString('utf8')) as Json;
        } catch {
          throw badRequest('protobuf body: an embedded object is not JSON');
        }
      }
      default:
        return toJson(rt, o);
    }
  }
  if (rt instanceof protobuf.Enum) return v as number;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (typeof v === 'object' && v !== null && 'low' in v) return Number(v as unknown as bigint);
  return v as Json;
}

/** Decodes a protobuf request body into the JSON object it stands for (400 when malformed). */
export async function decodeProtobufObject(body: Buffer): Promise<JsonObject> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
    throw badRequest(
      'the body of the request was in an unknown format: protobuf body without the k8s envelope',
    );
  const r = await root();
  const unknownType = r.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  let env: Record<string, unknown>;
  try {
    env = unknownType.decode(body.subarray(4)) as unknown as Record<string, unknown>;
  } catch (e) {
    throw badRequest(`the body of the request was in an unknown format: ${(e as Error).message}`);
  }
  const tm = (env.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = tm.apiVersion ?? '';
  const kind = tm.kind ?? '';
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const pkg = GROUP_PACKAGES[group];
  const t =
    kind === 'DeleteOptions'
      ? r.lookupType(`${META}.DeleteOptions`)
      : pkg && version === 'v1'
        ? r.lookup(`${pkg}.${kind}`)
        : null;
  if (!(t instanceof protobuf.Type))
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `protobuf is not supported for ${apiVersion}, Kind=${kind} by this test API server: send application/json`,
    );
  let msg: protobuf.Message;
  try {
    msg = t.decode((env.raw as Uint8Array | undefined) ?? new Uint8Array());
  } catch (e) {
    throw badRequest(`the body of the request was in an unknown format: ${(e as Error).message}`);
  }
  return { apiVersion, kind, ...toJson(t, msg) };
}
