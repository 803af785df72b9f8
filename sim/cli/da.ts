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
import { addDAOptions, addStudyOptions, parseDAOptions, runOnPool, studyLatticeAndWorkers, type DAOptions, type StudyOptions } from './study-options.ts';

interface Options extends StudyOptions, DAOptions {}

export function register(program: Command): void {
  const cmd = addDAOptions(
    program.command('da').description('dynamic aperture (rays + bisection) at the ring start, on and off momentum'),
    { turns: '512', rays: '19' },
  );
  addStudyOptions(cmd, 'classical radiation damping (6d)')
    .action(async (opts: Options) => {
      const shard = shardRequest(opts);
      const { turns, rays, rMaxM, precisionM, slices, mode, deltas } = parseDAOptions(opts);
      const { lattice, workers } = studyLatticeAndWorkers(opts);
      const compile = { mode, radiation: Boolean(opts.radiation), ...(slices ? { slices } : {}) } as const;
      const range = shard ? shardRange(deltas.length * rays, shard.spec) : undefined;
      const res = await runOnPool(lattice, workers, (tracker) =>
        dynamicAperture(lattice, tracker, { turns, deltas, rays, rMaxM, precisionM, compile, ...(range ? { jobRange: range } : {}) }));
      if (shard && range) {
        const inputs = daShardInputs(lattice, { turns, deltas, rays, rMaxM, precisionM, mode, radiation: Boolean(opts.radiation), slices: slices ?? null });
        const file = writeShard('da', shard, range, inputs, daShardPayload(res, workers));
        process.stdout.write(shardWrittenLine(shard, range, 'rays', file) + '\n');
        return;
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify({ lattice: lattice.name, mode, radiation: Boolean(opts.radiation), workers, ...res }) + '\n');
        return;
      }
      process.stdout.write(formatDA(lattice.name, mode, res));
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
