// Formatting helpers of Kubernetes' printers: duration.HumanDuration
// (k8s.io/apimachinery/pkg/util/duration), metav1.FormatLabelSelector, labels.FormatLabels, and
// the small JSONPath subset CRD additionalPrinterColumns use (k8s.io/client-go/util/jsonpath).
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';

/** duration.HumanDuration: `45s`, `2m3s`, `10h`, `3d4h`, `2y10d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** translateTimestampSince: `<unknown>` for a missing timestamp. */
export function since(ts: Json | undefined, nowMs: number): string {
  if (typeof ts !== 'string' || ts === '') return '<unknown>';
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(nowMs - t);
}

/** labels.FormatLabels: `a=b,c=d` in key order, `<none>` when empty. */
export function formatLabels(m: Json | undefined): string {
  if (!isObject(m) || Object.keys(m).length === 0) return '<none>';
  return Object.keys(m)
    .sort()
    .map((k) => `${k}=${String(m[k])}`)
    .join(',');
}

/** metav1.FormatLabelSelector: matchLabels then expressions, `<none>` when empty. */
export function formatSelector(sel: JsonObject | undefined): string {
  if (!isObject(sel)) return '<none>';
  const parts: string[] = [];
  const ml = isObject(sel.matchLabels) ? sel.matchLabels : {};
  for (const k of Object.keys(ml).sort()) parts.push(`${k}=${String(ml[k])}`);
  for (const e of Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []) {
    if (!isObject(e)) continue;
    const vals = Array.isArray(e.values) ? [...e.values].map(String).sort() : [];
    switch (e.operator) {
      case 'In':
        parts.push(`${String(e.key)} in (${vals.join(',')})`);
        break;
      case 'NotIn':
        parts.push(`${String(e.key)} notin (${vals.join(',')})`);
        break;
      case 'Exists':
        parts.push(String(e.key));
        break;
      case 'DoesNotExist':
        parts.push(`!${String(e.key)}`);
        break;
    }
  }
  const s = parts.join(',');
  return s === '' ? '<none>' : s;
}

/** Evaluates a simple JSONPath (`.a.b`, `.a[0]`, `.a[*].b`, `.a['k.x']`) to its results. */
export function jsonPathResults(o: Json, path: string): Json[] {
  const p = path
    .trim()
    .replace(/^\{|\}$/g, '')
    .replace(/^\$/, '');
  const steps: (string | number | '*')[] = [];
  const re = /\.([^.[\]]+)|\[(\d+|\*|'[^']*'|"[^"]*")\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(p))) {
    if (m[1] !== undefined) steps.push(m[1]);
    else {
      const b = m[2] as string;
      if (b === '*') steps.push('*');
      else if (/^\d+$/.test(b)) steps.push(Number(b));
      else steps.push(b.slice(1, -1));
    }
  }
  let cur: Json[] = [o];
  for (const s of steps) {
    const next: Json[] = [];
    for (const c of cur) {
      if (s === '*') {
        if (Array.isArray(c)) next.push(...c);
        else if (isObject(c)) next.push(...Object.values(c));
      } else if (typeof s === 'number') {
        if (Array.isArray(c) && c[s] !== undefined) next.push(c[s] as Json);
      } else if (isObject(c) && c[s] !== undefined) next.push(c[s] as Json);
    }
    cur = next;
  }
  return cur;
}
