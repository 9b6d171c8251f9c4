// `npm run migrate`: runs every service's pending migrations against DATABASE_URL
// (default: the local PostgreSQL of deploy/local/infra.sh).
import { build, entryOf, run } from './lib.mjs';

const apps = ['device-registry', 'command-service', 'rule-service'];
build(apps);
for (const app of apps) run(process.execPath, [entryOf(app), 'migrate']);
