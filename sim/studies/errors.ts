/**
 * Error-seed study: the same ring with N random sets of magnet misalignments ("error seeds"), and
 * for each its closed orbit, tunes and dynamic aperture.
 *
 * Seed k (0 ≤ k < N) misaligns every magnet of the chosen families (element types) by
 * dx = σx·g, dy = σy·g, tilt = σθ·g, added to the misalignment the element already has, with g a
 * standard normal truncated at ±2.5σ (drawn again while |g| > 2.5, the usual convention of
 * error studies). Every draw is one Philox word addressed by (k, element index in the whole ring,
 * quantity q = 0 dx / 1 dy / 2 tilt, attempt) under the key of the user seed
 * (sim/parallel/rng.ts), so seed k's lattice depends only on (seed, k, the rms values, the
 * families) — not on N, the order of computation, shards or worker threads.
 *
 * Misalignments break the periodicity, so the ring is first expanded to all its periods (element
 * index = index in the whole ring). With zero rms the expanded ring tracks exactly as the periodic
 * one (the tracking code runs the same elements period after period), so the DA equals the
 * error-free DA bit for bit.
 *
 * Per seed: rms closed orbit over the element entrances (4D optics closed orbit, δ = 0, sim/optics),
 * tunes (sim/optics/twiss.ts), and the DA at the ring start (sim/studies/da.ts) for each δ: area
 * (y ≥ 0) and horizontal extent (the smallest and largest x of the boundary). A seed without a
 * closed orbit (Newton does not converge, or the linear optics is unstable) is reported as
 * `status: 'no closed orbit'` with the reason, never as NaN, and left out of the summary.
 */
import type { Element, ElementType } from '../../lattice/elements.ts';
import { withFields } from '../../lattice/elements.ts';
import { expandPeriods, withElements, type Lattice } from '../../lattice/lattice.ts';
import { OpticsError } from '../optics/compile.ts';
import { linearOptics } from '../optics/twiss.ts';
import { gaussian, seedKey } from '../parallel/rng.ts';
import { OrbitError } from '../tracking/orbit.ts';
import { dynamicAperture, type DAOptions } from './da.ts';
import type { Tracker } from './tracker.ts';
import { StudyError } from './tune.ts';

/** Truncation of the Gaussian errors [σ]. */
export const ERROR_CUTOFF_SIGMA = 2.5;

export interface ErrorSpec {
  /** The user seed (key of the random stream). */
  seed: number;
  /** rms horizontal / vertical offset [m], rms roll [rad]. */
  dxRmsM: number;
  dyRmsM: number;
  tiltRmsRad: number;
  /** Element types that get errors (magnets only: they carry dx, dy, tilt). */
  families: ElementType[];
}

/** A standard normal truncated at ±ERROR_CUTOFF_SIGMA for (error seed k, element i, quantity q). */
export function truncatedGaussian(k0: number, k1: number, k: number, i: number, q: number): number {
  for (let attempt = 0; ; attempt++) {
    const g = gaussian(k, i, q, attempt, k0, k1);
    if (Math.abs(g) <= ERROR_CUTOFF_SIGMA) return g;
  }
}

/** The whole ring (periodicity 1) with the misalignments of error seed k. */
export function misalignedLattice(lat: Lattice, spec: ErrorSpec, k: number): Lattice {
  if (!Number.isSafeInteger(k) || k < 0 || k >= 2 ** 32) throw new RangeError(`error seed index must be a whole number in [0, 2^32) (got ${k})`);
  const [k0, k1] = seedKey(spec.seed);
  const ring = expandPeriods(lat);
  const fam = new Set<string>(spec.families);
  const els: Element[] = ring.elements.map((e, i) => {
    if (!fam.has(e.type) || !('tilt' in e)) return e;
    const m = e as Element & { dx: number; dy: number; tilt: number };
    return withFields(m, {
      dx: m.dx + spec.dxRmsM * truncatedGaussian(k0, k1, k, i, 0),
      dy: m.dy + spec.dyRmsM * truncatedGaussian(k0, k1, k, i, 1),
      tilt: m.tilt + spec.tiltRmsRad * truncatedGaussian(k0, k1, k, i, 2),
    });
  });
  return withElements(ring, els);
}

export interface SeedDA {
  delta: number;
  /** DA area in the half plane y ≥ 0 [m²]. */
  areaM2: number;
  /** Smallest and largest x of the boundary (relative to the closed orbit) [m]. */
  xMinM: number;
  xMaxM: number;
  /** Largest y of the boundary [m]. */
  yMaxM: number;
}

export interface SeedResult {
  /** Error seed index k (−1 for the error-free ring). */
  index: number;
  status: 'ok' | 'no closed orbit';
  /** Why there is no closed orbit (status 'no closed orbit'). */
  reason?: string;
  /** rms of the closed orbit over the element entrances [m]. */
  orbitRmsXM?: number;
  orbitRmsYM?: number;
  /** Largest |x|, |y| of the closed orbit [m]. */
  orbitMaxXM?: number;
  orbitMaxYM?: number;
  tunes?: [number, number];
  da?: SeedDA[];
  particlesTracked?: number;
}

