// An esbuild plugin for the apps' bundles: `node:http` is loaded through require(), not as an ES
// module. Node builds an ES module's namespace from every export of a builtin, and reading
// node:http's lazy exports (WebSocket, CloseEvent, MessageEvent, from Node 22.5) loads Node's
// internal undici: ~28 ms and ~12 MiB of RSS at start (Node 24, measured with `await
// import('node:http')` against `require('node:http')`), for an HTTP stack IronLB never uses.
// The bundles define `require` in their banner (createRequire), which esbuild's __require uses.
import type { Plugin } from 'esbuild';

export const cjsHttp: Plugin = {
  name: 'ironlb-cjs-http',
  setup(build) {
    build.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      // The shim's own require stays a require of the builtin.
      args.namespace === 'ironlb-cjs-builtin'
        ? { path: 'node:http', external: true }
        : { path: 'node:http', namespace: 'ironlb-cjs-builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'ironlb-cjs-builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};
