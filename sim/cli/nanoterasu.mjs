#!/usr/bin/env node
// Entry point of the `nanoterasu` command (package.json "bin"). Node 20 cannot load TypeScript by
// itself, so the TypeScript sources are loaded through tsx's ESM loader (a runtime dependency, so
// that `npx nanoterasu` works right after `npm ci` with no build step).
import { register } from 'tsx/esm/api';
register();
const { main } = await import('./main.ts');
const code = await main(process.argv);
if (typeof code === 'number') process.exitCode = code;
