import { resolve } from 'node:path';
import { register } from 'tsconfig-paths';

/**
 * Jest's globalSetup runs outside Jest's module system, where `moduleNameMapper` does not
 * apply; registering the workspace path aliases lets it load the services' migrations.
 */
export default async function globalSetup(): Promise<void> {
  const root = resolve(__dirname, '../..');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { compilerOptions } = require(resolve(root, 'tsconfig.base.json'));
  register({ baseUrl: root, paths: compilerOptions.paths });
  // Loaded only now, so that its aliased imports resolve.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { prepareInfra } = require('./prepare-infra') as typeof import('./prepare-infra');
  await prepareInfra();
}
