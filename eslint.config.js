// Type-aware lint: floating or misused promises are bugs in a server; `any` is banned in src/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Files under `files` may not import from the listed folders of src/ (nor from main). */
function layer(files, forbidden) {
  return [
    {
      files: [files],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: forbidden.map((folder) => `**/${folder}/*`),
                message: 'This import points outward across the layers (docs/architecture.md).',
              },
              { group: ['**/main.js'], message: 'Only the composition root imports main.' },
            ],
          },
        ],
      },
    },
  ];
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // The layers of DESIGN.md and docs/architecture.md: dependencies point inward
  // (crypto ← domain ← operations ← pipeline ← api, jobs ← bootstrap, main). An import that
  // points outward fails here, so the arrows cannot be broken silently.
  ...layer('src/crypto/**', [
    'domain',
    'operations',
    'pipeline',
    'api',
    'jobs',
    'keystore',
    'protection',
    'audit',
    'bootstrap',
    'cluster',
    'cli',
    'envelope',
    'client',
    'policy',
    'aws',
  ]),
  ...layer('src/domain/**', [
    'operations',
    'pipeline',
    'api',
    'jobs',
    'keystore',
    'protection',
    'audit',
    'bootstrap',
    'cluster',
    'cli',
    'envelope',
    'client',
    'policy',
    'aws',
  ]),
  ...layer('src/operations/**', ['pipeline', 'api', 'aws', 'jobs', 'keystore', 'protection', 'audit', 'bootstrap', 'cluster', 'cli']),
  // Policy documents and their evaluation are pure: no I/O, no wire, no store.
  ...layer('src/policy/**', [
    'operations',
    'pipeline',
    'api',
    'aws',
    'jobs',
    'keystore',
    'protection',
    'audit',
    'bootstrap',
    'cluster',
    'cli',
    'envelope',
    'client',
    'config',
  ]),
  ...layer('src/pipeline/**', ['api', 'aws', 'jobs', 'keystore', 'protection', 'audit', 'bootstrap', 'cluster', 'cli']),
  ...layer('src/api/**', ['keystore', 'protection', 'jobs', 'audit', 'bootstrap', 'cli']),
  // The AWS KMS front end sits beside the Alibaba one, on the same pipeline.
  ...layer('src/aws/**', ['keystore', 'protection', 'jobs', 'audit', 'bootstrap', 'cli']),
  ...layer('src/jobs/**', ['api', 'aws', 'keystore', 'protection', 'audit', 'bootstrap', 'cluster', 'cli']),
  // The metrics know audit events and their own small interfaces; the parts they watch are wired
  // to them in bootstrap.
  ...layer('src/metrics/**', [
    'operations',
    'pipeline',
    'api',
    'aws',
    'jobs',
    'keystore',
    'protection',
    'audit',
    'bootstrap',
    'cluster',
    'cli',
  ]),
  {
    files: ['test/**/*.ts'],
    rules: {
      // node:test's describe/it return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unsafe-return': 'off',
      // Tests poke at SDK objects whose published types are loose.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
  },
);
