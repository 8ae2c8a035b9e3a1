import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import noImportCycle from './lint/no-import-cycle.js';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.serverless/',
      '.esbuild/',
      'out/',
      'coverage/',
      'events/',
      'bench/results.json',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // zod only through shared/zod.ts (zod/mini with the English messages): `import { z } from 'zod'`
    // puts all of zod classic (444 KB) in every function that imports the file.
    files: ['**/*.ts'],
    ignores: ['shared/zod.ts', 'bench/scratch/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^zod(/.*)?$',
              message: "import * as z from '<relative>/shared/zod' (zod/mini; docs/config-modules.md).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // No import cycles anywhere, type-only imports included (lint/no-import-cycle.js).
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    plugins: { klaxon: { rules: { 'no-import-cycle': noImportCycle } } },
    rules: { 'klaxon/no-import-cycle': 'error' },
  },
);
