/**
 * `npm run view` first runs this: every scenario listed below goes through the same scenario runner
 * as `npx nanoterasu run`, and its results bundle is written to viz/public/bundles/ (git-ignored),
 * with an index the page reads. The view therefore shows exactly the numbers the CLI computes.
 * Usage: node sim/cli/run-ts.mjs viz/prepare.ts [scenario.yaml ...] (default: baseline + scenarios/variants/)
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario, resultsBundle, runScenario } from '../sim/scenario/run.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Default: the baseline and every variant in scenarios/variants/.
const variants = readdirSync(join(root, 'scenarios', 'variants')).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => `scenarios/variants/${f}`);
const files = process.argv.slice(2).length ? process.argv.slice(2) : ['scenarios/baseline.yaml', ...variants];
const outDir = join(root, 'viz', 'public', 'bundles');
mkdirSync(outDir, { recursive: true });
const index: { scenarios: { name: string; file: string; description?: string }[] } = { scenarios: [] };
for (const f of files) {
  const sc = loadScenario(resolve(root, f));
  const results = await runScenario(sc);
  const out = `${basename(f).replace(/\.ya?ml$/, '')}.json`;
  writeFileSync(join(outDir, out), JSON.stringify(resultsBundle(results)));
  index.scenarios.push({ name: sc.name, file: out, description: sc.config.description });
  console.log(`bundle: viz/public/bundles/${out}`);
}
writeFileSync(join(outDir, 'index.json'), JSON.stringify(index, null, 2));