export interface ErrorStudyOptions {
  errors: ErrorSpec;
  /** The error seeds [first, first + count) (a shard of a cluster run), of 0..N−1. */
  first: number;
  count: number;
  da: Omit<DAOptions, 'jobRange'>;
  /** Called after every seed (progress). */
  onSeed?: (r: SeedResult) => void;
}

/** Closed orbit, tunes and DA of one lattice (`index` labels the result). */
export async function seedResult(lat: Lattice, tracker: Tracker, da: Omit<DAOptions, 'jobRange'>, index: number): Promise<SeedResult> {
  let opt;
  try {
    opt = linearOptics(lat);
  } catch (err) {
    if (err instanceof OpticsError) return { index, status: 'no closed orbit', reason: err.message };
    throw err;
  }
  const n = opt.ring.n;
  const o = opt.twiss.orbit;
  let sx = 0, sy = 0, mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    const x = o[4 * i], y = o[4 * i + 2];
    sx += x * x; sy += y * y;
    mx = Math.max(mx, Math.abs(x)); my = Math.max(my, Math.abs(y));
  }
  const tunes: [number, number] = [opt.tunes[0], opt.tunes[1]];
  const orbitRmsXM = Math.sqrt(sx / n), orbitRmsYM = Math.sqrt(sy / n);
  if (![orbitRmsXM, orbitRmsYM, ...tunes].every(Number.isFinite)) {
    return { index, status: 'no closed orbit', reason: 'closed orbit or tunes not finite' };
  }
  let res;
  try {
    res = await dynamicAperture(lat, tracker, da);
  } catch (err) {
    if (err instanceof OrbitError || err instanceof StudyError) return { index, status: 'no closed orbit', reason: `tracking: ${err.message}` };
    throw err;
  }
  const daOut: SeedDA[] = res.boundaries.map((b) => {
    let xMin = 0, xMax = 0, yMax = 0;
    for (const r of b.rays) { xMin = Math.min(xMin, r.xM); xMax = Math.max(xMax, r.xM); yMax = Math.max(yMax, r.yM); }
    return { delta: b.delta, areaM2: b.areaM2, xMinM: xMin, xMaxM: xMax, yMaxM: yMax };
  });
  return {
    index, status: 'ok', orbitRmsXM, orbitRmsYM, orbitMaxXM: mx, orbitMaxYM: my, tunes, da: daOut,
    particlesTracked: res.particlesTracked,
  };
}

/** The error seeds [first, first + count), one after the other (each DA uses the whole tracker). */
export async function errorSeeds(lat: Lattice, tracker: Tracker, opts: ErrorStudyOptions): Promise<SeedResult[]> {
  const out: SeedResult[] = [];
  for (let k = opts.first; k < opts.first + opts.count; k++) {
    const r = await seedResult(misalignedLattice(lat, opts.errors, k), tracker, opts.da, k);
    opts.onSeed?.(r);
    out.push(r);
  }
  return out;
}

export interface Stats { mean: number; min: number; p10: number; p50: number; p90: number; max: number }

/** Mean, min, max and percentiles (linear interpolation between order statistics) of a non-empty list. */
export function stats(values: readonly number[]): Stats {
  const v = [...values].sort((a, b) => a - b);
  let s = 0;
  for (const x of values) s += x;
  const pct = (p: number) => {
    const h = (v.length - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, v.length - 1);
    return v[lo] + (h - lo) * (v[hi] - v[lo]);
  };
  return { mean: s / values.length, min: v[0], p10: pct(0.1), p50: pct(0.5), p90: pct(0.9), max: v[v.length - 1] };
}

export interface ErrorSummary {
  seeds: number;
  withClosedOrbit: number;
  noClosedOrbit: number;
  /** Statistics over the seeds with a closed orbit (absent when there is none). */
  orbitRmsXM?: Stats;
  orbitRmsYM?: Stats;
  tuneX?: Stats;
  tuneY?: Stats;
  da?: Array<{ delta: number; areaM2: Stats; xMinM: Stats; xMaxM: Stats }>;
}

/** Summary over the seeds, in index order (a merge of shards calls this on the same list). */
export function summariseSeeds(seeds: readonly SeedResult[]): ErrorSummary {
  const ok = seeds.filter((s) => s.status === 'ok');
  const sum: ErrorSummary = { seeds: seeds.length, withClosedOrbit: ok.length, noClosedOrbit: seeds.length - ok.length };
  if (ok.length === 0) return sum;
  sum.orbitRmsXM = stats(ok.map((s) => s.orbitRmsXM!));
  sum.orbitRmsYM = stats(ok.map((s) => s.orbitRmsYM!));
  sum.tuneX = stats(ok.map((s) => s.tunes![0]));
  sum.tuneY = stats(ok.map((s) => s.tunes![1]));
  sum.da = ok[0].da!.map((d, di) => ({
    delta: d.delta,
    areaM2: stats(ok.map((s) => s.da![di].areaM2)),
    xMinM: stats(ok.map((s) => s.da![di].xMinM)),
    xMaxM: stats(ok.map((s) => s.da![di].xMaxM)),
  }));
  return sum;
}
