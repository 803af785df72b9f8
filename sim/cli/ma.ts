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
import type { Command } from 'commander';
import { maShardInputs, maShardPayload } from '../cluster/ma.ts';
import { shardRange, shardRequest, shardWrittenLine, writeShard, type ItemRange } from '../cluster/shard.ts';
import { momentumAcceptance, type MAResult } from '../studies/ma.ts';
import { addStudyOptions, runOnPool, studyLatticeAndWorkers, type StudyOptions } from './study-options.ts';
import { intOption, numberOption } from './track.ts';

interface Options extends StudyOptions {
  turns: string; every: string; deltaMax: string; precision: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('ma')
    .description('local momentum acceptance at every Nth element (6D, RF on)')
    .option('--turns <n>', 'turns a particle must survive (≥ 1–2 synchrotron periods)', '500')
    .option('--every <n>', 'every Nth element of the ring', '10')
    .option('--delta-max <d>', 'search bound |δ|', '0.06')
    .option('--precision <d>', 'bisection precision in δ', '1e-4');
  addStudyOptions(cmd, 'classical radiation damping')
    .action(async (opts: Options) => {
      const shard = shardRequest(opts);
      let range: ItemRange | undefined;
      const turns = intOption(opts.turns, 'turns', 1)!;
      const every = intOption(opts.every, 'every', 1)!;
      const deltaMax = numberOption(opts.deltaMax, 'delta-max', 1e-9)!;
      const precision = numberOption(opts.precision, 'precision', 1e-12)!;
      const slices = intOption(opts.slices, 'slices', 1);
      const { lattice, workers } = studyLatticeAndWorkers(opts);
      const res = await runOnPool(lattice, workers, (tracker) => momentumAcceptance(lattice, tracker, {
        turns, every, deltaMax, precision, compile: { radiation: Boolean(opts.radiation), ...(slices ? { slices } : {}) },
        ...(shard ? { siteRange: (total: number) => (range = shardRange(total, shard.spec)) } : {}),
      }));
      if (shard && range) {
        const inputs = maShardInputs(lattice, { turns, every, deltaMax, precision, radiation: Boolean(opts.radiation), slices: slices ?? null });
        const file = writeShard('ma', shard, range, inputs, maShardPayload(res, workers));
        process.stdout.write(shardWrittenLine(shard, range, 'sites', file) + '\n');
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
