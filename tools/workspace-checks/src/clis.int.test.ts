// Issue 13: on a fresh clone, after `npm test` (or `npm run demo`), every CLI the README names runs
// with `npx` from the repository root. npm links a workspace's bin only if its file exists when it
// installs, and the bootstrap installs before it builds, so each bin is a small committed file
// that imports the built CLI (packages/*/bin/*.js).
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspacePackages } from './manifests.js';

const root = resolve(import.meta.dirname, '../../..');
const bins = workspacePackages(root).flatMap((pkg) =>
  Object.entries((pkg.manifest.bin ?? {}) as Record<string, string>).map(([name, file]) => ({
    name,
    file: join(pkg.dir, file),
    group: pkg.group,
  })),
);

describe('every CLI runs with npx from the repository root', () => {
  it('there are CLIs to check', () => {
    expect(bins.map((b) => b.name)).toEqual(
      expect.arrayContaining(['ironlb-bgp', 'ironlb-memberlist']),
    );
  });

  for (const bin of bins) {
    it(`${bin.name}: the bin file is committed source, linked in node_modules/.bin, and --help exits 0`, () => {
      expect(bin.file).not.toMatch(/[/\\]dist[/\\]/);
      expect(existsSync(bin.file)).toBe(true);
      const tracked = spawnSync('git', ['ls-files', '--error-unmatch', bin.file], { cwd: root });
      expect(tracked.status).toBe(0);
      const link = join(root, 'node_modules', '.bin', bin.name);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(realpathSync(link)).toBe(realpathSync(bin.file));
      const r = spawnSync('npx', ['--no-install', bin.name, '--help'], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect({ status: r.status, stderr: r.stderr.slice(0, 300) }).toEqual({
        status: 0,
        stderr: expect.any(String),
      });
      expect(r.stdout + r.stderr).toMatch(/usage|Usage|--/);
    });
  }
});
