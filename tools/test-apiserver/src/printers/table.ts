// metav1.Table (server-side printing, what `kubectl get` asks for): the kind's printer for
// built-ins (columns-core.ts, columns-other.ts), additionalPrinterColumns for custom resources
// (apiextensions-apiserver registry/customresource/tableconvertor), and the default convertor
// (Name, Created At) for everything else (k8s.io/apiserver/pkg/registry/rest/table.go).
import { badRequest } from '../errors.ts';
import type { ApiCore } from '../server/api.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import type { CustomResourceDefinition } from '../schema/types.ts';
import { corePrinters } from './columns-core.ts';
import { otherPrinters } from './columns-other.ts';
import { jsonPathResults, since } from './format.ts';
import { AGE, col, NAME, type Cell, type Column, type Printer } from './printer.ts';

export interface TableOptions {
  /** `includeObject`: None | Metadata (default) | Object. */
  includeObject: 'None' | 'Metadata' | 'Object';
}

export function tableOptions(p: URLSearchParams): TableOptions {
  const v = p.get('includeObject') ?? 'Metadata';
  if (v !== 'None' && v !== 'Metadata' && v !== 'Object')
    throw badRequest(
      `includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`,
    );
  return { includeObject: v };
}

const DEFAULT: Printer = {
  columns: [
    NAME,
    col(
      'Created At',
      'date',
      'CreationTimestamp is a timestamp representing the server time when this object was created.',
    ),
  ],
  cells: (o) => [
    o.metadata.name ?? '',
    typeof o.metadata.creationTimestamp === 'string' ? o.metadata.creationTimestamp : null,
  ],
};

/** cellForJSONValue of the CRD table convertor: typed cells, nil when the type does not match. */
function crdCell(type: string, v: Json, nowMs: number): Cell {
  switch (type) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? v : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'date':
      return typeof v === 'string' ? since(v, nowMs) : null;
    default:
      return typeof v === 'string' ? v : JSON.stringify(v);
  }
}

function crdPrinter(crd: CustomResourceDefinition, version: string): Printer {
  const v = crd.spec.versions.find((x) => x.name === version) as unknown as JsonObject | undefined;
  const extra = Array.isArray(v?.additionalPrinterColumns)
    ? (v.additionalPrinterColumns as JsonObject[])
    : [];
  if (extra.length === 0)
    return {
      columns: [NAME, AGE],
      cells: (o, now) => [o.metadata.name ?? '', since(o.metadata.creationTimestamp, now)],
    };
  const columns: Column[] = [
    NAME,
    ...extra.map((c) => ({
      name: String(c.name),
      type: String(c.type) as Column['type'],
      format: typeof c.format === 'string' ? c.format : '',
      description: typeof c.description === 'string' ? c.description : '',
      priority: typeof c.priority === 'number' ? c.priority : 0,
    })),
  ];
  return {
    columns,
    cells: (o, now) => [
      o.metadata.name ?? '',
      ...extra.map((c) => {
        const r = jsonPathResults(o, String(c.jsonPath));
        return r.length === 0 || r[0] === undefined ? null : crdCell(String(c.type), r[0], now);
      }),
    ],
  };
}

function printerFor(core: ApiCore, t: ResourceType): Printer {
  if (t.crdName !== undefined) {
    const crd = core.store.get('apiextensions.k8s.io/customresourcedefinitions', t.crdName);
    return crd ? crdPrinter(crd as unknown as CustomResourceDefinition, t.version) : DEFAULT;
  }
  const key = `${t.group === 'events.k8s.io' ? '' : t.group}/${t.kind}`;
  return corePrinters[key] ?? otherPrinters[key] ?? DEFAULT;
}

function partialMetadata(o: KubeObject, version: string): JsonObject {
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: structuredClone(o.metadata),
  };
}

export function asTable(
  core: ApiCore,
  t: ResourceType,
  objects: KubeObject[],
  listMeta: JsonObject,
  opts: TableOptions,
  version: 'v1' | 'v1beta1',
): JsonObject {
  const p = printerFor(core, t);
  const now = core.nowMs();
  const rows = objects.map((o) => {
    // events.k8s.io Events print from their core/v1 form, as the internal printer does.
    const src = t.group === 'events.k8s.io' && t.toStorage ? t.toStorage(o) : o;
    const row: JsonObject = { cells: p.cells(src, now) };
    if (opts.includeObject === 'Object') row.object = o;
    else if (opts.includeObject === 'Metadata') row.object = partialMetadata(o, version);
    return row;
  });
  const metadata: JsonObject = {};
  for (const k of ['resourceVersion', 'continue', 'remainingItemCount'])
    if (isObject(listMeta) && listMeta[k] !== undefined) metadata[k] = listMeta[k] as Json;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata,
    columnDefinitions: p.columns as unknown as Json,
    rows,
  };
}
