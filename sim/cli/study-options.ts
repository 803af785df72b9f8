/**
 * What the tracking-study commands (`da`, `ma`, `errors`, `fma`) share: their common options
 * (radiation, slices, workers, lattice, output, shards), the DA search options of `da` and
 * `errors`, the lattice and worker count those give, and running the study on a worker pool with
 * lattice errors turned into one clear UserError.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { Lattice } from '../../lattice/lattice.ts';
import { SHARD_HELP } from '../cluster/shard.ts';
import { TrackingPool } from '../parallel/pool.ts';
import { poolTracker, type Tracker } from '../studies/tracker.ts';
import { StudyError } from '../studies/tune.ts';
import { OrbitError } from '../tracking/orbit.ts';
import { UserError } from './main.ts';
import { intOption, latticeOption, numberOption } from './track.ts';

export interface StudyOptions {
  radiation?: boolean; slices?: string; workers?: string; lattice?: string; format?: string; json?: boolean;
  shard?: string; out?: string;
}

/** The lattice, slice, worker and output options (`jsonHelp`: the --json help text). */
export function addLatticeOptions(cmd: Command, jsonHelp = 'print JSON instead of a table'): Command {
  return cmd
    .option('--slices <k>', 'integrator slices for every thick element')
    .option('--workers <n>', 'worker threads (default: number of CPUs)')
    .option('--lattice <file>', 'lattice file (default: the built-in NanoTerasu ring)')
    .option('--format <name>', 'lattice file format')
    .option('--json', jsonHelp);
}

/** Adds the shared options after a command's own ones (`radiationHelp`: the --radiation help text). */
export function addStudyOptions(cmd: Command, radiationHelp: string): Command {
  return addLatticeOptions(cmd.option('--radiation', radiationHelp))
    .option('--shard <i/N>', SHARD_HELP.shard)
    .option('--out <dir>', SHARD_HELP.out);
}

/** `--mode`: 4d or 6d. */
export function parseMode(mode: string): '4d' | '6d' {
  if (mode !== '4d' && mode !== '6d') throw new UserError(`--mode must be 4d or 6d (got '${mode}')`);
  return mode;
}

/** A comma-separated list of numbers (`--deltas 0,0.02,-0.02`). */
export function parseList(v: string, name: string): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || !xs.every(Number.isFinite)) throw new UserError(`--${name} must be a comma-separated list of numbers (got '${v}')`);
  return xs;
}

/** The DA search options of `da` and `errors` (their defaults differ: `turns` and `rays`). */
export interface DAOptions { turns: string; deltas: string; rays: string; rMax: string; precision: string; mode: string }

/** Declares the DA search options; `what` qualifies the help texts (e.g. ' (DA)'). */
export function addDAOptions(cmd: Command, defaults: { turns: string; rays: string }, what = ''): Command {
  return cmd
    .option('--turns <n>', `turns a particle must survive${what}`, defaults.turns)
    .option('--deltas <list>', `momentum offsets${what ? ' of the DA' : ''}, comma-separated`, '0')
    .option('--rays <n>', `${what ? 'DA ' : ''}rays from θ = 0 to 180°`, defaults.rays)
    .option('--r-max <m>', `outer bound of the ${what ? 'DA ' : ''}search [m]`, '0.02')
    .option('--precision <m>', `${what ? 'DA ' : ''}bisection precision [m]`, '1e-5')
    .option('--mode <m>', `4d (δ fixed, default) or 6d (RF on)${what ? ' for the DA' : ''}`, '4d');
}

/** The parsed DA search options with the slices (validated, SI units). */
export function parseDAOptions(opts: DAOptions & { slices?: string }) {
  return {
    turns: intOption(opts.turns, 'turns', 1)!,
    rays: intOption(opts.rays, 'rays', 2)!,
    rMaxM: numberOption(opts.rMax, 'r-max', 1e-9)!,
    precisionM: numberOption(opts.precision, 'precision', 1e-12)!,
    slices: intOption(opts.slices, 'slices', 1),
    mode: parseMode(opts.mode),
    deltas: parseList(opts.deltas, 'deltas'),
  };
}

/** The lattice of --lattice/--format (or the built-in ring), then the worker count (default: number of CPUs). */
export function studyLatticeAndWorkers(opts: StudyOptions): { lattice: Lattice; workers: number } {
  const { lattice } = latticeOption(opts);
  const workers = intOption(opts.workers, 'workers', 1) ?? availableParallelism();
  return { lattice, workers };
}

/**
 * Runs a study on a pool of `workers` threads, closed afterwards whatever happens. A closed-orbit
 * or study failure becomes a UserError naming the lattice.
 */
export async function runOnPool<T>(lattice: Lattice, workers: number, study: (tracker: Tracker) => Promise<T>): Promise<T> {
  const pool = new TrackingPool(workers);
  try {
    return await study(poolTracker(pool));
  } catch (err) {
    if (err instanceof OrbitError || err instanceof StudyError) throw new UserError(`lattice '${lattice.name}': ${err.message}`);
    throw err;
  } finally {
    await pool.close();
  }
}
