// Assembles the final-stage file tree of IronLB's images (ghcr.io/ironlb/<app>), exactly what
// deploy/images/<app>.Dockerfile copies to /opt/ironlb/<app>/ — the Dockerfiles run this very
// script in their build stage, so the two cannot disagree. There is no container engine on these
// machines: the lab mounts dist/images/<app> at /opt/ironlb/<app> instead of pulling an image.
//
// The tree (the image contract, deploy/README.md):
//   main.js and the rest of apps/<app>/dist/ (the bundled app; *.d.ts and source maps left out)
//   package.json  {name, version, private, type, dependencies}: the runtime externals only
//   node_modules/ the packages the bundle still imports (native addons such as cap, koffi, and
//                 whatever the app keeps external on purpose) and their production dependencies,
//                 copied from the workspace's resolved install (npm install --omit=dev of those
//                 names would give the same packages; a workspace package as npm pack publishes it)
//
// Run through tools/scripts/image-tree.ts (Node 24, from anywhere):
//   node tools/scripts/image-tree.ts [controller] [speaker] [--out DIR] [--root DIR]
// Default: every app that exists, into <root>/dist/images/<app>. An app that does not exist yet is
// reported and skipped (an error only when named explicitly); an app that is not built is an error.
import { builtinModules } from 'node:module';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APPS = ['controller', 'speaker'] as const;
export type AppName = (typeof APPS)[number];

/** Where the app lives in the image; the containers run `node <IMAGE_ROOT>/<app>/main.js`. */
export const IMAGE_ROOT = '/opt/ironlb';
export const ENTRY = 'main.js';

export type ImageTreeErrorCode =
  'APP_MISSING' | 'NOT_BUILT' | 'UNRESOLVED_IMPORT' | 'WORKSPACE_IMPORT';

export class ImageTreeError extends Error {
  readonly code: ImageTreeErrorCode;
  constructor(code: ImageTreeErrorCode, message: string) {
    super(message);
    this.name = 'ImageTreeError';
    this.code = code;
  }
}

export interface ImageTreeOptions {
  /** Repository root (default: two folders above this script). */
  readonly root?: string;
  readonly app: string;
  /** Output folder; the tree goes to <outDir>/<app> (default <root>/dist/images). */
  readonly outDir?: string;
}

export interface ExternalPackage {
  readonly name: string;
  readonly version: string;
  /** Path inside the tree, e.g. node_modules/cap. */
  readonly path: string;
}

export interface ImageTreeResult {
  readonly app: string;
  readonly dir: string;
  /** Every file of the tree, relative to it, sorted. */
  readonly files: readonly string[];
  /** The bundle's bare imports that were resolved and copied (top level), sorted by name. */
  readonly externals: readonly ExternalPackage[];
  /** Every package copied, including the externals' dependencies. */
  readonly packages: readonly ExternalPackage[];
  /** Optional imports (require() / import()) that nothing provides; left out. */
  readonly warnings: readonly string[];
}

export const defaultRoot = (): string => fileURLToPath(new URL('../../../', import.meta.url));
export const treeDir = (outDir: string, app: string): string => join(outDir, app);

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** The package name of a bare specifier (`@scope/name/sub` → `@scope/name`), or undefined. */
export function packageName(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) return undefined;
  if (BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0] ?? '')) return undefined;
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return name && /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name) ? name : undefined;
}

/**
 * The bare module specifiers a bundle still imports: static `import`/`export ... from` (needed at
 * load time) and `require()` / `import()` calls (esbuild leaves optional ones in try/catch).
 */
export function bareImports(code: string): { static: Set<string>; dynamic: Set<string> } {
  const stat = new Set<string>();
  const dyn = new Set<string>();
  const staticRe =
    /(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w*${}\s,]+?\s*from\s*)?["']([^"'\n]+)["']/g;
  const dynamicRe = /\b(?:require|__require|import)\s*\(\s*["']([^"'\n]+)["']\s*\)/g;
  for (const m of code.matchAll(staticRe)) {
    const n = packageName(m[1] as string);
    if (n) stat.add(n);
  }
  for (const m of code.matchAll(dynamicRe)) {
    const n = packageName(m[1] as string);
    if (n && !stat.has(n)) dyn.add(n);
  }
  return { static: stat, dynamic: dyn };
}

interface PackageJson {
  name?: string;
  files?: string[];
  version?: string;
  type?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const readJson = (p: string): PackageJson => JSON.parse(readFileSync(p, 'utf8')) as PackageJson;

/** Node's lookup: <dir>/node_modules/<name>, then the parent folders'. */
function findPackageDir(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const inNodeModules = (p: string) => p.split(sep).includes('node_modules');

// Build leftovers of node-gyp that the runtime never loads (the .node addon stays).
const PRUNE = [/^node_modules(\/|$)/, /^build\/Release\/(obj\.target|\.deps|obj)(\/|$)/];

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else out.push(relative(base, p).split(sep).join('/'));
  }
  return out.sort();
}

