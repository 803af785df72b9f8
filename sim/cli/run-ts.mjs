#!/usr/bin/env node
// Runs a TypeScript file through tsx's loader: `node sim/cli/run-ts.mjs FILE.ts [args]`.
// Used by `npm run bench` and by worker threads (Node 20 cannot load a .ts worker by itself).
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
register();
const file = process.argv[2];
if (!file) { console.error('usage: run-ts.mjs FILE.ts [args]'); process.exit(2); }
process.argv.splice(1, 1); // so the script sees its own args at argv[2..]
await import(pathToFileURL(resolve(file)).href);
