import { defineConfig } from 'tsup';

// dist/controller.js: one self-contained file; every dependency is bundled and tree-shaken, so
// the process loads only the code it runs (importing @kubernetes/client-node's package root loads
// every generated API model, ~85 MiB of RSS on Node 24). Kept external: the logging and metrics
// adapters, since @ironlb/clock/pino finds the `caller` of a log line by skipping its own file's
// stack frames, which inside one bundle would be every frame.
// dist/main.js: the launcher (tuning.ts), which loads dist/controller.js.
const banner = {
  js: "import { createRequire as __ironlbCreateRequire } from 'node:module'; const require = __ironlbCreateRequire(import.meta.url);",
};

export default defineConfig([
  {
    entry: { controller: 'src/controller.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node24',
    dts: false,
    clean: true,
    sourcemap: true,
    // No chunks. client-node's KubeConfig is reached only through loadKubeAuth's dynamic import
    // (kubeconfigs the lean loader leaves to it: exec plugins, auth providers, proxies), and in a
    // single file esbuild wraps it and everything it imports as modules evaluated on first use, so
    // a Pod's service account and ordinary kubeconfigs never run it. With splitting on, it went to
    // a chunk that controller.js also imported (for esbuild's shared helpers and K8sGlueError), so
    // it was evaluated at every start (found by issue 16's start-up profile; ~5 MiB at start).
    splitting: false,
    noExternal: [/^(?!@ironlb\/clock|pino|prom-client)/],
    external: ['@ironlb/clock', 'pino', 'prom-client'],
    banner,
    esbuildOptions(options) {
      options.alias = { ...(options.alias ?? {}), undici: './src/undici-stub.ts' };
    },
  },
  {
    entry: { main: 'src/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node24',
    dts: false,
    clean: false,
    sourcemap: true,
    splitting: false,
    external: ['./controller.js'],
  },
]);
