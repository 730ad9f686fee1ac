import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WorkspacePackage {
  dir: string;
  group: 'packages' | 'apps' | 'tools';
  manifest: Record<string, unknown>;
}

export function workspacePackages(root: string): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps', 'tools'] as const) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const file = join(base, name, 'package.json');
      if (!existsSync(file)) continue;
      out.push({
        dir: join(base, name),
        group,
        manifest: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>,
      });
    }
  }
  return out;
}

/**
 * What a publishable library must have (issue 2): an exports map, engines, files, sideEffects
 * false, the Apache-2.0 licence, Nx tags, build/typecheck/pack-check targets and a README.
 */
export function libraryManifestProblems(pkg: WorkspacePackage): string[] {
  const m = pkg.manifest;
  const problems: string[] = [];
  const folder = pkg.dir.split('/').pop();
  if (m.name !== `@ironlb/${folder}`) problems.push(`name must be @ironlb/${folder}`);
  if (m.private === true) problems.push('a library must not be private');
  if (m.license !== 'Apache-2.0') problems.push('license must be Apache-2.0');
  if (m.type !== 'module') problems.push('type must be module');
  if (m.sideEffects !== false) problems.push('sideEffects must be false');
  const engines = m.engines as Record<string, string> | undefined;
  if (!engines?.node?.includes('24')) problems.push('engines.node must require Node 24');
  const files = m.files as string[] | undefined;
  if (!files?.includes('dist')) problems.push('files must include dist');
  const exp = m.exports as Record<string, unknown> | undefined;
  // `default`, not `import`: Node 24 can require() an ES module, but only when an exports
  // condition other than `import` matches (issue 12: CommonJS consumers).
  for (const [sub, target] of Object.entries(exp ?? {})) {
    if (sub === './package.json') continue;
    const t = target as Record<string, string>;
    if (!t.types || !t.default) problems.push(`exports["${sub}"] must have types and default`);
    if (t.import)
      problems.push(`exports["${sub}"] uses "import": use "default" so require() works`);
  }
  if (!exp?.['.']) problems.push('exports must have "."');
  // What npm shows next to the README.
  const repo = m.repository as Record<string, string> | undefined;
  if (repo?.directory !== pkg.dir.split('/').slice(-2).join('/'))
    problems.push('repository.directory must name the package folder');
  if (typeof m.homepage !== 'string') problems.push('homepage missing');
  if (existsSync(join(pkg.dir, 'src', 'testing', 'index.ts')) && !exp?.['./testing']) {
    problems.push('src/testing exists, so exports must have "./testing"');
  }
  const scripts = (m.scripts ?? {}) as Record<string, string>;
  for (const s of ['build', 'typecheck', 'pack-check'])
    if (!scripts[s]) problems.push(`missing script ${s}`);
  const tags = ((m.nx as Record<string, unknown> | undefined)?.tags ?? []) as string[];
  if (!tags.includes('type:lib')) problems.push('nx tags must include type:lib');
  if (!tags.includes('scope:proto') && !tags.includes('scope:k8s'))
    problems.push('nx tags must include scope:proto or scope:k8s');
  if (!existsSync(join(pkg.dir, 'README.md'))) problems.push('README.md missing');
  else problems.push(...readmeLinkProblems(pkg));
  problems.push(...exampleImportProblems(pkg));
  return problems;
}

/** Shipped examples run in a user's project: they import the package by name, never ../src. */
export function exampleImportProblems(pkg: WorkspacePackage): string[] {
  const dir = join(pkg.dir, 'examples');
  if (!existsSync(dir)) return [];
  const problems: string[] = [];
  for (const f of readdirSync(dir).filter((n) => /\.[cm]?[jt]s$/.test(n))) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const m of text.matchAll(/from\s+['"](\.\.\/[^'"]*)['"]/g))
      problems.push(`examples/${f} imports ${m[1]}: import the package by its name`);
  }
  return problems;
}

/**
 * npm shows the README without the repository around it: a relative link works only when it
 * points to a file the package ships (`files`). Links into src/, test/, ../ or the root's
 * documents must be absolute (the repository's URL).
 */
export function readmeLinkProblems(pkg: WorkspacePackage): string[] {
  const text = readFileSync(join(pkg.dir, 'README.md'), 'utf8');
  const shipped = ((pkg.manifest.files ?? []) as string[]).map((f) => f.replace(/\/$/, ''));
  const problems: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = (m[1] as string).split('#')[0] as string;
    if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // anchor, http:, mailto:
    const path = target.replace(/^\.\//, '');
    const ok =
      !path.startsWith('../') &&
      shipped.some((f) => path === f || path.startsWith(`${f}/`)) &&
      existsSync(join(pkg.dir, path));
    if (!ok) problems.push(`README links to ${target}, which the npm package does not ship`);
  }
  return problems;
}
