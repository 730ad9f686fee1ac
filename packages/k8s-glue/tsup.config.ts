import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      'pure/index': 'src/pure/index.ts',
      'kube/index': 'src/kube/index.ts',
      'testing/index': 'src/testing/index.ts',
    },
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node24',
  },
  {
    // The converter CLI: `npx ironlb-convert-configmap < configmap.yaml > resources.yaml`.
    entry: { 'ironlb-convert-configmap': 'src/convert/cli.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    sourcemap: true,
    target: 'node24',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