/**
 * Copies one package into the tree. From node_modules: as installed, without nested
 * node_modules and node-gyp leftovers. A workspace package (the bundle may keep one external, as
 * the controller keeps @ironlb/clock for its log callers): what `npm pack` would publish — its
 * package.json, README/LICENSE and the entries of its `files` — which must be built.
 */
function copyPackage(
  root: string,
  srcReal: string,
  dest: string,
  name: string,
  pkg: PackageJson,
): void {
  if (inNodeModules(srcReal)) {
    cpSync(srcReal, dest, {
      recursive: true,
      dereference: true,
      filter: (s) => {
        const rel = relative(srcReal, s).split(sep).join('/');
        return rel === '' || !PRUNE.some((re) => re.test(rel));
      },
    });
    return;
  }
  const where = relative(root, srcReal).split(sep).join('/') || srcReal;
  if (!pkg.files || pkg.files.length === 0) {
    throw new ImageTreeError(
      'WORKSPACE_IMPORT',
      `the bundle imports the workspace package "${name}" (${where}), which has no "files" field: declare what it publishes, or bundle it (tsup noExternal)`,
    );
  }
  mkdirSync(dest, { recursive: true });
  const entries = [
    'package.json',
    ...readdirSync(srcReal).filter((f) => /^(readme|license|licence)(\..*)?$/i.test(f)),
    ...pkg.files.map((f) => f.replace(/^\.\//, '').replace(/\/$/, '')),
  ];
  for (const e of [...new Set(entries)]) {
    if (!existsSync(join(srcReal, e))) {
      throw new ImageTreeError(
        'NOT_BUILT',
        `${where}/${e} is missing: build the workspace package "${name}" first (npx nx run ${name}:build)`,
      );
    }
    cpSync(join(srcReal, e), join(dest, e), { recursive: true, dereference: true });
  }
}

/** Builds <outDir>/<app>. Throws ImageTreeError with a message that says what to do. */
export function buildImageTree(options: ImageTreeOptions): ImageTreeResult {
  const root = resolve(options.root ?? defaultRoot());
  const app = options.app;
  const appDir = join(root, 'apps', app);
  if (!existsSync(join(appDir, 'package.json'))) {
    throw new ImageTreeError(
      'APP_MISSING',
      `apps/${app} does not exist yet (no apps/${app}/package.json): there is no ${app} image to assemble`,
    );
  }
  const distDir = join(appDir, 'dist');
  if (!existsSync(join(distDir, ENTRY))) {
    throw new ImageTreeError(
      'NOT_BUILT',
      `apps/${app}/dist/${ENTRY} is missing: build the app first (npx nx run @ironlb/${app}:build)`,
    );
  }
  const appPkg = readJson(join(appDir, 'package.json'));
  const out = treeDir(resolve(options.outDir ?? join(root, 'dist', 'images')), app);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  // 1. The bundle: dist/ without type declarations and source maps.
  const bundleFiles = listFiles(distDir).filter(
    (f) => !f.endsWith('.d.ts') && !f.endsWith('.d.mts') && !f.endsWith('.map'),
  );
  const imports = { static: new Set<string>(), dynamic: new Set<string>() };
  for (const f of bundleFiles) {
    mkdirSync(dirname(join(out, f)), { recursive: true });
    cpSync(join(distDir, f), join(out, f));
    if (/\.(c|m)?js$/.test(f)) {
      const found = bareImports(readFileSync(join(distDir, f), 'utf8'));
      for (const n of found.static) imports.static.add(n);
      for (const n of found.dynamic) imports.dynamic.add(n);
    }
  }
  for (const n of imports.static) imports.dynamic.delete(n);

  // 2. The externals, resolved from the app folder as Node would at development time.
  const warnings: string[] = [];
  const wanted: { name: string; dir: string }[] = [];
  for (const [name, required] of [
    ...[...imports.static].map((n) => [n, true] as const),
    ...[...imports.dynamic].map((n) => [n, false] as const),
  ].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const dir = findPackageDir(name, appDir);
    if (!dir) {
      if (required) {
        throw new ImageTreeError(
          'UNRESOLVED_IMPORT',
          `apps/${app}/dist imports "${name}", which is not installed: add it to apps/${app}/package.json dependencies (or bundle it)`,
        );
      }
      warnings.push(`optional import "${name}" is not installed; left out`);
      continue;
    }
    wanted.push({ name, dir });
  }

  // 3. Their production dependency closure, laid out as npm would: hoisted to the top unless
  // another version already holds the name, then nested under the dependent.
  const placed = new Map<string, { version: string; src: string }>(); // tree path → package
  const packages: ExternalPackage[] = [];
  const externals: ExternalPackage[] = [];
  const queue: { name: string; src: string; parentTreePath: string; top: boolean }[] = wanted.map(
    (w) => ({ name: w.name, src: w.dir, parentTreePath: '', top: true }),
  );
  while (queue.length > 0) {
    const item = queue.shift() as (typeof queue)[number];
    const pkg = readJson(join(item.src, 'package.json'));
    const version = pkg.version ?? '0.0.0';
    const topPath = `node_modules/${item.name}`;
    const nestedPath = item.parentTreePath
      ? `${item.parentTreePath}/node_modules/${item.name}`
      : topPath;
    let treePath: string;
    const atTop = placed.get(topPath);
    if (!atTop) treePath = topPath;
    else if (atTop.version === version) {
      if (item.top) externals.push({ name: item.name, version, path: topPath });
      continue;
    } else treePath = nestedPath;
    if (placed.has(treePath)) continue;
    placed.set(treePath, { version, src: item.src });
    const entry = { name: item.name, version, path: treePath };
    packages.push(entry);
    if (item.top) externals.push(entry);
    const srcReal = realpathSync(item.src);
    copyPackage(root, srcReal, join(out, treePath), item.name, pkg);
    const optional = new Set([
      ...Object.keys(pkg.optionalDependencies ?? {}),
      ...Object.entries(pkg.peerDependenciesMeta ?? {})
        .filter(([, m]) => m.optional)
        .map(([n]) => n),
    ]);
    const deps = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.optionalDependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ]);
    for (const dep of [...deps].sort()) {
      const depDir = findPackageDir(dep, srcReal);
      if (!depDir) {
        if (!optional.has(dep)) {
          throw new ImageTreeError(
            'UNRESOLVED_IMPORT',
            `${item.name}@${version} needs "${dep}", which is not installed (run npm install)`,
          );
        }
        continue;
      }
      queue.push({ name: dep, src: depDir, parentTreePath: treePath, top: false });
    }
  }
  packages.sort((a, b) => (a.path < b.path ? -1 : 1));
  externals.sort((a, b) => (a.name < b.name ? -1 : 1));

  // 4. package.json: the module type of the bundle and the runtime externals.
  const manifest = {
    name: `${appPkg.name ?? app}-image`,
    version: appPkg.version ?? '0.0.0',
    private: true,
    ...(appPkg.type ? { type: appPkg.type } : {}),
    description: `IronLB ${app} image contents (${IMAGE_ROOT}/${app}); generated by tools/scripts/image-tree.ts`,
    dependencies: Object.fromEntries(externals.map((e) => [e.name, e.version])),
  };
  writeFileSync(join(out, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

  return { app, dir: out, files: listFiles(out), externals, packages, warnings };
}

function sizeOf(dir: string, files: readonly string[]): number {
  return files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/** The command line; returns the exit code. */
export function main(argv: readonly string[], log = console.log, err = console.error): number {
  let root: string | undefined;
  let outDir: string | undefined;
  const named: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--root' || a === '--out') {
      const v = argv[++i];
      if (v === undefined) {
        err(`image-tree: ${a} needs a folder`);
        return 2;
      }
      if (a === '--root') root = v;
      else outDir = v;
    } else if (a === '-h' || a === '--help') {
      log(
        'usage: node tools/scripts/image-tree.ts [controller] [speaker] [--out DIR] [--root DIR]',
      );
      return 0;
    } else if ((APPS as readonly string[]).includes(a)) named.push(a);
    else {
      err(`image-tree: unknown argument ${JSON.stringify(a)} (apps: ${APPS.join(', ')})`);
      return 2;
    }
  }
  const apps = named.length > 0 ? named : [...APPS];
  let code = 0;
  for (const app of apps) {
    try {
      const r = buildImageTree({ root, app, outDir });
      const kib = Math.round(sizeOf(r.dir, r.files) / 1024);
      const ext = r.externals.map((e) => `${e.name}@${e.version}`).join(', ') || 'none';
      log(
        `image-tree: ${app} → ${r.dir} (${r.files.length} files, ${kib} KiB; runtime packages: ${ext})`,
      );
      for (const w of r.warnings) err(`image-tree: ${app}: ${w}`);
    } catch (e) {
      if (e instanceof ImageTreeError && e.code === 'APP_MISSING' && named.length === 0) {
        err(`image-tree: skipping ${app}: ${e.message}`);
        continue;
      }
      err(`image-tree: ${app}: ${(e as Error).message}`);
      code = 1;
    }
  }
  return code;
}
