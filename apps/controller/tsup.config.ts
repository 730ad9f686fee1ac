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
    // Chunks: client-node's KubeConfig (for kubeconfigs k8s-glue's lean loader leaves to it: exec
    // plugins, auth providers, proxies) is a file of its own, loaded only then — a Pod's service
    // account and ordinary kubeconfigs never evaluate it (~30 ms of start-up, ~10 MiB of heap).
    splitting: true,
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
