/**
 * `nanoterasu ma`: local momentum acceptance δ± at every Nth element (sim/studies/ma.ts), 6D with
 * RF, on worker threads — the input of the Touschek lifetime.
 *
 *   npx nanoterasu ma [--turns 500] [--every 10] [--delta-max 0.06] [--precision 1e-4]
 *     [--radiation] [--slices K] [--workers W] [--lattice FILE] [--json]
 *
 * JSON keys (stable): lattice, radiation, turns, workers, precision, deltaMax,
 * points [{index, element, sM, deltaPlus, deltaMinus}].
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { maShardInputs, maShardPayload } from '../cluster/ma.ts';
import { shardRange, shardRequest, SHARD_HELP, writeShard, type ItemRange } from '../cluster/shard.ts';
import { TrackingPool } from '../parallel/pool.ts';
import { momentumAcceptance, type MAResult } from '../studies/ma.ts';
import { poolTracker } from '../studies/tracker.ts';
import { StudyError } from '../studies/tune.ts';
import { OrbitError } from '../tracking/orbit.ts';
import { UserError } from './main.ts';
import { intOption, latticeOption, numberOption } from './track.ts';

interface Options {
  turns: string; every: string; deltaMax: string; precision: string; radiation?: boolean;
  slices?: string; workers?: string; lattice?: string; format?: string; json?: boolean;
  shard?: string; out?: string;
}

export function register(program: Command): void {
  program
    .command('ma')
    .description('local momentum acceptance at every Nth element (6D, RF on)')
    .option('--turns <n>', 'turns a particle must survive (≥ 1–2 synchrotron periods)', '500')
    .option('--every <n>', 'every Nth element of the ring', '10')
    .option('--delta-max <d>', 'search bound |δ|', '0.06')
    .option('--precision <d>', 'bisection precision in δ', '1e-4')
    .option('--radiation', 'classical radiation damping')
    .option('--slices <k>', 'integrator slices for every thick element')
    .option('--workers <n>', 'worker threads (default: number of CPUs)')
    .option('--lattice <file>', 'lattice file (default: the built-in NanoTerasu ring)')
    .option('--format <name>', 'lattice file format')
    .option('--json', 'print JSON instead of a table')
    .option('--shard <i/N>', SHARD_HELP.shard)
    .option('--out <dir>', SHARD_HELP.out)
    .action(async (opts: Options) => {
      const shard = shardRequest(opts);
      let range: ItemRange | undefined;
      const turns = intOption(opts.turns, 'turns', 1)!;
      const every = intOption(opts.every, 'every', 1)!;
      const deltaMax = numberOption(opts.deltaMax, 'delta-max', 1e-9)!;
      const precision = numberOption(opts.precision, 'precision', 1e-12)!;
      const slices = intOption(opts.slices, 'slices', 1);
      const { lattice } = latticeOption(opts);
      const workers = intOption(opts.workers, 'workers', 1) ?? availableParallelism();
      const pool = new TrackingPool(workers);
      let res;
      try {
        res = await momentumAcceptance(lattice, poolTracker(pool), {
          turns, every, deltaMax, precision, compile: { radiation: Boolean(opts.radiation), ...(slices ? { slices } : {}) },
          ...(shard ? { siteRange: (total: number) => (range = shardRange(total, shard.spec)) } : {}),
        });
      } catch (err) {
        if (err instanceof OrbitError || err instanceof StudyError) throw new UserError(`lattice '${lattice.name}': ${err.message}`);
        throw err;
      } finally {
        await pool.close();
      }
      if (shard && range) {
        const inputs = maShardInputs(lattice, { turns, every, deltaMax, precision, radiation: Boolean(opts.radiation), slices: slices ?? null });
        const file = writeShard('ma', shard, range, inputs, maShardPayload(res, workers));
        process.stdout.write(`shard ${shard.spec.index}/${shard.spec.count} (sites ${range.first}–${range.first + range.count - 1} of ${range.total}) written to ${file}\n`);
        return;
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify({ lattice: lattice.name, radiation: Boolean(opts.radiation), workers, ...res }) + '\n');
        return;
      }
      process.stdout.write(formatMA(lattice.name, res));
    });
}

/** The table of an MA result (also printed by `nanoterasu merge` for merged shards). */
export function formatMA(latticeName: string, res: MAResult): string {
  const lines = [`local momentum acceptance of ${latticeName}: ${res.turns} turns, 6D, precision ${res.precision}`, '      s [m]  element                    δ+        δ−'];
  for (const p of res.points) {
    lines.push(`${p.sM.toFixed(3).padStart(11)}  ${p.element.padEnd(24)} ${(p.deltaPlus * 100).toFixed(3).padStart(7)} % ${(p.deltaMinus * 100).toFixed(3).padStart(7)} %`);
  }
  return lines.join('\n') + '\n';
}
