import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured figure. `anchor` is the same quantity measured for the reference in the same run. */
export interface BenchRow {
  /** What was measured, e.g. "allocate 100k from a /8 (p99 per op)". */
  name: string;
  value: number;
  /** Unit of `value` and `anchor`, e.g. "ms", "µs", "ops/s", "bytes". */
  unit: string;
  /** The anchor's figure measured in the same run (BIRD, the kernel, a naive allocator, ...). */
  anchor?: number;
  /** Who the anchor is, e.g. "naive first-free scan (MetalLB's way)". */
  anchorName?: string;
  /** value / anchor, computed when both are there. */
  ratio?: number;
  /** The target from DESIGN.md §6 this figure is held against, as text. */
  target?: string;
  /** Whether the target is met; undefined when there is no target. */
  pass?: boolean;
  note?: string;
}

const workspaceRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** Collects rows, prints a human table and writes bench-results/<project>.json. */
export class BenchReport {
  readonly rows: BenchRow[] = [];
  private readonly started = new Date();
  readonly project: string;
  readonly command: string;

  constructor(project: string, command = `npx nx run ${project}:bench`) {
    this.project = project;
    this.command = command;
  }

  add(row: BenchRow): BenchRow {
    const r = { ...row };
    if (r.anchor !== undefined && r.anchor !== 0 && r.ratio === undefined)
      r.ratio = r.value / r.anchor;
    this.rows.push(r);
    return r;
  }

  table(): string {
    const fmt = (n: number | undefined) =>
      n === undefined
        ? ''
        : Math.abs(n) >= 100
          ? n.toFixed(0)
          : Math.abs(n) >= 1
            ? n.toFixed(2)
            : n.toPrecision(3);
    const header = ['measurement', 'value', 'unit', 'anchor', 'ratio', 'target', 'ok'];
    const lines = this.rows.map((r) => [
      r.name,
      fmt(r.value),
      r.unit,
      r.anchor === undefined ? '' : `${fmt(r.anchor)}${r.anchorName ? ` (${r.anchorName})` : ''}`,
      r.ratio === undefined ? '' : `${fmt(r.ratio)}×`,
      r.target ?? '',
      r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
    ]);
    const widths = header.map((h, i) =>
      Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)),
    );
    const row = (cells: string[]) =>
      '| ' + cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ') + ' |';
    return [row(header), row(widths.map((w) => '-'.repeat(w))), ...lines.map(row)].join('\n');
  }

  /** Prints the table and writes the JSON file; returns the file's path. */
  write(): string {
    const dir = join(workspaceRoot, 'bench-results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${this.project}.json`);
    const doc = {
      project: this.project,
      command: this.command,
      started: this.started.toISOString(),
      finished: new Date().toISOString(),
      node: process.version,
      rows: this.rows,
    };
    writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
    console.log(
      `\n${this.project} benchmark (${this.command})\n\n${this.table()}\n\nwritten to ${file}`,
    );
    return file;
  }
}
