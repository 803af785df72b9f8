/**
 * `nanoterasu run FILE.yaml [--out FILE]`: runs a scenario (sim/scenario/run.ts), prints the
 * report and writes the results bundle (default results/<scenario name>.json).
 */
import type { Command } from 'commander';
import { formatReport, loadScenario, runScenario, SECTIONS, writeBundle } from '../scenario/run.ts';

interface Options {
  out?: string;
}

export function register(program: Command): void {
  const sections = SECTIONS.map((s) => `  ${s.name.padEnd(12)} ${s.summary}`).join('\n');
  program
    .command('run')
    .description('run a scenario: print the report and write the results bundle (JSON)')
    .argument('<file>', 'scenario YAML file (e.g. scenarios/baseline.yaml)')
    .option('--out <file>', 'results bundle path (default: results/<scenario name>.json)')
    .addHelpText(
      'after',
      `\nScenario sections: lattice (always)${sections ? `\n${sections}` : ''}\n\nExample:\n  npx nanoterasu run scenarios/baseline.yaml --out results/baseline.json\n`,
    )
    .action(async (file: string, opts: Options) => {
      const scenario = loadScenario(file);
      const results = await runScenario(scenario);
      process.stdout.write(formatReport(results));
      const path = writeBundle(results, opts.out);
      process.stdout.write(`\nresults bundle: ${path}\n`);
    });
}
