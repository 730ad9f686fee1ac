// Lint rules for the whole workspace. The dependency rules of DESIGN.md §1 live here:
// apps may import libraries, libraries never import apps, only k8s-glue and the apps may import
// @kubernetes/client-node, and protocol libraries never import k8s-glue.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.tools/**',
      '.nx/**',
      'bench-results/**',
      '**/fixtures/**',
      'deploy/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { '@nx': nx },
    files: ['**/*.ts', '**/*.mts', '**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:lib'],
            },
            {
              sourceTag: 'type:lib',
              onlyDependOnLibsWithTags: ['type:lib'],
            },
            {
              // Protocol and pure libraries know nothing of Kubernetes. (notDependOnLibsWithTags is
              // checked transitively, so it lists only what no path may reach; the direct ban on
              // tools comes from type:lib above, since a library's tests may use tools.)
              sourceTag: 'scope:proto',
              notDependOnLibsWithTags: ['scope:k8s', 'type:app'],
              bannedExternalImports: ['@kubernetes/client-node'],
            },
            {
              sourceTag: 'scope:k8s',
              notDependOnLibsWithTags: ['type:app'],
            },
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: ['type:lib', 'type:tool'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'Public APIs use named re-exports only (DESIGN.md §3).',
        },
        {
          selector: 'ExportDefaultDeclaration',
          message: 'No default exports (DESIGN.md §3).',
        },
      ],
    },
  },
  {
    // Tests and benchmarks of a library may use the workspace's test tools (the network-namespace
    // kit, the test API server, bench helpers); the library's shipped code may not.
    files: ['**/*.test.ts', '**/bench/**/*.ts', '**/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
            {
              sourceTag: 'scope:proto',
              notDependOnLibsWithTags: ['scope:k8s', 'type:app'],
              bannedExternalImports: ['@kubernetes/client-node'],
            },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
          ],
        },
      ],
    },
  },
  {
    // A package's examples import the package by its name, as a user would (npm-page rule,
    // issue 12): that import is the project itself, which the boundary rule otherwise flags.
    files: ['packages/*/examples/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allowCircularSelfDependency: true,
          depConstraints: [
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            {
              sourceTag: 'scope:proto',
              notDependOnLibsWithTags: ['scope:k8s', 'type:app'],
              bannedExternalImports: ['@kubernetes/client-node'],
            },
            { sourceTag: 'scope:k8s', notDependOnLibsWithTags: ['type:app'] },
          ],
        },
      ],
    },
  },
  {
    // Sans-I/O (DESIGN.md §3): codecs and state machines are pure. Time, timers and randomness
    // come in through the injected Clock and random source; sockets and files live in io/.
    files: ['packages/*/src/codec/**/*.ts', 'packages/*/src/machine/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'node:net',
              allowImportNames: ['isIP', 'isIPv4', 'isIPv6'],
              message: 'codec/ and machine/ are sans-I/O: sockets belong in io/.',
            },
            ...[
              'node:dgram',
              'node:timers',
              'node:timers/promises',
              'node:fs',
              'node:fs/promises',
              'node:child_process',
              'node:http',
              'node:https',
              'node:http2',
              'node:tls',
              'node:dns',
              'node:worker_threads',
              'cap',
            ].map((name) => ({
              name,
              message: 'codec/ and machine/ are sans-I/O: I/O belongs in io/.',
            })),
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'setImmediate',
          'performance',
          'queueMicrotask',
          'fetch',
        ].map((name) => ({
          name,
          message: 'codec/ and machine/ are sans-I/O: use the injected Clock (@ironlb/clock).',
        })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the injected clock (@ironlb/clock).' },
        { object: 'Math', property: 'random', message: 'Use the injected random source.' },
      ],
    },
  },
  {
    // Config files of tools (vitest, tsup, eslint) must default-export.
    files: ['**/*.config.ts', '**/*.config.mjs', '**/*.config.js', 'eslint.config.mjs'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  prettier,
);
