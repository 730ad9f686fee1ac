// What a kind's server-side printer is: metav1.TableColumnDefinition list and the cells of one
// row (the TableHandler pairs of pkg/printers/internalversion/printers.go).
import type { KubeObject } from '../registry/types.ts';

export type Cell = string | number | boolean | null;

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface Printer {
  columns: Column[];
  /** One cell per column, `now` in wall-clock milliseconds (for AGE). */
  cells(o: KubeObject, nowMs: number): Cell[];
}

export function col(
  name: string,
  type: Column['type'],
  description: string,
  priority = 0,
  format = '',
): Column {
  return { name, type, format, description, priority };
}

export const NAME = col(
  'Name',
  'string',
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  0,
  'name',
);

export const AGE = col(
  'Age',
  'string',
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
);

export const CONTAINERS = col(
  'Containers',
  'string',
  'Names of each container in the template.',
  1,
);
export const IMAGES = col(
  'Images',
  'string',
  'Images referenced by each container in the template.',
  1,
);
