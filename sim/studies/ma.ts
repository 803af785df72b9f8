/**
 * Local momentum acceptance (for the Touschek lifetime): at every Nth element of the ring, the
 * largest positive and negative momentum offsets δ± that a particle, kicked in δ at that element
 * while sitting on the closed orbit, survives for a number of turns (6D, RF on; radiation as
 * compiled). Turns start and end at the element itself (track.ts startElement).
 *
 * The closed orbit at each element is the 6D fixed point at the ring start propagated element by
 * element. A particle is lost on the usual apertures or when it leaves its RF bucket,
 * |cτ − cτs| > λRF/2 (without radiation a particle outside the separatrix would otherwise drift in
 * phase forever without hitting anything). δ± are found by k-section between 0 and ±δmax, all elements and both signs tracked in
 * one batch per step, down to `precision`.
 */
import type { Lattice } from '../../lattice/lattice.ts';
import { sPositions } from '../../lattice/lattice.ts';
import { compileLattice, elementLabel, type CompileOptions } from '../tracking/compile.ts';
import { C_LIGHT } from '../constants.ts';
import { KIND, RFC } from '../tracking/layout.ts';
import { bracketProbe, narrowBracket } from './ksection.ts';
import { StudyError } from './tune.ts';
import { closedOrbit } from '../tracking/orbit.ts';
import { newLossArrays, passElements } from '../tracking/track.ts';
import type { Tracker } from './tracker.ts';

export interface MAOptions {
  turns: number;
  /** Every Nth element of the ring (default 10); identity elements (markers) are skipped. */
  every?: number;
  /** Search bound |δ| (default 0.06). */
  deltaMax?: number;
  /** Stop when the bracket is narrower (default 1e-4). */
  precision?: number;
  pointsPerStep?: number;
  compile?: CompileOptions;
  /**
   * Only some of the sites (one shard of a cluster run, sim/cluster): given the number of sites,
   * returns the contiguous range [first, first + count) to compute. Each site's search is
   * independent of the others, so its δ± are those of the full scan.
   */
  siteRange?: (sitesTotal: number) => { first: number; count: number };
}

export interface MAPoint {
  /** Ring-wide element index and name. */
  index: number;
  element: string;
  /** s at the element entrance [m]. */
  sM: number;
  deltaPlus: number;
  deltaMinus: number;
}

export interface MAResult {
  turns: number;
  precision: number;
  deltaMax: number;
  points: MAPoint[];
  particlesTracked: number;
}

export async function momentumAcceptance(lat: Lattice, tracker: Tracker, opts: MAOptions): Promise<MAResult> {
  const prog = compileLattice(lat, { ...opts.compile, mode: '6d' });
  const every = opts.every ?? 10;
  const dMax = opts.deltaMax ?? 0.06;
  const prec = opts.precision ?? 1e-4;
  const m = opts.pointsPerStep ?? 3;
  const total = prog.nElements * prog.periodicity;
  const sPeriod = sPositions(lat);
  const periodLength = sPeriod[prog.nElements];

  // closed orbit at every selected element; the RF bucket window around the synchronous cτ
  const co = closedOrbit(prog);
  const rf = prog.kinds.indexOf(KIND.RF);
  if (rf < 0) throw new StudyError('momentum acceptance needs an RF cavity with voltage (none in the lattice)');
  const lambda = C_LIGHT / prog.params[prog.offsets[rf] + RFC.FREQ];
  prog.ctMinM = co[5] - lambda / 2;
  prog.ctMaxM = co[5] + lambda / 2;
  const r = Float64Array.from(co);
  const loss = newLossArrays(1);
  const sites: Array<{ index: number; orbit: Float64Array }> = [];
  for (let g = 0; g < total; g++) {
    const p = Math.floor(g / prog.nElements);
    const e = g - p * prog.nElements;
    if (g % every === 0 && prog.kinds[e] !== KIND.IDENTITY) sites.push({ index: g, orbit: Float64Array.from(r) });
    passElements(prog, r, 1, e, e + 1, 0, p, 0, 0, 0, loss);
  }
  if (opts.siteRange) {
    const { first, count } = opts.siteRange(sites.length);
    sites.splice(0, sites.length, ...sites.slice(first, first + count));
  }
  const jobs = sites.flatMap((s) => [1, -1].map((sign) => ({ s, sign, lo: 0, hi: dMax })));
  let tracked = 0;
  for (;;) {
    const open = jobs.filter((j) => j.hi - j.lo > prec);
    if (open.length === 0) break;
    const x = new Float64Array(6 * open.length * m);
    const starts = new Int32Array(open.length * m);
    open.forEach((j, i) => {
      for (let q = 0; q < m; q++) {
        const k = i * m + q;
        x.set(j.s.orbit, 6 * k);
        x[6 * k + 4] += j.sign * bracketProbe(j, q, m);
        starts[k] = j.s.index;
      }
    });
    const lost = await tracker.track(prog, x, opts.turns, starts);
    tracked += open.length * m;
    open.forEach((j, i) => narrowBracket(j, lost, i * m, m));
  }
  const points = sites.map((s) => {
    const p = Math.floor(s.index / prog.nElements);
    return {
      index: s.index,
      element: elementLabel(prog, s.index),
      sM: p * periodLength + sPeriod[s.index - p * prog.nElements],
      deltaPlus: jobs.find((j) => j.s === s && j.sign > 0)!.lo,
      deltaMinus: -jobs.find((j) => j.s === s && j.sign < 0)!.lo,
    };
  });
  return { turns: opts.turns, precision: prec, deltaMax: dMax, points, particlesTracked: tracked };
}
