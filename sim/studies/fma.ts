/**
 * Frequency map analysis (J. Laskar, C. Froeschlé, A. Celletti, Physica D 56 (1992) 253; for
 * storage rings: D. Robin, C. Steier, J. Laskar, L. Nadolski, PRL 85 (2000) 558).
 *
 * For a grid of initial amplitudes (Δx, Δy) on top of the closed orbit at a chosen element (default:
 * the ring start) and a momentum offset δ, every particle is tracked 2T turns, recording
 * (x, px, y, py) at that element after every turn. The tunes are found by NAFF (`naffTune` of
 * tune.ts) on the complex Courant–Snyder normalised signals z = x̄ − i p̄ over the first T turns
 * (ν1) and over the last T turns (ν2); the diffusion index is
 *   d = log10 √((νx2 − νx1)² + (νy2 − νy1)²)
 * (Robin et al. 2000, eq. 1). Regular (KAM) orbits have d near the NAFF precision (≲ −10 here);
 * chaotic orbits have d ≳ −5. d is floored at −16 (a tune difference below 1e-16 is rounding).
 *
 * Conventions:
 * - The grid: x_i = xMax·i/(nx − 1), y_j = yMax·j/(ny − 1) (one point per axis: the maximum); an
 *   amplitude below `minAmplitudeM` (default 10 µm) is raised to it, so that both tunes are
 *   measurable on the axes.
 * - The closed orbit is the 4D orbit at δ (as in da.ts), propagated from the ring start to the
 *   start element; in 6D mode the particles also start at the synchronous cτ of the 6D orbit there
 *   and perform synchrotron oscillations around it.
 * - Twiss (β, α) for the normalisation and the linear tunes come from the tracked 4D one-turn
 *   matrix at the start element at δ (uncoupled blocks). NAFF searches the whole [0, 1) by default
 *   (the amplitude detuning of a low-emittance ring moves the tunes by 0.1 and more within the DA);
 *   `tuneWindow` w restricts it to ±w around the linear tune (as amplitudeTuneShift does with 0.1)
 *   when a resonance line would otherwise be taken for the betatron tune.
 * - Samples are the coordinates at the start of turns 0 … 2T − 1 (sample 0 = the initial ones, as
 *   in trackedTunes); a particle survives if it is still there after 2T turns. A particle counts
 *   as lost when the tracker reports a loss or a coordinate is not finite. Its tunes of the first
 *   half are kept if it survived the first T turns; its diffusion is NaN.
 *
 * Turns are tracked one at a time through the Tracker (serial or worker pool), so every turn
 * restarts at turn number 0: no quantum excitation or radiation is compiled in, and in 6D the RF
 * frequency is set to h·c/C (no turn-dependent RF phase term). Each particle's trajectory depends
 * on its own coordinates only, so the result is identical for any number of workers.
 *
 * Pure functions over typed arrays: no Node APIs (runs in a browser Web Worker as well).
 */
import type { Lattice } from '../../lattice/lattice.ts';
import { compileLattice, elementLabel } from '../tracking/compile.ts';
import { jacobian } from '../tracking/jacobian.ts';
import type { Program } from '../tracking/layout.ts';
import { closedOrbit } from '../tracking/orbit.ts';
import { newLossArrays, passElements, trackTurns } from '../tracking/track.ts';
import type { Tracker } from './tracker.ts';
import { naffTune, StudyError, type TwissXY } from './tune.ts';

export interface FMAOptions {
  /** Turns per half (T); 2T turns are tracked. At least 16. */
  turns: number;
  /** Grid points in x and y (≥ 1). */
  nx: number;
  ny: number;
  /** Largest initial amplitudes [m] (> 0). */
  xMaxM: number;
  yMaxM: number;
  /** Momentum offset δ (default 0). */
  delta?: number;
  /** Start element: ring-wide index, or the name of an element (its first occurrence). Default 0. */
  at?: number | string;
  /** '4d' (default: δ fixed, cavities are drifts) or '6d' (RF on, no radiation). */
  mode?: '4d' | '6d';
  /** Integrator slices for every thick element (default: the lattice's own). */
  slices?: number;
  /** Smallest amplitude [m] used on the axes (default 1e-5). */
  minAmplitudeM?: number;
  /** NAFF search half-width around the linear tunes (default: none, the whole [0, 1)). */
  tuneWindow?: number;
  /** Particles tracked together (default 1024): bounds the memory of the turn-by-turn record. */
  batchSize?: number;
}

