// ObjectMeta validation as k8s.io/apimachinery/pkg/api/validation/objectmeta.go does it: names,
// label keys/values, annotation sizes, finalizer names; the same messages so 422s read the same.
import { invalidValue, required, type StatusCause } from '../errors.ts';
import { isObject, type Json } from '../schema/structural.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function dns1123LabelErrors(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push('must be no more than 63 characters');
  if (!DNS1123_LABEL.test(v))
    out.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
  return out;
}

export function dns1123SubdomainErrors(v: string): string[] {
  const out: string[] = [];
  if (v.length > 253) out.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(v))
    out.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  return out;
}

export function dns1035LabelErrors(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push('must be no more than 63 characters');
  if (!DNS1035_LABEL.test(v))
    out.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
  return out;
}

export function pathSegmentErrors(v: string): string[] {
  if (v === '.' || v === '..') return [`may not be '${v}'`];
  if (v.includes('/') || v.includes('%'))
    return [`may not contain '${v.includes('/') ? '/' : '%'}'`];
  return [];
}

export function nameErrors(rule: 'subdomain' | 'label' | 'dns1035' | 'path', v: string): string[] {
  switch (rule) {
    case 'label':
      return dns1123LabelErrors(v);
    case 'dns1035':
      return dns1035LabelErrors(v);
    case 'path':
      return pathSegmentErrors(v);
    default:
      return dns1123SubdomainErrors(v);
  }
}

/** Qualified names (`prefix/name`) as label keys, annotation keys and finalizers use them. */
export function qualifiedNameErrors(v: string): string[] {
  const parts = v.split('/');
  let name = v;
  const out: string[] = [];
  if (parts.length === 2) {
    const [prefix, n] = parts as [string, string];
    name = n;
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else out.push(...dns1123SubdomainErrors(prefix).map((e) => `prefix part ${e}`));
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  else if (!QUALIFIED_NAME.test(name))
    out.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  return out;
}

export function validateLabels(labels: Json | undefined, path: string, out: StatusCause[]): void {
  if (labels === undefined || labels === null) return;
  if (!isObject(labels)) {
    out.push(invalidValue(path, labels, 'must be a map of strings'));
    return;
  }
  for (const [k, v] of Object.entries(labels)) {
    for (const e of qualifiedNameErrors(k)) out.push(invalidValue(path, k, e));
    if (typeof v !== 'string') {
      out.push(invalidValue(`${path}[${k}]`, v, 'must be a string'));
      continue;
    }
    if (v.length > 63)
      out.push(invalidValue(`${path}[${k}]`, v, 'must be no more than 63 characters'));
    else if (!LABEL_VALUE.test(v))
      out.push(
        invalidValue(
          `${path}[${k}]`,
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      );
  }
}

const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

/** metadata checks shared by every kind; `nameRule` is the kind's name validation. */
export function validateObjectMeta(
  meta: Json | undefined,
  namespaced: boolean,
  nameRule: 'subdomain' | 'label' | 'dns1035' | 'path',
): StatusCause[] {
  const out: StatusCause[] = [];
  if (!isObject(meta)) return [required('metadata')];
  const name = meta.name;
  const gen = meta.generateName;
  if (typeof name !== 'string' || name === '') {
    if (typeof gen !== 'string' || gen === '')
      out.push(required('metadata.name', 'name or generateName is required'));
  } else {
    for (const e of nameErrors(nameRule, name)) out.push(invalidValue('metadata.name', name, e));
  }
  if (namespaced) {
    if (typeof meta.namespace !== 'string' || meta.namespace === '')
      out.push(required('metadata.namespace'));
  } else if (typeof meta.namespace === 'string' && meta.namespace !== '') {
    out.push({
      reason: 'FieldValueForbidden',
      message: 'Forbidden: not allowed on this type',
      field: 'metadata.namespace',
    });
  }
  validateLabels(meta.labels, 'metadata.labels', out);
  const ann = meta.annotations;
  if (ann !== undefined && ann !== null) {
    if (!isObject(ann))
      out.push(invalidValue('metadata.annotations', ann, 'must be a map of strings'));
    else {
      let size = 0;
      for (const [k, v] of Object.entries(ann)) {
        for (const e of qualifiedNameErrors(k.toLowerCase()))
          out.push(invalidValue('metadata.annotations', k, e));
        if (typeof v !== 'string')
          out.push(invalidValue(`metadata.annotations[${k}]`, v, 'must be a string'));
        else size += k.length + v.length;
      }
      if (size > TOTAL_ANNOTATION_SIZE_LIMIT_B)
        out.push({
          reason: 'FieldValueTooLong',
          message: `Too long: may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT_B} bytes`,
          field: 'metadata.annotations',
        });
    }
  }
  const fin = meta.finalizers;
  if (fin !== undefined && fin !== null) {
    if (!Array.isArray(fin)) out.push(invalidValue('metadata.finalizers', fin, 'must be a list'));
    else
      fin.forEach((f, i) => {
        if (typeof f !== 'string')
          return void out.push(invalidValue(`metadata.finalizers[${i}]`, f, 'must be a string'));
        for (const e of qualifiedNameErrors(f))
          out.push(invalidValue(`metadata.finalizers[${i}]`, f, e));
        if (
          !f.includes('/') &&
          ![
            'kubernetes',
            'orphan',
            'foregroundDeletion',
            'customresourcecleanup.apiextensions.k8s.io',
          ].includes(f)
        )
          out.push(
            invalidValue(
              `metadata.finalizers[${i}]`,
              f,
              'name is neither a standard finalizer name nor is it fully qualified',
            ),
          );
      });
  }
  return out;
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** names.SimpleNameGenerator: prefix (cut to leave room) + 5 random characters. */
export function generateName(prefix: string): string {
  const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
  let s = '';
  for (let i = 0; i < 5; i++)
    s += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return base + s;
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function nowTime(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime (Lease renewTime, Event eventTime). */
export function nowMicroTime(): string {
  return new Date().toISOString().replace(/Z$/, '000Z');
}
