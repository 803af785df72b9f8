/**
 * `nanoterasu errors`: error-seed study (sim/studies/errors.ts) — N random sets of magnet
 * misalignments (Gaussian, truncated at 2.5σ), and for each the closed orbit, the tunes and the
 * dynamic aperture at the ring start, with a summary over the seeds and the error-free reference.
 *
 *   npx nanoterasu errors [--lattice FILE] --seeds N [--seed S] [--dx-rms UM] [--dy-rms UM]
 *     [--tilt-rms URAD] [--families quadrupole,sextupole] [--turns T] [--rays R] [--deltas …]
 *     [--r-max M] [--precision M] [--mode 4d|6d] [--radiation] [--slices K] [--workers W] [--json]
 *     [--shard i/N --out DIR]
 *
 * JSON keys (stable): lattice, seed, seeds, dxRmsM, dyRmsM, tiltRmsRad, families, turns, deltas,
 * rays, rMaxM, precisionM, mode, radiation, slices, workers, errorFree, results [{index, status,
 * reason?, orbitRmsXM, orbitRmsYM, orbitMaxXM, orbitMaxYM, tunes, da [{delta, areaM2, xMinM, xMaxM,
 * yMaxM}], particlesTracked}], summary {seeds, withClosedOrbit, noClosedOrbit, orbitRmsXM, orbitRmsYM,
 * tuneX, tuneY, da [{delta, areaM2, xMinM, xMaxM}] each {mean, min, p10, p50, p90, max}}, particlesTracked.
 */
import type { Command } from 'commander';
import { ELEMENT_FIELDS, isElementType, type ElementType } from '../../lattice/elements.ts';
import { errorsJson, errorsShardInputs, type ErrorsInputs } from '../cluster/errors.ts';
import { shardRange, shardRequest, shardWrittenLine, writeShard } from '../cluster/shard.ts';
import { errorSeeds, seedResult, type SeedResult } from '../studies/errors.ts';
import { UserError } from './main.ts';
import { addDAOptions, addStudyOptions, parseDAOptions, runOnPool, studyLatticeAndWorkers, type DAOptions, type StudyOptions } from './study-options.ts';
import { intOption, numberOption } from './track.ts';

interface Options extends StudyOptions, DAOptions {
  seeds: string; seed: string; dxRms: string; dyRms: string; tiltRms: string; families: string;
}

