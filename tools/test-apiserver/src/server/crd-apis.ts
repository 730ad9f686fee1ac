// The APIs a CustomResourceDefinition serves: (re)registered on each CRD write, dropped with the
// CRD's remaining objects when it is finally removed.
import { crdResourceTypes } from '../registry/crd.ts';
import type { KubeObject } from '../registry/types.ts';
import type { CustomResourceDefinition } from '../schema/types.ts';
import { objectKey } from '../store.ts';
import type { CoreContext } from './core-context.ts';

export function registerCrd(cx: CoreContext, crd: KubeObject): void {
  const c = crd as unknown as CustomResourceDefinition;
  cx.registry.removeWhere((t) => t.crdName === c.metadata.name);
  const convert = cx.conversions.convertSync.bind(cx.conversions);
  for (const t of crdResourceTypes(c, convert)) cx.registry.add(t);
}

export function unregisterCrd(cx: CoreContext, crd: KubeObject): void {
  const name = crd.metadata.name;
  const types = cx.registry.all().filter((t) => t.crdName === name);
  const first = types[0];
  if (first) {
    // Instances go with their CRD (the apiextensions finalizer deletes them first).
    for (const o of cx.store.list(first.storageKey)) {
      const final = structuredClone(o);
      final.metadata.resourceVersion = String(cx.store.nextResourceVersion());
      cx.store.remove(
        first.storageKey,
        objectKey(o.metadata.namespace, o.metadata.name ?? ''),
        final,
      );
    }
  }
  cx.registry.removeWhere((t) => t.crdName === name);
}