export interface FMAPoint {
  /** Initial amplitudes relative to the closed orbit [m]. */
  x0M: number;
  y0M: number;
  /** Fractional tunes over the first T turns (NaN if lost before turn T). */
  nuX: number;
  nuY: number;
  /** Fractional tunes over the last T turns (NaN if lost). */
  nuX2: number;
  nuY2: number;
  /** log10 of the tune change between the halves (NaN if lost). */
  diffusion: number;
  survived: boolean;
  /** Turn of loss, counted from 0 (−1 = survived all 2T turns). */
  lossTurn: number;
}

export interface FMAResult {
  turns: number;
  mode: '4d' | '6d';
  delta: number;
  /** Ring-wide start element index and its name. */
  startElement: number;
  startName: string;
  /** Closed orbit the grid is built on [x, px, y, py, δ, cτ]. */
  orbit: number[];
  /** Twiss at the start element (from the tracked one-turn matrix at δ). */
  twiss: TwissXY;
  /** Fractional linear tunes at δ from the tracked one-turn matrix. */
  linearTunes: [number, number];
  nx: number;
  ny: number;
  /** Points in x-major order: index = j·nx + i for x_i, y_j. */
  points: FMAPoint[];
}

/** Ring-wide index of `at` (an index, or an element name's first occurrence), or a StudyError. */
export function resolveElement(prog: Program, at: number | string | undefined): number {
  const total = prog.nElements * prog.periodicity;
  if (at === undefined) return 0;
  if (typeof at === 'number') {
    if (!(Number.isInteger(at) && at >= 0 && at < total)) throw new StudyError(`start element ${at} is outside the ring (0…${total - 1})`);
    return at;
  }
  const i = prog.names.indexOf(at);
  if (i < 0) throw new StudyError(`no element named '${at}' in the lattice`);
  return i;
}

/** (β, α, fractional tune) of one 2×2 diagonal block (row-major 6×6 m, plane offset k = 0 or 2). */
function blockTwiss(m: Float64Array, k: number): { beta: number; alpha: number; nu: number } {
  const m11 = m[6 * k + k];
  const m12 = m[6 * k + k + 1];
  const m22 = m[6 * (k + 1) + k + 1];
  const c = (m11 + m22) / 2;
  if (!(Math.abs(c) < 1)) throw new StudyError(`the linear motion is unstable in ${k === 0 ? 'x' : 'y'} at the start element (|trace/2| = ${Math.abs(c)})`);
  // sin μ has the sign of m12 (β > 0)
  const s = Math.sign(m12) * Math.sqrt(1 - c * c);
  const mu = Math.atan2(s, c);
  const nu = (mu / (2 * Math.PI) + 1) % 1;
  return { beta: m12 / s, alpha: (m11 - m22) / (2 * s), nu };
}