/** `--families a,b`: element types that carry misalignments (magnets). */
export function parseFamilies(v: string): ElementType[] {
  const out: ElementType[] = [];
  for (const raw of v.split(',')) {
    const t = raw.trim();
    if (!isElementType(t)) throw new UserError(`--families: '${t}' is not an element type`);
    if (!('tilt' in ELEMENT_FIELDS[t])) throw new UserError(`--families: '${t}' elements have no misalignment (dx, dy, tilt)`);
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

export function register(program: Command): void {
  const cmd = program
    .command('errors')
    .description('error seeds: random magnet misalignments, then closed orbit, tunes and DA per seed')
    .requiredOption('--seeds <n>', 'number of error seeds N (seeds k = 0 … N−1)')
    .option('--seed <s>', 'random seed of the error streams', '1')
    .option('--dx-rms <um>', 'rms horizontal offset [µm] (Gaussian, cut at 2.5σ)', '30')
    .option('--dy-rms <um>', 'rms vertical offset [µm]', '30')
    .option('--tilt-rms <urad>', 'rms roll [µrad]', '0')
    .option('--families <list>', 'element types that get errors', 'quadrupole,sextupole');
  addDAOptions(cmd, { turns: '256', rays: '11' }, ' (DA)');
  addStudyOptions(cmd, 'classical radiation damping (6d DA)')
    .action(async (opts: Options) => {
      const shard = shardRequest(opts);
      const seeds = intOption(opts.seeds, 'seeds', 1)!;
      const seed = intOption(opts.seed, 'seed', 0)!;
      const dxRmsM = numberOption(opts.dxRms, 'dx-rms', 0)! * 1e-6;
      const dyRmsM = numberOption(opts.dyRms, 'dy-rms', 0)! * 1e-6;
      const tiltRmsRad = numberOption(opts.tiltRms, 'tilt-rms', 0)! * 1e-6;
      const families = parseFamilies(opts.families);
      const { turns, rays, rMaxM, precisionM, slices, mode, deltas } = parseDAOptions(opts);
      const { lattice, workers } = studyLatticeAndWorkers(opts);
      const radiation = Boolean(opts.radiation);
      const compile = { mode, radiation, ...(slices ? { slices } : {}) } as const;
      const da = { turns, deltas, rays, rMaxM, precisionM, compile };
      const errors = { seed, dxRmsM, dyRmsM, tiltRmsRad, families };
      const range = shard ? shardRange(seeds, shard.spec) : { first: 0, count: seeds, total: seeds };
      const withReference = range.first === 0;
      const { errorFree, results } = await runOnPool(lattice, workers, async (tracker) => {
        const ef = withReference ? await seedResult(lattice, tracker, da, -1) : null;
        const rs = await errorSeeds(lattice, tracker, { errors, first: range.first, count: range.count, da });
        return { errorFree: ef, results: rs };
      });
      const inputs: Omit<ErrorsInputs, 'lattice'> = {
        seed, seeds, dxRmsM, dyRmsM, tiltRmsRad, families, turns, deltas, rays, rMaxM, precisionM,
        mode, radiation, slices: slices ?? null,
      };
      if (shard) {
        const file = writeShard('errors', shard, range, errorsShardInputs(lattice, inputs), { errorFree, seeds: results, workers });
        process.stdout.write(shardWrittenLine(shard, range, 'error seeds', file) + '\n');
        return;
      }
      const out = errorsJson(lattice.name, inputs, workers, errorFree!, results);
      if (opts.json) {
        process.stdout.write(JSON.stringify(out) + '\n');
        return;
      }
      process.stdout.write(formatErrors(out));
    });
}


const um = (x: number | undefined) => (x === undefined ? '—' : (x * 1e6).toFixed(1));
/** A value in SI units as micro-units, without binary round-off digits (30e-6 → 30). */
const micro = (x: number) => String(Number((x * 1e6).toPrecision(12)));
const mm2 = (x: number) => (x * 1e6).toFixed(3);

function seedLine(label: string, r: SeedResult): string {
  if (r.status !== 'ok') return `  ${label.padStart(5)}  no closed orbit (${r.reason})`;
  const da = r.da!.map((d) => `${mm2(d.areaM2).padStart(8)} ${(d.xMinM * 1e3).toFixed(2).padStart(7)} ${(d.xMaxM * 1e3).toFixed(2).padStart(6)}`).join('  ');
  return `  ${label.padStart(5)} ${um(r.orbitRmsXM).padStart(8)} ${um(r.orbitRmsYM).padStart(8)}  ${r.tunes![0].toFixed(4)} ${r.tunes![1].toFixed(4)}  ${da}`;
}

/** The table of an error-seed study (also printed by `nanoterasu merge`). */
export function formatErrors(o: ReturnType<typeof errorsJson>): string {
  const lines = [
    `error seeds on ${o.lattice}: ${o.seeds} seeds (seed ${o.seed}), rms dx ${micro(o.dxRmsM)} µm, dy ${micro(o.dyRmsM)} µm, tilt ${micro(o.tiltRmsRad)} µrad on ${o.families.join(', ')} (cut at 2.5σ)`,
    `DA at the ring start: ${o.turns} turns, ${o.rays} rays, mode ${o.mode}, δ = ${o.deltas.join(', ')}`,
    '',
    `   seed  x_rms   y_rms [µm]  Qx     Qy      ${o.deltas.map((d) => `DA(δ=${d}) [mm²] x− x+ [mm]`).join('  ')}`,
    seedLine('free', o.errorFree),
    ...o.results.map((r) => seedLine(String(r.index), r)),
    '',
    `summary: ${o.summary.withClosedOrbit} of ${o.summary.seeds} seeds with a closed orbit`,
  ];
  const s = o.summary;
  if (s.orbitRmsXM) {
    lines.push(`  rms orbit x [µm]: mean ${um(s.orbitRmsXM.mean)}, p90 ${um(s.orbitRmsXM.p90)}, max ${um(s.orbitRmsXM.max)}`);
    lines.push(`  rms orbit y [µm]: mean ${um(s.orbitRmsYM!.mean)}, p90 ${um(s.orbitRmsYM!.p90)}, max ${um(s.orbitRmsYM!.max)}`);
    lines.push(`  Qx: mean ${s.tuneX!.mean.toFixed(4)} [${s.tuneX!.min.toFixed(4)}, ${s.tuneX!.max.toFixed(4)}]; Qy: mean ${s.tuneY!.mean.toFixed(4)} [${s.tuneY!.min.toFixed(4)}, ${s.tuneY!.max.toFixed(4)}]`);
    for (const d of s.da!) {
      const free = o.errorFree.da?.find((x) => x.delta === d.delta);
      lines.push(`  DA area δ=${d.delta} [mm²]: mean ${mm2(d.areaM2.mean)}, min ${mm2(d.areaM2.min)}, p10 ${mm2(d.areaM2.p10)}, p50 ${mm2(d.areaM2.p50)}, p90 ${mm2(d.areaM2.p90)}${free ? ` (error-free ${mm2(free.areaM2)})` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}
