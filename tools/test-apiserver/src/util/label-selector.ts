// metav1.LabelSelector in its object form ({matchLabels, matchExpressions}), as webhook
// namespaceSelector/objectSelector and ClusterRole aggregationRule use it
// (metav1.LabelSelectorAsSelector): empty selects everything, null selects nothing.
import { isObject, type Json } from '../schema/structural.ts';
import { matchesLabels, type LabelRequirement } from './selectors.ts';

export class LabelSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

/** The requirements of a selector; throws LabelSelectorError for an invalid operator. */
export function selectorRequirements(sel: Json | undefined): LabelRequirement[] {
  if (!isObject(sel)) return [];
  const out: LabelRequirement[] = [];
  if (isObject(sel.matchLabels))
    for (const [key, v] of Object.entries(sel.matchLabels))
      out.push({ op: 'eq', key, value: String(v) });
  for (const e of Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []) {
    if (!isObject(e) || typeof e.key !== 'string') continue;
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    switch (e.operator) {
      case 'In':
        out.push({ op: 'in', key: e.key, values });
        break;
      case 'NotIn':
        out.push({ op: 'notin', key: e.key, values });
        break;
      case 'Exists':
        out.push({ op: 'exists', key: e.key });
        break;
      case 'DoesNotExist':
        out.push({ op: 'notexists', key: e.key });
        break;
      default:
        throw new LabelSelectorError(
          `"${String(e.operator)}" is not a valid label selector operator`,
        );
    }
  }
  return out;
}

/** Whether the selector has no requirements (selects everything). */
export function selectorEmpty(sel: Json | undefined): boolean {
  return selectorRequirements(sel).length === 0;
}

export function selectorMatches(sel: Json | undefined, labels: Json | undefined): boolean {
  return matchesLabels(selectorRequirements(sel), isObject(labels) ? labels : undefined);
}
