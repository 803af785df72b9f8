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
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { TrackingPool } from '../parallel/pool.ts';
import { dynamicAperture } from '../studies/da.ts';
import { poolTracker } from '../studies/tracker.ts';
import { UserError } from './main.ts';
import { intOption, latticeOption, numberOption } from './track.ts';

interface Options {
  turns: string; deltas: string; rays: string; rMax: string; precision: string; mode: string;
  radiation?: boolean; slices?: string; workers?: string; lattice?: string; format?: string; json?: boolean;
}

export function parseList(v: string, name: string): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || !xs.every(Number.isFinite)) throw new UserError(`--${name} must be a comma-separated list of numbers (got '${v}')`);
  return xs;
}

export function register(program: Command): void {
  program
    .command('da')
    .description('dynamic aperture (rays + bisection) at the ring start, on and off momentum')
    .option('--turns <n>', 'turns a particle must survive', '512')
    .option('--deltas <list>', 'momentum offsets, comma-separated', '0')
    .option('--rays <n>', 'rays from θ = 0 to 180°', '19')
    .option('--r-max <m>', 'outer bound of the search [m]', '0.02')
    .option('--precision <m>', 'bisection precision [m]', '1e-5')
    .option('--mode <m>', '4d (δ fixed, default) or 6d (RF on)', '4d')
    .option('--radiation', 'classical radiation damping (6d)')
    .option('--slices <k>', 'integrator slices for every thick element')
    .option('--workers <n>', 'worker threads (default: number of CPUs)')
    .option('--lattice <file>', 'lattice file (default: the built-in NanoTerasu ring)')
    .option('--format <name>', 'lattice file format')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: Options) => {
      const turns = intOption(opts.turns, 'turns', 1)!;
      const rays = intOption(opts.rays, 'rays', 2)!;
      const rMaxM = numberOption(opts.rMax, 'r-max', 1e-9)!;
      const precisionM = numberOption(opts.precision, 'precision', 1e-12)!;
      const slices = intOption(opts.slices, 'slices', 1);
      if (opts.mode !== '4d' && opts.mode !== '6d') throw new UserError(`--mode must be 4d or 6d (got '${opts.mode}')`);
      const deltas = parseList(opts.deltas, 'deltas');
      const { lattice } = latticeOption(opts);
      const workers = intOption(opts.workers, 'workers', 1) ?? availableParallelism();
      const pool = new TrackingPool(workers);
      const compile = { mode: opts.mode, radiation: Boolean(opts.radiation), ...(slices ? { slices } : {}) } as const;
      let res;
      try {
        res = await dynamicAperture(lattice, poolTracker(pool), { turns, deltas, rays, rMaxM, precisionM, compile });
      } finally {
        await pool.close();
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify({ lattice: lattice.name, mode: opts.mode, radiation: Boolean(opts.radiation), workers, ...res }) + '\n');
        return;
      }
      const lines = [`dynamic aperture of ${lattice.name} at its first element: ${turns} turns, mode ${opts.mode}, precision ${precisionM} m`];
      for (const b of res.boundaries) {
        lines.push('', `δ = ${b.delta}: area (y ≥ 0) ${(b.areaM2 * 1e6).toFixed(3)} mm²`, '  angle [deg]   x [mm]    y [mm]   r [mm]');
        for (const r of b.rays) {
          lines.push(`  ${((r.angleRad * 180) / Math.PI).toFixed(1).padStart(9)} ${(r.xM * 1e3).toFixed(3).padStart(9)} ${(r.yM * 1e3).toFixed(3).padStart(9)} ${(r.radiusM * 1e3).toFixed(3).padStart(8)}${r.reachedLimit ? ' (≥ r-max)' : ''}`);
        }
      }
      process.stdout.write(lines.join('\n') + '\n');
    });
}
