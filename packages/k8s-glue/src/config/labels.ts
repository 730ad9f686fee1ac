// Kubernetes' label syntax, with apimachinery's exact messages, because MetalLB turns every
// selector into a labels.Selector through metav1.LabelSelectorAsSelector and reports its error
// as is (MetalLB go.mod: k8s.io/apimachinery v0.34.1):
//   - pkg/util/validation/validation.go IsQualifiedName, IsValidLabelValue, IsDNS1123Subdomain,
//     RegexError, MaxLenError, EmptyError;
//   - pkg/labels/selector.go NewRequirement, validateLabelKey, validateLabelValue;
//   - pkg/util/validation/field/errors.go Error.ErrorBody (`<path>: Invalid value: <value>: ...`),
//     ErrorList.ToAggregate and utilerrors' aggregate (one message, or `[a, b]`);
//   - pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector (matchLabels first, then
//     matchExpressions, the first failing requirement wins).
// Without this a key like `bad key!` or an empty key is accepted and the selector silently
// selects nothing (issue 13).
import type { LabelSelector, LabelSelectorRequirement } from '../api/meta.js';

const QNAME_CHAR = '[A-Za-z0-9]';
const QNAME_EXT_CHAR = '[-A-Za-z0-9_.]';
const QUALIFIED_NAME_FMT = `(${QNAME_CHAR}${QNAME_EXT_CHAR}*)?${QNAME_CHAR}`;
const QUALIFIED_NAME_ERR =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_MAX = 63;
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MAX = 63;
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MAX = 253;

const qualifiedNameRe = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const labelValueRe = new RegExp(`^${LABEL_VALUE_FMT}$`);
const subdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

const utf8 = new TextEncoder();
/** Go's len(): bytes, not UTF-16 units. */
const byteLength = (s: string) => utf8.encode(s).length;

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  // Go appends "'x', " per example and " or " between them, hence the double space.
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}
const maxLenError = (n: number) => `must be no more than ${n} characters`;
const EMPTY_ERROR = 'must be non-empty';

function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!subdomainRe.test(value))
    errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** apimachinery IsQualifiedName: what is wrong with a label key (empty = valid). */
export function labelKeyErrors(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0] as string;
  else if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (prefix.length === 0) errs.push(`prefix part ${EMPTY_ERROR}`);
    else errs.push(...dns1123SubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push(`name part ${EMPTY_ERROR}`);
  else if (byteLength(name) > QUALIFIED_NAME_MAX)
    errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX)}`);
  if (!qualifiedNameRe.test(name)) {
    errs.push(
      `name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`,
    );
  }
  return errs;
}

/** apimachinery IsValidLabelValue: what is wrong with a label value (empty = valid). */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX) errs.push(maxLenError(LABEL_VALUE_MAX));
  if (!labelValueRe.test(value))
    errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** Go's %q (strconv.Quote) for a string: printable Unicode kept, control characters escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c === 0x07) out += '\\a';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0b) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's encoding/json for a []string (nil → null), HTML-safe like json.Marshal. */
function goJsonStrings(values: readonly string[] | undefined): string {
  if (values === undefined || values.length === 0) return values === undefined ? 'null' : '[]';
  return JSON.stringify(values).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}

/** field.Invalid(path, value, detail).Error() */
const invalid = (path: string, shown: string, detail: string) =>
  `${path}: Invalid value: ${shown}: ${detail}`;

/** utilerrors aggregate: de-duplicated, one message as is, several as `[a, b]`. */
function aggregate(msgs: readonly string[]): string | undefined {
  const unique = [...new Set(msgs)];
  if (unique.length === 0) return undefined;
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

/** labels.NewRequirement's error for one requirement, or undefined. */
function requirementError(
  key: string,
  op: 'Equals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist',
  values: readonly string[] | undefined,
): string | undefined {
  const errs: string[] = [];
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length > 0) errs.push(invalid('key', goQuote(key), keyErrs.join('; ')));
  const n = values?.length ?? 0;
  if ((op === 'In' || op === 'NotIn') && n === 0) {
    // metav1 passes append([]string(nil), values...): nil when empty, which JSON prints as null.
    errs.push(invalid('values', 'null', "for 'in', 'notin' operators, values set can't be empty"));
  }
  if ((op === 'Exists' || op === 'DoesNotExist') && n > 0) {
    errs.push(
      invalid(
        'values',
        goJsonStrings(values),
        'values set must be empty for exists and does not exist',
      ),
    );
  }
  (values ?? []).forEach((v, i) => {
    const e = labelValueErrors(v);
    if (e.length > 0) errs.push(invalid(`values[${i}][${key}]`, goQuote(v), e.join('; ')));
  });
  return aggregate(errs);
}

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/**
 * Why metav1.LabelSelectorAsSelector refuses `sel`, in apimachinery's words, or undefined.
 * matchLabels are checked before matchExpressions as in Go; Go walks the map in random order,
 * here keys are taken sorted so the same selector always gets the same message.
 */
export function selectorError(sel: LabelSelector): string | undefined {
  const labels = sel.matchLabels ?? {};
  for (const k of Object.keys(labels).sort()) {
    const e = requirementError(k, 'Equals', [labels[k] as string]);
    if (e) return e;
  }
  for (const e of sel.matchExpressions ?? []) {
    if (!OPERATORS.has(e.operator))
      return `${goQuote(String(e.operator))} is not a valid label selector operator`;
    const err = requirementError(
      e.key,
      e.operator as 'In' | 'NotIn' | 'Exists' | 'DoesNotExist',
      e.values,
    );
    if (err) return err;
  }
  return undefined;
}

// Go's fmt of a metav1.LabelSelector, three ways, because MetalLB's messages use all three:
//   %q of the struct value → {map["k":"v"] [{"key" "In" ["a" "b"]}]}
//   %v of the struct value → {map[k:v] [{key In [a b]}]}
//   %v of a *LabelSelector → its gogo String(): &LabelSelector{MatchLabels:map[string]string{k: v,},...}
const sortedKeys = (m: Record<string, string> | undefined) => Object.keys(m ?? {}).sort();

export function goQuoteSelector(s: LabelSelector): string {
  const m = s.matchLabels ?? {};
  const labels = sortedKeys(m)
    .map((k) => `${goQuote(k)}:${goQuote(m[k] as string)}`)
    .join(' ');
  const exprs = (s.matchExpressions ?? []).map(goQuoteRequirement).join(' ');
  return `{map[${labels}] [${exprs}]}`;
}
export function goQuoteRequirement(e: LabelSelectorRequirement): string {
  return `{${goQuote(e.key)} ${goQuote(e.operator)} [${(e.values ?? []).map(goQuote).join(' ')}]}`;
}
export function goFormatSelector(s: LabelSelector): string {
  const m = s.matchLabels ?? {};
  const labels = sortedKeys(m)
    .map((k) => `${k}:${m[k] as string}`)
    .join(' ');
  const exprs = (s.matchExpressions ?? [])
    .map((e) => `{${e.key} ${e.operator} [${(e.values ?? []).join(' ')}]}`)
    .join(' ');
  return `{map[${labels}] [${exprs}]}`;
}
export function goStringSelector(s: LabelSelector): string {
  const m = s.matchLabels ?? {};
  const labels = sortedKeys(m)
    .map((k) => `${k}: ${m[k] as string},`)
    .join('');
  const exprs = (s.matchExpressions ?? [])
    .map(
      (e) =>
        `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`,
    )
    .join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}
