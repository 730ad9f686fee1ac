import { defineConfig } from 'tsup';

// One self-contained file: every dependency is bundled and tree-shaken, so the process loads only
// the code it runs (issue 17's memory target: importing @kubernetes/client-node's package root
// alone costs ~85 MiB of RSS on Node 24). Kept external: the logging and metrics adapters
// (@ironlb/clock/pino finds the `caller` of a log line by skipping its own file's stack frames,
// which inside one bundle would be every frame) and koffi, the native FFI module behind the
// AF_PACKET sockets of ARP/NDP and the socket options of BGP (TCP-MD5, TTL) and BFD (its socket
// filter), which cannot be bundled. The image holds exactly these in node_modules beside main.js
// (deploy/README.md, the image contract).
export default defineConfig({
  // memberlist runs in a worker thread (src/membership-worker.ts says why): a second entry.
  entry: { main: 'src/main.ts', 'membership-worker': 'src/membership-worker.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node24',
  dts: false,
  clean: true,
  sourcemap: true,
  splitting: false,
  noExternal: [/^(?!@ironlb\/clock|pino|prom-client|koffi$)/],
  external: ['@ironlb/clock', 'pino', 'prom-client', 'koffi'],
  // Some bundled CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __ironlbCreateRequire } from 'node:module'; const require = __ironlbCreateRequire(import.meta.url);",
  },
});
