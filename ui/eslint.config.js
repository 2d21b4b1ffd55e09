// Lint rules for the UI's TypeScript and Svelte code (run by `npm run lint` in ./dev test).
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser },
    },
  },
  {
    files: ['scripts/**', '*.config.js', '*.config.ts'],
    languageOptions: {
      globals: { ...globals.node },
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: ts.parser,
        svelteConfig,
      },
    },
  },
  {
    rules: {
      // Unused values are type errors already (noUnusedLocals); `_` marks a deliberate one.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Every list is keyed, so Svelte can keep rows and their state apart.
      'svelte/require-each-key': 'error',
      // No HTML from strings: nothing the deployment sends is ever rendered as markup.
      'svelte/no-at-html-tags': 'error',
    },
  },
  {
    ignores: ['dist/', 'node_modules/', 'src/lib/bindings/'],
  },
);
