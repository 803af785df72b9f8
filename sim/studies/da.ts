/**
 * Dynamic aperture: the largest initial transverse amplitude that survives a number of turns,
 * along rays in the (x, y) half plane y ≥ 0 at the tracking start, for a list of momentum offsets.
 *
 * Each ray θ_k = π k/(rays − 1) starts from the closed orbit at δ (4D orbit, found by tracking) with
 * (Δx, Δy) = r (cos θ, max(sin θ, 1 µm/r)), px, py on the orbit. The boundary radius is found by k-section: m
 * radii inside the bracket [lo, hi] are tracked together (all rays and all δ in one batch, so the
 * pool is kept busy); the bracket shrinks to the last survivor before the first loss, down to
 * `precisionM`. This finds the first loss along the ray from the inside (islands beyond are ignored).
 * In 6D mode the particles also start at the synchronous cτ of the 6D closed orbit.
 *
 * Area: the fan Σ ½ r_k r_{k+1} sin(θ_{k+1} − θ_k) over the half plane y ≥ 0 [m²].
 */
import type { Lattice } from '../../lattice/lattice.ts';
import { compileLattice, type CompileOptions } from '../tracking/compile.ts';
import { closedOrbit } from '../tracking/orbit.ts';
import { bracketProbe, narrowBracket } from './ksection.ts';
import type { Tracker } from './tracker.ts';

export interface DAOptions {
  turns: number;
  /** Momentum offsets (default [0]). */
  deltas?: number[];
  /** Number of rays from θ = 0 to π (default 19, every 10°). */
  rays?: number;
  /** Outer bound of the search [m] (default 0.02). */
  rMaxM?: number;
  /** Bisection stops when the bracket is narrower [m] (default 1e-5). */
  precisionM?: number;
  /** Radii tested per ray and step (default 3). */
  pointsPerStep?: number;
  compile?: CompileOptions;
  /**
   * Only the (δ, ray) pairs [first, first + count) of the δ-major list (δ index · rays + ray index):
   * one shard of a cluster run (sim/cluster). Each pair's bisection is independent of the others, so
   * its radius is the same as in the full scan; boundaries then hold only these rays.
   */
  jobRange?: { first: number; count: number };
}

export interface DABoundary {
  delta: number;
  /** Closed orbit the rays start from [x, px, y, py, δ, cτ]. */
  orbit: number[];
  rays: Array<{ angleRad: number; radiusM: number; xM: number; yM: number; reachedLimit: boolean }>;
  /** Area of the boundary polygon in the half plane y ≥ 0 [m²]. */
  areaM2: number;
}

export interface DAResult {
  turns: number;
  precisionM: number;
  rMaxM: number;
  boundaries: DABoundary[];
  /** Particles tracked in total. */
  particlesTracked: number;
}

export async function dynamicAperture(lat: Lattice, tracker: Tracker, opts: DAOptions): Promise<DAResult> {
  const deltas = opts.deltas ?? [0];
  const nRays = opts.rays ?? 19;
  const rMax = opts.rMaxM ?? 0.02;
  const prec = opts.precisionM ?? 1e-5;
  const m = opts.pointsPerStep ?? 3;
  if (nRays < 2) throw new RangeError('at least 2 rays');
  const prog = compileLattice(lat, opts.compile);
  const prog4 = compileLattice(lat, { ...opts.compile, mode: '4d', radiation: false, quantum: false });
  const ct0 = prog.mode === '6d' ? closedOrbit(prog)[5] : 0;
  const orbits = deltas.map((d) => {
    const co = closedOrbit(prog4, { guess: [0, 0, 0, 0, d, 0], dims: 4 });
    co[4] = d;
    co[5] = ct0;
    return co;
  });
  const angles = Array.from({ length: nRays }, (_, k) => (Math.PI * k) / (nRays - 1));
  // brackets per (δ, ray)
  const allJobs = deltas.flatMap((_, di) => angles.map((a) => ({ di, a, lo: 0, hi: rMax, limit: false })));
  const jobs = opts.jobRange ? allJobs.slice(opts.jobRange.first, opts.jobRange.first + opts.jobRange.count) : allJobs;
  let tracked = 0;
  // first: does the outer bound itself survive?
  {
    const r = new Float64Array(6 * jobs.length);
    jobs.forEach((j, i) => setStart(r, i, orbits[j.di], j.a, rMax));
    const lost = await tracker.track(prog, r, opts.turns);
    tracked += jobs.length;
    jobs.forEach((j, i) => {
      if (lost[i] < 0) { j.lo = rMax; j.limit = true; }
    });
  }
  for (;;) {
    const open = jobs.filter((j) => !j.limit && j.hi - j.lo > prec);
    if (open.length === 0) break;
    const r = new Float64Array(6 * open.length * m);
    open.forEach((j, i) => {
      for (let q = 0; q < m; q++) setStart(r, i * m + q, orbits[j.di], j.a, bracketProbe(j, q, m));
    });
    const lost = await tracker.track(prog, r, opts.turns);
    tracked += open.length * m;
    open.forEach((j, i) => narrowBracket(j, lost, i * m, m));
  }
  const boundaries: DABoundary[] = deltas.map((d, di) => {
    const rays = jobs.filter((j) => j.di === di).map((j) => ({
      angleRad: j.a, radiusM: j.lo, xM: j.lo * Math.cos(j.a), yM: j.lo * Math.sin(j.a), reachedLimit: j.limit,
    }));
    return { delta: d, orbit: Array.from(orbits[di]), rays, areaM2: fanAreaM2(rays) };
  });
  return { turns: opts.turns, precisionM: prec, rMaxM: rMax, boundaries, particlesTracked: tracked };
}

/** Area of the fan of rays (consecutive angles) [m²]: Σ ½ r_k r_{k+1} sin(θ_{k+1} − θ_k). */
export function fanAreaM2(rays: ReadonlyArray<{ angleRad: number; radiusM: number }>): number {
  let area = 0;
  for (let k = 0; k + 1 < rays.length; k++) {
    area += 0.5 * rays[k].radiusM * rays[k + 1].radiusM * Math.sin(rays[k + 1].angleRad - rays[k].angleRad);
  }
  return area;
}

function setStart(r: Float64Array, i: number, orbit: Float64Array, angle: number, radius: number): void {
  r.set(orbit, 6 * i);
  r[6 * i] += radius * Math.cos(angle);
  // rays along y = 0 get a 1 µm vertical offset, so that vertical motion (and its loss) can develop
  r[6 * i + 2] += Math.max(radius * Math.sin(angle), 1e-6);
}
