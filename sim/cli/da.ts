/**
 * `nanoterasu da`: dynamic aperture along rays in the (x, y) half plane at the ring start, for a
 * list of momentum offsets (sim/studies/da.ts), on worker threads.
 *
 *   npx nanoterasu da [--turns 512] [--deltas 0,0.02,-0.02] [--rays 19] [--r-max 0.02]
 *     [--precision 1e-5] [--mode 4d|6d] [--radiation] [--slices K] [--workers W] [--lattice FILE] [--json]
 *
 * JSON keys (stable): lattice, mode, radiation, turns, workers, precisionM, rMaxM,
 * boundaries [{delta, orbit, rays [{angleRad, radiusM, xM, yM, reachedLimit}], areaM2}].
 */
import type { Command } from 'commander';
import { daShardInputs, daShardPayload } from '../cluster/da.ts';
import { shardRange, shardRequest, shardWrittenLine, writeShard } from '../cluster/shard.ts';
import { dynamicAperture, type DAResult } from '../studies/da.ts';
import { UserError } from './main.ts';
import { addStudyOptions, runOnPool, studyLatticeAndWorkers, type StudyOptions } from './study-options.ts';
import { intOption, numberOption } from './track.ts';

interface Options extends StudyOptions {
  turns: string; deltas: string; rays: string; rMax: string; precision: string; mode: string;
}

export function parseList(v: string, name: string): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || !xs.every(Number.isFinite)) throw new UserError(`--${name} must be a comma-separated list of numbers (got '${v}')`);
  return xs;
}

export function register(program: Command): void {
  const cmd = program
    .command('da')
    .description('dynamic aperture (rays + bisection) at the ring start, on and off momentum')
    .option('--turns <n>', 'turns a particle must survive', '512')
    .option('--deltas <list>', 'momentum offsets, comma-separated', '0')
    .option('--rays <n>', 'rays from θ = 0 to 180°', '19')
    .option('--r-max <m>', 'outer bound of the search [m]', '0.02')
    .option('--precision <m>', 'bisection precision [m]', '1e-5')
    .option('--mode <m>', '4d (δ fixed, default) or 6d (RF on)', '4d');
  addStudyOptions(cmd, 'classical radiation damping (6d)')
    .action(async (opts: Options) => {
      const shard = shardRequest(opts);
      const turns = intOption(opts.turns, 'turns', 1)!;
      const rays = intOption(opts.rays, 'rays', 2)!;
      const rMaxM = numberOption(opts.rMax, 'r-max', 1e-9)!;
      const precisionM = numberOption(opts.precision, 'precision', 1e-12)!;
      const slices = intOption(opts.slices, 'slices', 1);
      if (opts.mode !== '4d' && opts.mode !== '6d') throw new UserError(`--mode must be 4d or 6d (got '${opts.mode}')`);
      const deltas = parseList(opts.deltas, 'deltas');
      const { lattice, workers } = studyLatticeAndWorkers(opts);
      const compile = { mode: opts.mode, radiation: Boolean(opts.radiation), ...(slices ? { slices } : {}) } as const;
      const range = shard ? shardRange(deltas.length * rays, shard.spec) : undefined;
      const res = await runOnPool(lattice, workers, (tracker) =>
        dynamicAperture(lattice, tracker, { turns, deltas, rays, rMaxM, precisionM, compile, ...(range ? { jobRange: range } : {}) }));
      if (shard && range) {
        const inputs = daShardInputs(lattice, { turns, deltas, rays, rMaxM, precisionM, mode: opts.mode, radiation: Boolean(opts.radiation), slices: slices ?? null });
        const file = writeShard('da', shard, range, inputs, daShardPayload(res, workers));
        process.stdout.write(shardWrittenLine(shard, range, 'rays', file) + '\n');
        return;
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify({ lattice: lattice.name, mode: opts.mode, radiation: Boolean(opts.radiation), workers, ...res }) + '\n');
        return;
      }
      process.stdout.write(formatDA(lattice.name, opts.mode, res));
    });
}

/** The table of a DA result (also printed by `nanoterasu merge` for merged shards). */
export function formatDA(latticeName: string, mode: string, res: DAResult): string {
  const lines = [`dynamic aperture of ${latticeName} at its first element: ${res.turns} turns, mode ${mode}, precision ${res.precisionM} m`];
  for (const b of res.boundaries) {
    lines.push('', `δ = ${b.delta}: area (y ≥ 0) ${(b.areaM2 * 1e6).toFixed(3)} mm²`, '  angle [deg]   x [mm]    y [mm]   r [mm]');
    for (const r of b.rays) {
      lines.push(`  ${((r.angleRad * 180) / Math.PI).toFixed(1).padStart(9)} ${(r.xM * 1e3).toFixed(3).padStart(9)} ${(r.yM * 1e3).toFixed(3).padStart(9)} ${(r.radiusM * 1e3).toFixed(3).padStart(8)}${r.reachedLimit ? ' (≥ r-max)' : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}
