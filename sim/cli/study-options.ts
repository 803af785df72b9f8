/**
 * What the tracking-study commands `da` and `ma` share: their common options (radiation, slices,
 * workers, lattice, output, shards), the lattice and worker count those give, and running the
 * study on a worker pool with lattice errors turned into one clear UserError.
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
import { intOption, latticeOption } from './track.ts';

export interface StudyOptions {
  radiation?: boolean; slices?: string; workers?: string; lattice?: string; format?: string; json?: boolean;
  shard?: string; out?: string;
}

/** Adds the shared options after a command's own ones (`radiationHelp`: the --radiation help text). */
export function addStudyOptions(cmd: Command, radiationHelp: string): Command {
  return cmd
    .option('--radiation', radiationHelp)
    .option('--slices <k>', 'integrator slices for every thick element')
    .option('--workers <n>', 'worker threads (default: number of CPUs)')
    .option('--lattice <file>', 'lattice file (default: the built-in NanoTerasu ring)')
    .option('--format <name>', 'lattice file format')
    .option('--json', 'print JSON instead of a table')
    .option('--shard <i/N>', SHARD_HELP.shard)
    .option('--out <dir>', SHARD_HELP.out);
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
