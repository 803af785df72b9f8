/**
 * The `nanoterasu` command: one file per sub-command in this folder, each exporting
 * `register(program)`. Output is a readable table by default and JSON with --json.
 */
import { Command, CommanderError } from 'commander';
import { LatticeError } from '../../lattice/elements.ts';
import { ScenarioError } from '../scenario/yaml.ts';

/** Each sub-command module registers itself here (one import + one entry per command). */
const COMMANDS: Array<() => Promise<{ register(p: Command): void }>> = [
  () => import('./lattice.ts'),
  () => import('./run.ts'),
  () => import('./track.ts'),
  () => import('./da.ts'),
  () => import('./ma.ts'),
  () => import('./errors.ts'),
  () => import('./fma.ts'),
  () => import('./capacity.ts'),
  () => import('./lifetime.ts'),
  () => import('./topup.ts'),
  () => import('./optics.ts'),
  () => import('./beamline.ts'),
  () => import('./beamlines.ts'),
  () => import('./match.ts'),
  () => import('./source.ts'),
  () => import('./spectrum.ts'),
  () => import('./merge.ts'),
  () => import('./slurm.ts'),
  () => import('./tune-sextupoles.ts'),
];

/** Errors the user can act on: printed as one clear message, exit code 2, no stack trace. */
export class UserError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('nanoterasu')
    .description('NanoTerasu digital twin: lattice, optics, tracking, sources, beamlines, capacity')
    .showHelpAfterError()
    .exitOverride();
  for (const load of COMMANDS) (await load()).register(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof LatticeError || err instanceof ScenarioError || err instanceof UserError) {
      process.stderr.write(`nanoterasu: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
