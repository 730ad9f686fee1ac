// Label selectors (metav1.LabelSelector) evaluated in k8s-glue, never in ipam (DESIGN.md §1),
// plus MetalLB's duplicate checks (internal/config validateLabelSelectorDuplicate).
import type { LabelSelector, LabelSelectorRequirement, NodeObject } from '../api/meta.js';

const OPS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** Why metav1.LabelSelectorAsSelector would refuse this selector, or undefined. */
export function selectorError(sel: LabelSelector): string | undefined {
  for (const e of sel.matchExpressions ?? []) {
    if (!OPS.has(e.operator))
      return `${JSON.stringify(e.operator)} is not a valid label selector operator`;
    const n = e.values?.length ?? 0;
    if ((e.operator === 'In' || e.operator === 'NotIn') && n === 0) {
      return "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty";
    }
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && n > 0) {
      return `values: Invalid value: ${JSON.stringify(e.values)}: values set must be empty for exists and does not exist`;
    }
  }
  return undefined;
}

/** Does `sel` select an object with `labels`? An empty selector matches everything. */
export function selectorMatches(
  sel: LabelSelector,
  labels: Readonly<Record<string, string>> = {},
): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const val = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(val as string)) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(val as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Matches if any selector matches (MetalLB's OR of selector lists). */
export function anySelectorMatches(
  sels: readonly LabelSelector[],
  labels: Readonly<Record<string, string>> = {},
): boolean {
  return sels.some((s) => selectorMatches(s, labels));
}

/**
 * Names of the nodes the selectors pick, sorted; no selectors = every node (MetalLB
 * selectedNodes, shared by L2/BGP advertisements and BGPPeers). Node selectors are resolved to
 * names at parse time; service selectors are not (DESIGN.md §1).
 */
export function nodeNames(
  nodes: readonly NodeObject[],
  sels: readonly LabelSelector[] | undefined,
): string[] {
  const list = sels ?? [];
  return nodes
    .filter((n) => list.length === 0 || anySelectorMatches(list, n.metadata.labels))
    .map((n) => n.metadata.name ?? '')
    .sort();
}

// Go's %q of a LabelSelector *value* (MetalLB formats the struct, not the pointer, so the
// Stringer is not used): {map["k":"v"] [{"key" "In" ["a" "b"]}]}.
function goMap(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return `map[${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify((m ?? {})[k])}`).join(' ')}]`;
}
export function goFormatRequirement(e: LabelSelectorRequirement): string {
  return `{${JSON.stringify(e.key)} ${JSON.stringify(e.operator)} [${(e.values ?? []).map((v) => JSON.stringify(v)).join(' ')}]}`;
}
export function goFormatSelector(s: LabelSelector): string {
  return `{${goMap(s.matchLabels)} [${(s.matchExpressions ?? []).map(goFormatRequirement).join(' ')}]}`;
}

function canonicalRequirement(e: LabelSelectorRequirement): string {
  return JSON.stringify([e.key, e.operator, [...(e.values ?? [])].sort()]);
}
function canonicalSelector(s: LabelSelector): string {
  const labels = Object.keys(s.matchLabels ?? {})
    .sort()
    .map((k) => [k, (s.matchLabels ?? {})[k]]);
  return JSON.stringify([labels, (s.matchExpressions ?? []).map(canonicalRequirement)]);
}

/** MetalLB validateDuplicate: `duplicate definition of <what> "<value>"`. */
export function duplicateStringError(
  values: readonly string[] | undefined,
  what: string,
): string | undefined {
  const seen = new Set<string>();
  for (const v of values ?? []) {
    if (seen.has(v)) return `duplicate definition of ${what} ${JSON.stringify(v)}`;
    seen.add(v);
  }
  return undefined;
}

/**
 * MetalLB validateLabelSelectorDuplicate: identical selectors in one list, identical match
 * expressions in one selector, or repeated values in one expression are refused.
 */
export function duplicateSelectorError(
  sels: readonly LabelSelector[] | undefined,
  what: string,
): string | undefined {
  const seen = new Set<string>();
  for (const s of sels ?? []) {
    const exprs = s.matchExpressions ?? [];
    const seenExpr = new Set<string>();
    for (const e of exprs) {
      const dupValue = duplicateStringError(e.values, 'match expression value in label selector');
      if (dupValue) return dupValue;
      const key = canonicalRequirement(e);
      if (seenExpr.has(key))
        return `duplicate definition of match expressions ${goFormatRequirement(e)}`;
      seenExpr.add(key);
    }
    const key = canonicalSelector(s);
    if (seen.has(key)) return `duplicate definition of ${what} ${goFormatSelector(s)}`;
    seen.add(key);
  }
  return undefined;
}
