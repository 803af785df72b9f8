/**
 * `npm run bench`: runs every suite in bench/*.bench.ts. Each file exports
 * `suite(): Promise<import('tinybench').Bench>` (a finished, already-run tinybench Bench) or
 * `run(): Promise<void>` for side-by-side comparisons that print their own table.
 * `npm run bench -- optics tracking` runs only the named suites.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

for (const f of files) {
  const mod = await import(pathToFileURL(join(here, f)).href);
  console.log(`\n## ${f}`);
  if (typeof mod.suite === 'function') {
    const bench = await mod.suite();
    console.table(bench.table());
  } else if (typeof mod.run === 'function') {
    await mod.run();
  } else {
    console.log('(exports neither suite() nor run())');
  }
}
