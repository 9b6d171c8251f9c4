// One flat config for the whole workspace. The Nx module-boundary rule is what keeps the
// architecture honest: the tags in each project.json decide who may import whom.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const NOT_IN_CORE = ['@nestjs/*', 'kafkajs', 'ioredis', 'typeorm'];

/** Who may import whom. Tests may additionally import the testing library. */
const depConstraints = [
  // Wire formats are the bottom layer: they know nothing of Nest or of adapters.
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], bannedExternalImports: NOT_IN_CORE },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: [], bannedExternalImports: ['@nestjs/*'] },
  // The broker core is plain TypeScript: no Nest, no Kafka, no Redis, no database.
  { sourceTag: 'type:broker', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'], bannedExternalImports: NOT_IN_CORE },
  // Adapters are plain TypeScript behind ports; Nest wiring lives in the runtime.
  { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'], bannedExternalImports: ['@nestjs/*'] },
  { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:adapter', 'type:contracts', 'type:util'] },
  // A service's domain never imports another service's: they talk over the bus.
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:runtime', 'type:adapter', 'type:broker', 'type:contracts', 'type:util'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:domain', 'type:runtime', 'type:adapter', 'type:contracts', 'type:util'] },
  // End-to-end suites start the built services as processes; they import only helpers.
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:contracts', 'type:util'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:runtime', 'type:adapter', 'type:broker', 'type:contracts', 'type:util'] },
];

const boundaries = (constraints) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints: constraints },
];

const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts'];

export default tseslint.config(
  { ignores: ['**/node_modules', '**/dist', '**/tmp', '**/.nx', '**/coverage', '**/.data'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': boundaries(depConstraints),
    },
  },
  {
    files: TEST_FILES,
    rules: {
      '@nx/enforce-module-boundaries': boundaries(
        depConstraints.map((c) => ({ ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] })),
      ),
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        setTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        clearTimeout: 'readonly',
        queueMicrotask: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
