// One flat config for the whole workspace. The Nx module-boundary rule is what keeps the
// architecture honest: the tags in each project.json decide who may import whom.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['**/node_modules', '**/dist', '**/tmp', '**/.nx', '**/coverage'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Wire formats are the bottom layer: they know nothing of Nest or of adapters.
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], bannedExternalImports: ['@nestjs/*', 'kafkajs', 'ioredis', 'typeorm'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: [], bannedExternalImports: ['@nestjs/*'] },
            // The broker core is plain TypeScript: no Nest, no Kafka, no Redis.
            { sourceTag: 'type:broker', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'], bannedExternalImports: ['@nestjs/*', 'kafkajs', 'ioredis', 'typeorm'] },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:adapter', 'type:contracts', 'type:util'] },
            // A service's domain never imports another service's: they talk over the bus.
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:runtime', 'type:adapter', 'type:broker', 'type:contracts', 'type:util'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:runtime', 'type:adapter', 'type:contracts', 'type:util'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:runtime', 'type:adapter', 'type:broker', 'type:contracts', 'type:util', 'type:testing'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', URL: 'readonly', fetch: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
