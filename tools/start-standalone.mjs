// `npm start`: the whole platform in one process with embedded adapters — nothing to install.
import { build, entryOf, supervise } from './lib.mjs';

build(['standalone']);
supervise([{ name: 'standalone', command: process.execPath, args: [entryOf('standalone')], env: {} }]);
