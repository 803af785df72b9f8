/**
 * `nanoterasu tune-sextupoles`: reproduces the sextupole tuning of the built-in ring
 * (sim/studies/sextupoles.ts): chromaticity constraint on SF/SD, analytic driving-term minimisation
 * over the harmonic families S1/S5 (grid + Nelder–Mead from seeded starts), then ranking and
 * Nelder–Mead refinement with a cheap tracked DA at the injection point INJ. With --final, a full
 * DA (and with --ma a momentum acceptance) of the start and the result.
 *
 *   npx nanoterasu tune-sextupoles [--seed 1] [--chromaticity 1,1] [--harmonic-max 300]
 *     [--tracking-evals 24] [--both-sides] [--final] [--ma] [--workers W] [--json]
 *
 * Cost on 2 cores: ≈ 2 min for the tuning, ≈ 4 min more for --final --ma.
 *
 * It prints the strengths to write into NANOTERASU_CELL (lattice/nanoterasu.ts); it changes no file.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { TrackingPool } from '../parallel/pool.ts';
import { momentumAcceptance } from '../studies/ma.ts';
import {
  daAtInjection, injectionRequirement, tuneSextupoles, SEXTUPOLE_FAMILIES,
  type DASummary, type SextupoleSettings,
} from '../studies/sextupoles.ts';
import { poolTracker } from '../studies/tracker.ts';
import { nanoterasuRing } from '../../lattice/nanoterasu.ts';
import { parseList } from './study-options.ts';
import { UserError } from './main.ts';
import { intOption, numberOption } from './track.ts';

interface Options {
  seed: string; chromaticity: string; harmonicMax: string; trackingEvals: string;
  final?: boolean; ma?: boolean; bothSides?: boolean; workers?: string; json?: boolean;
}

/** The full DA of --final: 512 turns, 19 rays, δ = 0, ±2 %, ±3 %, 0.1 mm precision. */
export const FINAL_DA = { turns: 512, rays: 19, deltas: [0, 0.02, -0.02, 0.03, -0.03], precisionM: 1e-4, rMaxM: 0.025 };

