// Helpers shared by the built-in kinds' strategies (defaults and checks the real strategies share).
import { forbidden, invalidValue, required, duplicate, type StatusCause } from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import { dns1123LabelErrors } from '../util/meta.ts';
import { deepEqual } from '../schema/validate.ts';
import type { KubeObject } from './types.ts';

export function obj(o: KubeObject, field: string): JsonObject {
  if (!isObject(o[field])) o[field] = {};
  return o[field] as JsonObject;
}

export function str(v: Json | undefined): string {
  return typeof v === 'string' ? v : '';
}

/** Main writes keep the stored status; status writes keep the stored spec (generic status strategy). */
export function keepStatus(o: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete o.status;
  else o.status = structuredClone(old.status);
}

export function statusOnly(o: KubeObject, old: KubeObject): KubeObject {
  const next = { ...o } as KubeObject;
  if (old.spec === undefined) delete next.spec;
  else next.spec = structuredClone(old.spec);
  return next;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

export function validateDataMap(
  o: KubeObject,
  field: string,
  base64: boolean,
  out: StatusCause[],
): void {
  const m = o[field];
  if (m === undefined || m === null) return;
  if (!isObject(m)) return void out.push(invalidValue(field, m, 'must be a map'));
  for (const [k, v] of Object.entries(m)) {
    if (!CONFIG_KEY.test(k) || k.length > 253)
      out.push(
        invalidValue(
          `${field}[${k}]`,
          k,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        ),
      );
    if (typeof v !== 'string') out.push(invalidValue(`${field}[${k}]`, v, 'must be a string'));
    else if (base64 && (v.length % 4 !== 0 || !BASE64.test(v)))
      out.push(invalidValue(`${field}[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
  }
}

export function immutableData(o: KubeObject, old: KubeObject, fields: string[]): StatusCause[] {
  if (old.immutable !== true) return [];
  const out: StatusCause[] = [];
  if (o.immutable !== true)
    out.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields)
    if (!deepEqual(o[f], old[f]))
      out.push(forbidden(f, 'field is immutable when `immutable` is set'));
  return out;
}

export function containerErrors(podSpec: Json | undefined, path: string, out: StatusCause[]): void {
  if (!isObject(podSpec)) return void out.push(required(path));
  const cs = podSpec.containers;
  if (!Array.isArray(cs) || cs.length === 0) return void out.push(required(`${path}.containers`));
  const names = new Set<string>();
  cs.forEach((c, i) => {
    const f = `${path}.containers[${i}]`;
    if (!isObject(c)) return void out.push(invalidValue(f, c, 'must be an object'));
    if (typeof c.name !== 'string' || c.name === '') out.push(required(`${f}.name`));
    else {
      for (const e of dns1123LabelErrors(c.name)) out.push(invalidValue(`${f}.name`, c.name, e));
      if (names.has(c.name)) out.push(duplicate(`${f}.name`, c.name));
      names.add(c.name);
    }
    if (typeof c.image !== 'string' || c.image.trim() === '') out.push(required(`${f}.image`));
  });
}

export function podSpecDefaults(ps: JsonObject): void {
  ps.restartPolicy ??= 'Always';
  ps.dnsPolicy ??= 'ClusterFirst';
  ps.schedulerName ??= 'default-scheduler';
  ps.terminationGracePeriodSeconds ??= 30;
  ps.securityContext ??= {};
  for (const c of Array.isArray(ps.containers) ? ps.containers : []) {
    if (!isObject(c)) continue;
    const image = str(c.image);
    const tagged = /:[^/]+$/.test(image) && !image.endsWith(':latest');
    c.imagePullPolicy ??= tagged || image.includes('@') ? 'IfNotPresent' : 'Always';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    for (const p of Array.isArray(c.ports) ? c.ports : []) if (isObject(p)) p.protocol ??= 'TCP';
  }
}
