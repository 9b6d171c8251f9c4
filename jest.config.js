// One Jest configuration, three tiers (immich-style):
//   unit         *.spec.ts       — pure logic, mocks allowed, no infrastructure
//   integration  *.int-spec.ts   — real Kafka, Redis and PostgreSQL (brought up by `npm test`)
//   e2e          apps/platform-e2e — built services as processes, real MQTT and HTTP clients
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);

const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  transform,
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
      testPathIgnorePatterns: [...base.testPathIgnorePatterns, '/apps/platform-e2e/'],
      globalSetup: '<rootDir>/tools/jest/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/tools/jest/integration-timeout.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/platform-e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/tools/jest/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/tools/jest/e2e-timeout.ts'],
    },
  ],
};
