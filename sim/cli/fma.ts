/**
 * `nanoterasu fma`: frequency map analysis (sim/studies/fma.ts) over a grid of initial amplitudes,
 * on worker threads: tunes by NAFF over the first and last T of 2T turns, diffusion index.
 *
 *   npx nanoterasu fma [--lattice FILE] [--turns T] [--nx N --ny M] [--xmax MM --ymax MM]
 *     [--delta D] [--at ELEMENT] [--mode 4d|6d] [--tune-window W] [--slices K] [--workers W] [--json] [--csv FILE]
 *
 * JSON keys (stable): lattice, workers, summary {points, survived, medianDiffusion, minDiffusion,
 * maxDiffusion, nuXRange, nuYRange}, and the FMAResult: turns, mode, delta, startElement, startName,
 * orbit, twiss, linearTunes, nx, ny, points [{x0M, y0M, nuX, nuY, nuX2, nuY2, diffusion, survived,
 * lossTurn}] (NaN written as null).
 * CSV columns: x0_m, y0_m, nux, nuy, nux2, nuy2, diffusion, survived, loss_turn (NaN written as NaN).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fmaSummary, frequencyMap, type FMAResult } from '../studies/fma.ts';
import { UserError } from './main.ts';
import { addLatticeOptions, parseMode, runOnPool, studyLatticeAndWorkers } from './study-options.ts';
import { intOption, numberOption } from './track.ts';

interface Options {
  turns: string; nx: string; ny: string; xmax: string; ymax: string; delta: string; at?: string; mode: string;
  slices?: string; tuneWindow?: string; workers?: string; lattice?: string; format?: string; json?: boolean; csv?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('fma')
    .description('frequency map: tunes (NAFF) and diffusion over a grid of initial amplitudes')
    .option('--turns <n>', 'turns per half (2T are tracked)', '512')
    .option('--nx <n>', 'grid points in x', '11')
    .option('--ny <n>', 'grid points in y', '6')
    .option('--xmax <mm>', 'largest x amplitude [mm]', '10')
    .option('--ymax <mm>', 'largest y amplitude [mm]', '4')
    .option('--delta <d>', 'momentum offset δ', '0')
    .option('--at <element>', 'start element: a name (first occurrence, e.g. INJ) or a ring-wide index (default: ring start)')
    .option('--mode <m>', '4d (δ fixed, default) or 6d (RF on, no radiation)', '4d')
    .option('--tune-window <w>', 'search each tune only within ±w of the linear tune (default: all of [0, 1))');
  addLatticeOptions(cmd, 'print JSON (every point) instead of a table')
    .option('--csv <file>', 'also write every point to this CSV file')
    .action(async (opts: Options) => {
      const turns = intOption(opts.turns, 'turns', 16)!;
      const nx = intOption(opts.nx, 'nx', 1)!;
      const ny = intOption(opts.ny, 'ny', 1)!;
      const xMaxM = numberOption(opts.xmax, 'xmax', 1e-9)! * 1e-3;
      const yMaxM = numberOption(opts.ymax, 'ymax', 1e-9)! * 1e-3;
      const delta = Number(opts.delta);
      if (!Number.isFinite(delta) || Math.abs(delta) >= 1) throw new UserError(`--delta must be a number with |δ| < 1 (got '${opts.delta}')`);
      const slices = intOption(opts.slices, 'slices', 1);
      const tuneWindow = numberOption(opts.tuneWindow, 'tune-window', 1e-6);
      const mode = parseMode(opts.mode);
      const at = opts.at === undefined ? undefined : /^\d+$/.test(opts.at) ? Number(opts.at) : opts.at;
      const { lattice, workers } = studyLatticeAndWorkers(opts);
      const res = await runOnPool(lattice, workers, (tracker) =>
        frequencyMap(lattice, tracker, { turns, nx, ny, xMaxM, yMaxM, delta, mode, ...(at !== undefined ? { at } : {}), ...(slices ? { slices } : {}), ...(tuneWindow ? { tuneWindow } : {}) }));
      if (opts.csv) writeFileSync(opts.csv, fmaCsv(res));
      if (opts.json) {
        process.stdout.write(JSON.stringify({ lattice: lattice.name, workers, summary: fmaSummary(res), ...res }) + '\n');
        return;
      }
      process.stdout.write(formatFMA(lattice.name, res));
      if (opts.csv) process.stdout.write(`points written to ${opts.csv}\n`);
    });
}

export function fmaCsv(res: FMAResult): string {
  const rows = res.points.map((p) =>
    [p.x0M, p.y0M, p.nuX, p.nuY, p.nuX2, p.nuY2, p.diffusion, p.survived ? 1 : 0, p.lossTurn].join(','));
  return ['x0_m,y0_m,nux,nuy,nux2,nuy2,diffusion,survived,loss_turn', ...rows].join('\n') + '\n';
}

/** Summary table and the diffusion map (rows: y from top to bottom, columns: x). */
export function formatFMA(latticeName: string, res: FMAResult): string {
  const s = fmaSummary(res);
  const f = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : '—');
  const lines = [
    `frequency map of ${latticeName} at ${res.startName}: 2 × ${res.turns} turns, mode ${res.mode}, δ = ${res.delta}`,
    `  linear tunes (fractional)  νx ${f(res.linearTunes[0], 6)}  νy ${f(res.linearTunes[1], 6)}   βx ${f(res.twiss.betaX, 3)} m  βy ${f(res.twiss.betaY, 3)} m`,
    `  points                     ${s.points} (${res.nx} × ${res.ny})`,
    `  survived 2T turns          ${s.survived}`,
    `  diffusion (survivors)      median ${f(s.medianDiffusion, 2)}, range ${f(s.minDiffusion, 2)} … ${f(s.maxDiffusion, 2)}`,
    `  tune footprint             νx ${f(s.nuXRange[0])} … ${f(s.nuXRange[1])}  (${f(s.nuXRange[1] - s.nuXRange[0])})`,
    `                             νy ${f(s.nuYRange[0])} … ${f(s.nuYRange[1])}  (${f(s.nuYRange[1] - s.nuYRange[0])})`,
    '',
    '  diffusion log10|Δν| (rows y [mm], columns x [mm]; "lost" = lost before 2T turns)',
    '  y \\ x  ' + res.points.slice(0, res.nx).map((p) => (p.x0M * 1e3).toFixed(2).padStart(7)).join(''),
  ];
  for (let j = res.ny - 1; j >= 0; j--) {
    const row = res.points.slice(j * res.nx, (j + 1) * res.nx);
    lines.push(`  ${(row[0].y0M * 1e3).toFixed(2).padStart(6)} ` + row.map((p) => (p.survived ? p.diffusion.toFixed(2) : 'lost').padStart(7)).join(''));
  }
  return lines.join('\n') + '\n';
}
