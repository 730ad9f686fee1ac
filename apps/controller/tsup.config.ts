import { defineConfig } from 'tsup';

// One self-contained file: every dependency is bundled and tree-shaken, so the process loads only
// the code it runs. Importing @kubernetes/client-node's package root loads every generated API
// model (~85 MiB of RSS on Node 24); bundled, only KubeConfig and its authenticators remain.
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node24',
  dts: false,
  clean: true,
  sourcemap: true,
  splitting: false,
  // Everything but the logging and metrics adapters: @ironlb/clock/pino finds the `caller` of a log
  // line by skipping its own file's stack frames, which inside one bundle would be every frame.
  noExternal: [/^(?!@ironlb\/clock|pino|prom-client)/],
  external: ['@ironlb/clock', 'pino', 'prom-client'],
  // Some bundled CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __ironlbCreateRequire } from 'node:module'; const require = __ironlbCreateRequire(import.meta.url);",
  },
});
