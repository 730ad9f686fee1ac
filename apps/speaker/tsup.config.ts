import { defineConfig } from 'tsup';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a build-time esbuild plugin both apps' bundles share, not code they ship
import { cjsHttp } from '../../tools/scripts/esbuild-cjs-http.ts';

// dist/speaker.js: one self-contained file; every dependency is bundled and tree-shaken, so the
// process loads only the code it runs (issue 17's memory target: importing @kubernetes/client-node's
// package root alone costs ~85 MiB of RSS on Node 24; undici, which client-node's KubeConfig
// imports for an HTTP stack IronLB does not use, is stubbed out). Kept external: the logging and
// metrics adapters (@ironlb/clock/pino finds the `caller` of a log line by skipping its own file's
// stack frames, which inside one bundle would be every frame) and koffi, the native FFI module
// behind the AF_PACKET sockets of ARP/NDP and the socket options of BGP (TCP-MD5, TTL) and BFD,
// which cannot be bundled. The image holds exactly these in node_modules beside main.js
// (deploy/README.md, the image contract).
// dist/membership-worker.js: memberlist's thread (src/membership-worker.ts says why).
// dist/main.js: the launcher (tuning.ts), which loads dist/speaker.js.
const banner = {
  js: "import { createRequire as __ironlbCreateRequire } from 'node:module'; const require = __ironlbCreateRequire(import.meta.url);",
};
const bundle = {
  format: ['esm' as const],
  platform: 'node' as const,
  target: 'node24',
  dts: false,
  sourcemap: true,
  noExternal: [/^(?!@ironlb\/clock|pino|prom-client|koffi$)/],
  external: ['@ironlb/clock', 'pino', 'prom-client', 'koffi'],
  banner,
  // node:http through require (the plugin's file says why).
  esbuildPlugins: [cjsHttp],
  // Keep `node:` specifiers, so that the plugin sees `node:http` too (tsup would strip the prefix and
  // mark the import external before any plugin of ours runs).
  removeNodeProtocol: false,
};

export default defineConfig([
  {
    ...bundle,
    entry: { speaker: 'src/speaker.ts' },
    clean: true,
    // Chunks, as the controller's (its tsup.config.ts says what they cost and save).
    splitting: true,
    esbuildOptions(options) {
      options.alias = { ...(options.alias ?? {}), undici: './src/undici-stub.ts' };
    },
  },
  {
    // Its own file, sharing no chunk with the speaker: a worker loads what it imports into a
    // second isolate, and should load only memberlist.
    ...bundle,
    entry: { 'membership-worker': 'src/membership-worker.ts' },
    clean: false,
    splitting: false,
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
    external: ['./speaker.js'],
  },
]);
