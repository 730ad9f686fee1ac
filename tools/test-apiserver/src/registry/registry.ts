// The table of served resources, keyed by group/version/resource, that routing and discovery use.
import { gvString, type ResourceType } from './types.ts';

/** Kubernetes version priority (k8s.io/apimachinery/pkg/version.CompareKubeAwareVersionStrings). */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return { kind: 3, major: 0, minor: 0, raw: v };
    return {
      kind: m[2] === 'alpha' ? 2 : m[2] === 'beta' ? 1 : 0,
      major: Number(m[1]),
      minor: Number(m[3] ?? 0),
      raw: v,
    };
  };
  const x = parse(a);
  const y = parse(b);
  if (x.kind !== y.kind) return x.kind - y.kind;
  if (x.kind === 3) return x.raw.localeCompare(y.raw);
  if (x.major !== y.major) return y.major - x.major;
  return y.minor - x.minor;
}

export class Registry {
  private readonly byGV = new Map<string, Map<string, ResourceType>>();
  /** Group order for discovery: built-in groups in registration order, then CRD groups. */
  private readonly groupOrder: string[] = [];

  add(t: ResourceType): void {
    const gv = gvString(t.group, t.version);
    let m = this.byGV.get(gv);
    if (!m) {
      m = new Map();
      this.byGV.set(gv, m);
    }
    m.set(t.resource, t);
    if (!this.groupOrder.includes(t.group)) this.groupOrder.push(t.group);
  }

  removeWhere(pred: (t: ResourceType) => boolean): void {
    for (const [gv, m] of this.byGV) {
      for (const [r, t] of m) if (pred(t)) m.delete(r);
      if (m.size === 0) this.byGV.delete(gv);
    }
    for (let i = this.groupOrder.length - 1; i >= 0; i--) {
      const g = this.groupOrder[i] as string;
      if (this.versions(g).length === 0) this.groupOrder.splice(i, 1);
    }
  }

  find(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byGV.get(gvString(group, version))?.get(resource);
  }

  resources(group: string, version: string): ResourceType[] {
    return [...(this.byGV.get(gvString(group, version))?.values() ?? [])];
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.byGV.has(gvString(group, version));
  }

  /** Versions of a group, preferred first. */
  versions(group: string): string[] {
    const out: string[] = [];
    for (const gv of this.byGV.keys()) {
      const i = gv.lastIndexOf('/');
      const g = i < 0 ? '' : gv.slice(0, i);
      if (g === group) out.push(i < 0 ? gv : gv.slice(i + 1));
    }
    return out.sort(compareKubeVersions);
  }

  /** Non-core groups in discovery order. */
  groups(): string[] {
    return this.groupOrder.filter((g) => g !== '' && this.versions(g).length > 0);
  }

  all(): ResourceType[] {
    const out: ResourceType[] = [];
    for (const m of this.byGV.values()) out.push(...m.values());
    return out;
  }
}
