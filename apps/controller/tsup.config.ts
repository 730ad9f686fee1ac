import { defineConfig } from 'tsup';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a build-time esbuild plugin both apps' bundles share, not code they ship
import { cjsHttp } from '../../tools/scripts/esbuild-cjs-http.ts';

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
    // Chunks: esbuild puts client-node's KubeConfig (reached only through loadKubeAuth's dynamic
    // import, for kubeconfigs the lean loader leaves to it) in a chunk together with its shared
    // helpers, which controller.js imports — so client-node's module code runs at every start,
    // though KubeConfig is used only for those kubeconfigs. A single file, where esbuild wraps it
    // to run on first use, measured no smaller and ~10 ms slower to start (issue 16).
    splitting: true,
    noExternal: [/^(?!@ironlb\/clock|pino|prom-client)/],
    external: ['@ironlb/clock', 'pino', 'prom-client'],
    banner,
    // node:http through require (the plugin's file says why).
    esbuildPlugins: [cjsHttp],
    // Keep `node:` specifiers, so that the plugin sees `node:http` too (tsup would strip the prefix and
    // mark the import external before any plugin of ours runs).
    removeNodeProtocol: false,
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
