// The libraries as another project uses them (issue 12): pack every library with `npm pack`,
// install the tarballs into an empty project outside the workspace, then import, require,
// type-check and run their examples there. Nothing here reads the workspace's own node_modules,
// so a missing dependency, a broken exports map or a declaration that needs @types/node shows up
// as it would for a stranger.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspacePackages, type WorkspacePackage } from './manifests.js';

export interface Library {
  name: string;
  dir: string;
  /** Subpaths of the exports map other than ./package.json, e.g. ['.', './testing']. */
  entries: string[];
  examples: string[];
  /** Optional peer dependencies (an entry that needs one is checked with it installed). */
  optionalPeers: string[];
}

export function libraries(root: string): Library[] {
  return workspacePackages(root)
    .filter((p: WorkspacePackage) => p.group === 'packages' && p.manifest.private !== true)
    .map((p) => {
      const m = p.manifest;
      const exportsMap = (m.exports ?? {}) as Record<string, unknown>;
      const exDir = join(p.dir, 'examples');
      const meta = (m.peerDependenciesMeta ?? {}) as Record<string, { optional?: boolean }>;
      return {
        name: m.name as string,
        dir: p.dir,
        entries: Object.keys(exportsMap).filter((k) => k !== './package.json'),
        examples: existsSync(exDir)
          ? readdirSync(exDir)
              .filter((f) => f.endsWith('.ts'))
              .sort()
          : [],
        optionalPeers: Object.keys(meta).filter((k) => meta[k]?.optional),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 300_000,
): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs });
}

export function must(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) {
    throw new Error(
      `${what} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`,
    );
  }
  return r.stdout;
}

/** npm pack each library into `dest`; returns name → tarball path. */
export function packAll(root: string, libs: Library[], dest: string): Map<string, string> {
  mkdirSync(dest, { recursive: true });
  const out = new Map<string, string>();
  for (const lib of libs) {
    const json = must(
      run('npm', ['pack', '--json', '--pack-destination', dest], lib.dir),
      `npm pack ${lib.name}`,
    );
    const [info] = JSON.parse(json) as { filename: string }[];
    if (!info) throw new Error(`npm pack ${lib.name} printed no file`);
    out.set(lib.name, join(dest, info.filename));
  }
  return out;
}

/**
 * An empty project depending on every tarball. Each package.json dependency between our
 * libraries is redirected to the local tarball with `overrides`, since none is published yet.
 */
export function writeConsumer(
  dir: string,
  tarballs: Map<string, string>,
  extraDeps: Record<string, string>,
): void {
  mkdirSync(dir, { recursive: true });
  const deps: Record<string, string> = { ...extraDeps };
  for (const [name, file] of tarballs) deps[name] = `file:${file}`;
  const overrides: Record<string, string> = {};
  for (const [name, file] of tarballs) overrides[name] = `file:${file}`;
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      { name: 'ironlb-consumer', version: '1.0.0', private: true, dependencies: deps, overrides },
      null,
      2,
    ),
  );
}

/** `import x from 'pkg/sub'` specifier for an exports subpath. */
export function specifier(lib: Library, entry: string): string {
  return entry === '.' ? lib.name : `${lib.name}/${entry.slice(2)}`;
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