/** The grid, the start orbit and the Twiss at the start element. */
export function fmaSetup(lat: Lattice, opts: FMAOptions) {
  const mode = opts.mode ?? '4d';
  const delta = opts.delta ?? 0;
  if (!(Number.isInteger(opts.turns) && opts.turns >= 16)) throw new RangeError(`turns must be a whole number ≥ 16 (got ${opts.turns})`);
  if (!(Number.isInteger(opts.nx) && opts.nx >= 1 && Number.isInteger(opts.ny) && opts.ny >= 1)) throw new RangeError('nx and ny must be whole numbers ≥ 1');
  if (!(opts.xMaxM > 0 && opts.yMaxM > 0)) throw new RangeError('xMaxM and yMaxM must be > 0');
  const slices = opts.slices ? { slices: opts.slices } : {};
  const prog = compileLattice(lat, { mode, radiation: false, quantum: false, rfFromHarmonic: true, ...slices });
  const prog4 = compileLattice(lat, { mode: '4d', radiation: false, quantum: false, ...slices });
  const start = resolveElement(prog, opts.at);
  // 4D orbit at δ at the ring start, propagated to the start element (ma.ts does the same in 6D)
  const co = closedOrbit(prog4, { guess: [0, 0, 0, 0, delta, 0], dims: 4 });
  co[4] = delta;
  co[5] = 0;
  const co6 = mode === '6d' ? closedOrbit(prog) : null;
  const loss = newLossArrays(1);
  for (let g = 0; g < start; g++) {
    const p = Math.floor(g / prog.nElements);
    const e = g - p * prog.nElements;
    passElements(prog4, co, 1, e, e + 1, 0, p, 0, 0, 0, loss);
    if (co6) passElements(prog, co6, 1, e, e + 1, 0, p, 0, 0, 0, loss);
  }
  co[5] = co6 ? co6[5] : 0;
  if (!co.every(Number.isFinite)) throw new StudyError('the closed orbit was lost on the way to the start element');
  const m = jacobian((r, n) => { trackTurns(prog4, r, n, 1, newLossArrays(n), { startElement: start }); }, co);
  const bx = blockTwiss(m, 0);
  const by = blockTwiss(m, 2);
  const minA = opts.minAmplitudeM ?? 1e-5;
  const axis = (n: number, max: number) =>
    Array.from({ length: n }, (_, i) => Math.max(n === 1 ? max : (max * i) / (n - 1), minA));
  const xs = axis(opts.nx, opts.xMaxM);
  const ys = axis(opts.ny, opts.yMaxM);
  const grid: Array<[number, number]> = ys.flatMap((y) => xs.map((x) => [x, y] as [number, number]));
  return {
    prog, start, mode, delta, orbit: co, grid,
    twiss: { betaX: bx.beta, alphaX: bx.alpha, betaY: by.beta, alphaY: by.alpha } as TwissXY,
    linearTunes: [bx.nu, by.nu] as [number, number],
  };
}

/** log10 of the tune change between the two halves, floored at −16 (NaN if a tune is NaN). */
export function diffusionIndex(nuX1: number, nuY1: number, nuX2: number, nuY2: number): number {
  const d = Math.hypot(nuX2 - nuX1, nuY2 - nuY1);
  return Number.isNaN(d) ? NaN : Math.log10(Math.max(d, 1e-16));
}

export async function frequencyMap(lat: Lattice, tracker: Tracker, opts: FMAOptions): Promise<FMAResult> {
  const s = fmaSetup(lat, opts);
  const T = opts.turns;
  const win = opts.tuneWindow;
  const windows = s.linearTunes.map((q) => (win === undefined ? undefined : [Math.max(0, q - win), Math.min(1, q + win)] as [number, number]));
  const batch = opts.batchSize ?? 1024;
  const points: FMAPoint[] = [];
  for (let b0 = 0; b0 < s.grid.length; b0 += batch) {
    const pts = s.grid.slice(b0, b0 + batch);
    const rec = await recordTurns(s.prog, tracker, s.start, s.orbit, s.twiss, pts, 2 * T);
    pts.forEach(([x0, y0], p) => {
      const sig = (plane: 0 | 1, half: 0 | 1) => {
        const o = (4 * p + 2 * plane) * 2 * T + half * T; // re; im follows 2T later
        return naffTune(rec.z.subarray(o, o + T), rec.z.subarray(o + 2 * T, o + 3 * T), windows[plane]);
      };
      const lossTurn = rec.lossTurn[p];
      const firstOk = lossTurn < 0 || lossTurn >= T;
      const nuX = firstOk ? sig(0, 0) : NaN;
      const nuY = firstOk ? sig(1, 0) : NaN;
      const survived = lossTurn < 0;
      const nuX2 = survived ? sig(0, 1) : NaN;
      const nuY2 = survived ? sig(1, 1) : NaN;
      points.push({ x0M: x0, y0M: y0, nuX, nuY, nuX2, nuY2, diffusion: diffusionIndex(nuX, nuY, nuX2, nuY2), survived, lossTurn });
    });
  }
  return {
    turns: T, mode: s.mode, delta: s.delta, startElement: s.start, startName: elementLabel(s.prog, s.start),
    orbit: Array.from(s.orbit), twiss: s.twiss, linearTunes: s.linearTunes, nx: opts.nx, ny: opts.ny, points,
  };
}

