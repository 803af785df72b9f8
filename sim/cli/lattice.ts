/**
 * `nanoterasu lattice [--lattice FILE] [--format F] [--json]`: a lattice at a glance — element
 * counts by type, circumference, total bend angle, survey closure, RF, and the loader's warnings.
 * Without --lattice it describes the built-in ring (lattice/nanoterasu.ts, a reconstruction).
 *
 * JSON keys (tools read them; keep them stable): name, energyEV, circumferenceM,
 * totalBendAngleRad, surveyClosureM, counts {type → number}, warnings, plus the other fields of
 * LatticeSummary (lattice/summary.ts).
 */
import type { Command } from 'commander';
import { loadLattice } from '../../lattice/formats/index.ts';
import { nanoterasuRing } from '../../lattice/nanoterasu.ts';
import { formatLatticeSummary, summarizeLattice } from '../../lattice/summary.ts';
import { UserError } from './main.ts';

interface Options {
  lattice?: string;
  format?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('lattice')
    .description('summarise a lattice: element counts, circumference, bend angle, survey closure, RF, warnings')
    .option('--lattice <file>', 'lattice file (default: the built-in NanoTerasu ring)')
    .option('--format <name>', 'file format when the extension does not say (e.g. madx, elegant, json)')
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', '\nExamples:\n  npx nanoterasu lattice\n  npx nanoterasu lattice --lattice ring.madx --json\n')
    .action((opts: Options) => {
      if (opts.format && !opts.lattice) throw new UserError('--format needs --lattice FILE');
      const { lattice, warnings } = opts.lattice
        ? loadLattice(opts.lattice, opts.format ? { format: opts.format } : {})
        : { lattice: nanoterasuRing(), warnings: [] as string[] };
      const summary = summarizeLattice(lattice, warnings);
      if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else process.stdout.write(formatLatticeSummary(summary) + '\n');
    });
}
