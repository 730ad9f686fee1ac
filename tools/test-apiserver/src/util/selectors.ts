// Label selectors (k8s.io/apimachinery/pkg/labels, the string form with set-based operators) and
// field selectors (k8s.io/apimachinery/pkg/fields: `a=b`, `a==b`, `a!=b`, comma = AND).
import { badRequest } from '../errors.ts';

export type LabelRequirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

/** Splits on commas that are not inside `( ... )`. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const KEY =
  /^([a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, sel: string): string {
  if (!KEY.test(key) || key.length > 316)
    throw badRequest(
      `unable to parse requirement: invalid label key "${key}" in selector "${sel}"`,
    );
  return key;
}
function checkValue(v: string, sel: string): string {
  if (!VALUE.test(v) || v.length > 63)
    throw badRequest(
      `unable to parse requirement: invalid label value: "${v}" in selector "${sel}"`,
    );
  return v;
}

export function parseLabelSelector(sel: string): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  if (sel.trim() === '') return reqs;
  for (const raw of splitTopLevel(sel)) {
    const part = raw.trim();
    if (part === '')
      throw badRequest(
        `unable to parse requirement: found '', expected: identifier in selector "${sel}"`,
      );
    let m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      const values = (m[3] ?? '').split(',').map((v) => checkValue(v.trim(), sel));
      reqs.push({ op: m[2] as 'in' | 'notin', key: checkKey(m[1] ?? '', sel), values });
      continue;
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) {
      const op = m[2] === '!=' ? 'neq' : 'eq';
      reqs.push({ op, key: checkKey(m[1] ?? '', sel), value: checkValue(m[3] ?? '', sel) });
      continue;
    }
    m = /^(!?)\s*([^=!\s()]+)$/.exec(part);
    if (m) {
      reqs.push({ op: m[1] ? 'notexists' : 'exists', key: checkKey(m[2] ?? '', sel) });
      continue;
    }
    throw badRequest(`unable to parse requirement: invalid selector "${sel}"`);
  }
  return reqs;
}

export function matchesLabels(
  reqs: readonly LabelRequirement[],
  labels: Record<string, unknown> | undefined,
): boolean {
  for (const r of reqs) {
    const has = labels !== undefined && Object.hasOwn(labels, r.key);
    const v = has ? String(labels[r.key]) : undefined;
    switch (r.op) {
      case 'eq':
        if (v !== r.value) return false;
        break;
      case 'neq':
        if (v === r.value) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
    }
  }
  return true;
}

export interface FieldRequirement {
  field: string;
  op: 'eq' | 'neq';
  value: string;
}

export function parseFieldSelector(sel: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  if (sel.trim() === '') return out;
  for (const raw of sel.split(',')) {
    const part = raw.trim();
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${sel}'; can't understand '${part}'`);
    out.push({
      field: (m[1] ?? '').trim(),
      op: m[2] === '!=' ? 'neq' : 'eq',
      value: (m[3] ?? '').trim(),
    });
  }
  return out;
}

/**
 * Checks a field selector against the fields a kind supports; unknown labels are refused with the
 * real server's message (`field label not supported: x`), never ignored.
 */
export function checkFieldLabels(
  reqs: readonly FieldRequirement[],
  supported: ReadonlySet<string>,
  kind: string,
  version: string,
): void {
  for (const r of reqs) {
    if (!supported.has(r.field)) {
      throw badRequest(`field label not supported: ${r.field}`);
    }
  }
  void kind;
  void version;
}

export function matchesFields(
  reqs: readonly FieldRequirement[],
  fields: Record<string, string>,
): boolean {
  for (const r of reqs) {
    const v = fields[r.field] ?? '';
    if (r.op === 'eq' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