export function register(program: Command): void {
  program
    .command('tune-sextupoles')
    .description('tune SF/SD/S1/S5 of the built-in ring for DA and MA (driving terms, then tracking)')
    .option('--seed <n>', 'seed of the random Nelder–Mead starts', '1')
    .option('--chromaticity <x,y>', 'target chromaticity', '1,1')
    .option('--harmonic-max <k2>', 'bound |k2| of S1 and S5 [m⁻³]', '300')
    .option('--tracking-evals <n>', 'Nelder–Mead evaluations of the tracked DA proxy (0 = rank only)', '24')
    .option('--both-sides', 'reward the DA reach on both sides of x (default: the −x septum side [A])')
    .option('--final', 'full DA (512 turns, 19 rays, δ = 0, ±2 %, ±3 %) of the start and the result')
    .option('--ma', 'with --final: momentum acceptance (6D, 512 turns, every 20th element) too')
    .option('--workers <n>', 'worker threads (default: number of CPUs)')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: Options) => {
      const seed = intOption(opts.seed, 'seed', 0)!;
      const xi = parseList(opts.chromaticity, 'chromaticity');
      if (xi.length !== 2) throw new UserError(`--chromaticity needs two numbers x,y (got '${opts.chromaticity}')`);
      const harmonicMax = numberOption(opts.harmonicMax, 'harmonic-max', 1e-9)!;
      const trackingEvaluations = intOption(opts.trackingEvals, 'tracking-evals', 0)!;
      const workers = intOption(opts.workers, 'workers', 1) ?? availableParallelism();
      const pool = new TrackingPool(workers);
      const tracker = poolTracker(pool);
      const log = opts.json ? undefined : (m: string) => process.stderr.write(m + '\n');
      try {
        const req = injectionRequirement();
        const res = await tuneSextupoles(tracker, { seed, chromaticity: [xi[0], xi[1]], harmonicMax, trackingEvaluations, bothSides: Boolean(opts.bothSides), ...(log ? { log } : {}) });
        let final: { start: DASummary[]; best: DASummary[]; maStart?: MASummary; maBest?: MASummary } | undefined;
        if (opts.final) {
          final = { start: await daAtInjection(res.start.settings, tracker, FINAL_DA), best: await daAtInjection(res.best.settings, tracker, FINAL_DA) };
          if (opts.ma) {
            final.maStart = await maSummary(res.start.settings, tracker);
            final.maBest = await maSummary(res.best.settings, tracker);
          }
        }
        if (opts.json) {
          process.stdout.write(JSON.stringify({ requirement: req, ...res, final }) + '\n');
          return;
        }
        const lines = [
          `injection requirement [A]: centroid x = ${(req.centroidXM * 1e3).toFixed(2)} mm, DA must reach x ≤ ${(-req.requiredXM * 1e3).toFixed(2)} mm at INJ`,
          `chromaticity target (${res.chromaticityTarget.join(', ')}); seed ${res.seed}; ${res.trackingEvaluations} tracked DA evaluations`,
          `start:  ${fmt(res.start.settings)}`,
          `result: ${fmt(res.best.settings)}`,
        ];
        if (final) {
          lines.push('', `full DA at INJ (${FINAL_DA.turns} turns, ${FINAL_DA.rays} rays, 4D):`, '  δ        start x [mm]      area [mm²]    result x [mm]     area [mm²]');
          final.start.forEach((s, k) => {
            const b = final!.best[k];
            lines.push(`  ${(s.delta * 100).toFixed(0).padStart(3)} %  ${range(s)}  ${(s.areaM2 * 1e6).toFixed(1).padStart(8)}    ${range(b)}  ${(b.areaM2 * 1e6).toFixed(1).padStart(8)}`);
          });
          if (final.maStart && final.maBest) {
            for (const [name, m] of [['start', final.maStart], ['result', final.maBest]] as const) {
              lines.push(`MA ${name} (6D, 512 turns, every 20th element): δ+ min ${(m.plusMin * 100).toFixed(2)} % mean ${(m.plusMean * 100).toFixed(2)} %; |δ−| min ${(-m.minusMax * 100).toFixed(2)} % mean ${(-m.minusMean * 100).toFixed(2)} %`);
            }
          }
        }
        lines.push('', 'write into NANOTERASU_CELL (lattice/nanoterasu.ts):');
        for (const f of SEXTUPOLE_FAMILIES) lines.push(`  ${f}: k2 = ${res.best.settings[f].toFixed(4)}`);
        process.stdout.write(lines.join('\n') + '\n');
      } finally {
        await pool.close();
      }
    });
}

function range(s: DASummary): string {
  return `${(s.xMinM * 1e3).toFixed(2).padStart(7)} … ${(s.xMaxM * 1e3).toFixed(2).padStart(6)}`;
}

function fmt(s: SextupoleSettings): string {
  return SEXTUPOLE_FAMILIES.map((f) => `${f} ${s[f].toFixed(3)}`).join(', ');
}

export interface MASummary { plusMin: number; plusMean: number; minusMax: number; minusMean: number }

/** Momentum acceptance round the ring (6D, RF on, no radiation, 512 turns, every 20th element). */
export async function maSummary(s: SextupoleSettings, tracker: ReturnType<typeof poolTracker>, turns = 512, every = 20): Promise<MASummary> {
  const families = Object.fromEntries(SEXTUPOLE_FAMILIES.map((f) => [f, { k2: s[f] }]));
  const res = await momentumAcceptance(nanoterasuRing({ families }), tracker, { turns, every, precision: 1e-3 });
  const p = res.points.map((q) => q.deltaPlus);
  const m = res.points.map((q) => q.deltaMinus);
  return {
    plusMin: Math.min(...p), plusMean: p.reduce((a, b) => a + b, 0) / p.length,
    minusMax: Math.max(...m), minusMean: m.reduce((a, b) => a + b, 0) / m.length,
  };
}
