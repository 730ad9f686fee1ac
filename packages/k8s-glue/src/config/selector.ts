// Label selectors (metav1.LabelSelector) evaluated in k8s-glue, never in ipam (DESIGN.md §1),
// plus MetalLB's duplicate checks (internal/config validateLabelSelectorDuplicate) and the
// canonical form MetalLB compares advertisements' selectors in. Syntax checks: labels.ts.
import type { LabelSelector, LabelSelectorRequirement, NodeObject } from '../api/meta.js';
import { goQuoteRequirement, goQuoteSelector } from './labels.js';

/** Does `sel` select an object with `labels`? An empty selector matches everything. */
export function selectorMatches(
  sel: LabelSelector,
  labels: Readonly<Record<string, string>> = {},
): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
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

function canonicalRequirement(e: LabelSelectorRequirement): string {
  return JSON.stringify([e.key, e.operator, [...new Set(e.values ?? [])].sort()]);
}

/**
 * A selector's canonical text: its requirements (matchLabels as `=` requirements, then
 * matchExpressions with sorted values) sorted and de-duplicated. Two selectors with the same
 * canonical text select the same objects whatever the order they were written in (MetalLB
 * compares labels.Selector values, whose requirements are sorted by key, after sorting each
 * expression's values in place in validateLabelSelectorDuplicate).
 */
export function canonicalSelector(s: LabelSelector): string {
  const m = s.matchLabels ?? {};
  const reqs = [
    ...Object.keys(m).map((k) => JSON.stringify([k, '=', [m[k]]])),
    ...(s.matchExpressions ?? []).map(canonicalRequirement),
  ];
  return `[${[...new Set(reqs)].sort().join(',')}]`;
}

/**
 * A selector list in canonical order: sorted by canonical text, duplicates dropped (an OR of
 * the same selector twice is that selector). MetalLB sorts service selectors by their String()
 * before keeping them (internal/config parseSelectors), so advertisements that differ only in
 * the order of their selectors are the same advertisement.
 */
export function canonicalSelectors(sels: readonly LabelSelector[]): LabelSelector[] {
  const byKey = new Map<string, LabelSelector>();
  for (const s of sels) {
    const key = canonicalSelector(s);
    if (!byKey.has(key)) byKey.set(key, s);
  }
  return [...byKey.keys()].sort().map((k) => byKey.get(k) as LabelSelector);
}

/** The canonical text of a selector list (equal texts = equivalent lists). */
export function canonicalSelectorsKey(sels: readonly LabelSelector[]): string {
  return JSON.stringify([...new Set(sels.map(canonicalSelector))].sort());
}

// What MetalLB's duplicate check compares: LabelSelector.String(), which sorts matchLabels keys
// and keeps the expressions in the order written, values sorted (they are sorted in place first).
function duplicateKey(s: LabelSelector): string {
  const m = s.matchLabels ?? {};
  const labels = Object.keys(m)
    .sort()
    .map((k) => [k, m[k]]);
  return JSON.stringify([
    labels,
    (s.matchExpressions ?? []).map((e) => [e.key, e.operator, [...(e.values ?? [])].sort()]),
  ]);
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
      const key = JSON.stringify([e.key, e.operator, [...(e.values ?? [])].sort()]);
      if (seenExpr.has(key))
        return `duplicate definition of match expressions ${goQuoteRequirement(sorted(e))}`;
      seenExpr.add(key);
    }
    const key = duplicateKey(s);
    if (seen.has(key)) return `duplicate definition of ${what} ${goQuoteSelector(sortedValues(s))}`;
    seen.add(key);
  }
  return undefined;
}

// MetalLB sorts expression values in place before it prints them.
function sorted(e: LabelSelectorRequirement): LabelSelectorRequirement {
  return e.values ? { ...e, values: [...e.values].sort() } : e;
}
function sortedValues(s: LabelSelector): LabelSelector {
  return s.matchExpressions ? { ...s, matchExpressions: s.matchExpressions.map(sorted) } : s;
}
