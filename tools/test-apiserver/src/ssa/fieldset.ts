// Field sets as server-side apply keeps them (sigs.k8s.io/structured-merge-diff fieldpath.Set):
// a trie of path elements in their FieldsV1 spelling — `f:name` (struct field or map key),
// `k:{"port":80,"protocol":"TCP"}` (associative-list item by its keys), `v:"x"` (set item) —
// where a node is a member when the path itself is owned. FieldsV1 JSON is the same trie with
// `".": {}` marking members that also have children.
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';

export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  child(pe: string): FieldSet {
    let c = this.children.get(pe);
    if (!c) this.children.set(pe, (c = new FieldSet()));
    return c;
  }

  get empty(): boolean {
    return !this.member && this.children.size === 0;
  }

  /** Adds a member path. */
  insert(path: readonly string[]): void {
    this.node(path, true).member = true;
  }

  /** The node at `path` (created when `create`). */
  private node(path: readonly string[], create: true): FieldSet;
  private node(path: readonly string[], create: false): FieldSet | undefined;
  private node(path: readonly string[], create: boolean): FieldSet | undefined {
    let n: FieldSet | undefined = this.children.get(path[0] as string);
    if (path.length === 0) return create ? this : this;
    if (!n) {
      if (!create) return undefined;
      n = this.child(path[0] as string);
    }
    for (const pe of path.slice(1)) {
      const c: FieldSet | undefined = n.children.get(pe);
      if (c) n = c;
      else if (create) n = n.child(pe);
      else return undefined;
    }
    return n;
  }

  has(path: readonly string[]): boolean {
    return this.node(path, false)?.member === true;
  }

  /** Whether any member lies at or below `path`. */
  hasPrefix(path: readonly string[]): boolean {
    const n = this.node(path, false);
    return n !== undefined && !n.empty;
  }

  /** Every member path. */
  members(prefix: string[] = [], out: string[][] = []): string[][] {
    if (this.member) out.push(prefix);
    for (const [pe, c] of this.children) c.members([...prefix, pe], out);
    return out;
  }

  union(o: FieldSet): FieldSet {
    const r = this.clone();
    for (const p of o.members()) r.insert(p);
    return r;
  }

  /** Members of this set not in `o`. */
  minus(o: FieldSet): FieldSet {
    const r = new FieldSet();
    for (const p of this.members()) if (!o.has(p)) r.insert(p);
    return r;
  }

  clone(): FieldSet {
    const r = new FieldSet();
    r.member = this.member;
    for (const [pe, c] of this.children) r.children.set(pe, c.clone());
    return r;
  }

  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    if (this.member && this.children.size > 0) out['.'] = {};
    for (const pe of [...this.children.keys()].sort()) {
      const c = this.children.get(pe) as FieldSet;
      if (!c.empty) out[pe] = c.toFieldsV1();
    }
    return out;
  }

  static fromFieldsV1(j: Json | undefined): FieldSet {
    const r = new FieldSet();
    const walk = (node: FieldSet, o: Json | undefined): void => {
      if (!isObject(o)) return;
      const keys = Object.keys(o);
      if (keys.length === 0) node.member = true;
      for (const k of keys) {
        if (k === '.') node.member = true;
        else walk(node.child(k), o[k]);
      }
    };
    walk(r, j);
    // The root itself is never a member (an empty FieldsV1 is the empty set).
    r.member = false;
    return r;
  }
}

/** `k:` element for an associative-list item (keys sorted, values JSON as FieldsV1 spells them). */
export function keyElement(item: JsonObject, keys: readonly string[]): string {
  const k: JsonObject = {};
  for (const name of [...keys].sort()) if (item[name] !== undefined) k[name] = item[name] as Json;
  return `k:${JSON.stringify(k)}`;
}

/** fieldpath.Path.String(): `.spec.ports[port=80,protocol="TCP"].name`, `[="v"]` for sets. */
export function pathString(path: readonly string[]): string {
  let s = '';
  for (const pe of path) {
    if (pe.startsWith('f:')) s += `.${pe.slice(2)}`;
    else if (pe.startsWith('k:')) {
      const o = JSON.parse(pe.slice(2)) as JsonObject;
      s += `[${Object.entries(o)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    } else if (pe.startsWith('v:')) s += `[=${pe.slice(2)}]`;
    else if (pe.startsWith('i:')) s += `[${pe.slice(2)}]`;
  }
  return s;
}
