// Lint for bugs, not style: typescript-eslint's type-checked recommended rules (floating and
// misused promises, unsafe any, unused code, needless assertions...) over every TypeScript file
// of the project: sources, tests and benchmarks. Formatting is left alone.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.tests.json', tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `const { repetition: _r, ...rest } = x` is how a key is left out; `_` marks it deliberate.
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_',
        destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true,
      }],
      // An async function without await still turns a throw into a rejection, which is what
      // callers of a Promise-returning contract expect: not a bug.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/test/**/*.ts'],
    rules: {
      // vitest's asymmetric matchers (expect.any, expect.stringContaining...) are typed `any`
      // by vitest itself, so every object pattern that uses one would be flagged.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