/**
 * Tracks the grid points for `turns` turns one turn at a time and records the normalised signals
 * at the start of every turn (a particle lost in turn t has samples 0…t). z layout per particle p: [(4p + 2·plane + part)·turns + t], part 0 = x̄ (re), 1 = −p̄ (im);
 * NaN after loss. Lost particles are dropped from the batch sent to the tracker.
 */
async function recordTurns(
  prog: Program, tracker: Tracker, start: number, orbit: Float64Array, tw: TwissXY,
  pts: Array<[number, number]>, turns: number,
): Promise<{ z: Float64Array; lossTurn: Int32Array }> {
  const n = pts.length;
  const z = new Float64Array(4 * n * turns).fill(NaN);
  const lossTurn = new Int32Array(n).fill(-1);
  const sbx = Math.sqrt(tw.betaX);
  const sby = Math.sqrt(tw.betaY);
  let alive = Array.from({ length: n }, (_, p) => p);
  let r = new Float64Array(6 * n);
  pts.forEach(([x, y], p) => {
    r.set(orbit, 6 * p);
    r[6 * p] += x;
    r[6 * p + 2] += y;
  });
  for (let t = 0; t < turns && alive.length > 0; t++) {
    // sample t: the coordinates at the start of turn t (sample 0 = the initial ones, as trackedTunes)
    for (let k = 0; k < alive.length; k++) {
      const o = 6 * k;
      const x = r[o] - orbit[0];
      const px = r[o + 1] - orbit[1];
      const y = r[o + 2] - orbit[2];
      const py = r[o + 3] - orbit[3];
      const base = 4 * alive[k] * turns;
      z[base + t] = x / sbx;
      z[base + turns + t] = -(tw.alphaX * x + tw.betaX * px) / sbx;
      z[base + 2 * turns + t] = y / sby;
      z[base + 3 * turns + t] = -(tw.alphaY * y + tw.betaY * py) / sby;
    }
    const starts = start > 0 ? new Int32Array(alive.length).fill(start) : undefined;
    const lost = await tracker.track(prog, r, 1, starts);
    let anyLost = false;
    for (let k = 0; k < alive.length; k++) {
      let ok = lost[k] < 0;
      for (let c = 0; c < 4 && ok; c++) ok = Number.isFinite(r[6 * k + c]);
      if (!ok) { lossTurn[alive[k]] = t; anyLost = true; }
    }
    if (anyLost) {
      const keep = alive.map((_, k) => k).filter((k) => lossTurn[alive[k]] < 0);
      const next = new Float64Array(6 * keep.length);
      keep.forEach((k, i) => next.set(r.subarray(6 * k, 6 * k + 6), 6 * i));
      alive = keep.map((k) => alive[k]);
      r = next;
    }
  }
  return { z, lossTurn };
}

export interface FMASummary {
  points: number;
  survived: number;
  /** Median, minimum and maximum diffusion over the survivors (NaN if none). */
  medianDiffusion: number;
  minDiffusion: number;
  maxDiffusion: number;
  /** Tune footprint (first-half tunes of the survivors): [min, max]. */
  nuXRange: [number, number];
  nuYRange: [number, number];
}

export function fmaSummary(res: FMAResult): FMASummary {
  const ok = res.points.filter((p) => p.survived);
  const d = ok.map((p) => p.diffusion).sort((a, b) => a - b);
  const median = d.length === 0 ? NaN : d.length % 2 ? d[(d.length - 1) / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
  const range = (v: number[]): [number, number] => (v.length ? [Math.min(...v), Math.max(...v)] : [NaN, NaN]);
  return {
    points: res.points.length,
    survived: ok.length,
    medianDiffusion: median,
    minDiffusion: d.length ? d[0] : NaN,
    maxDiffusion: d.length ? d[d.length - 1] : NaN,
    nuXRange: range(ok.map((p) => p.nuX)),
    nuYRange: range(ok.map((p) => p.nuY)),
  };
}
