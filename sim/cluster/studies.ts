/**
 * The studies that can be cut into shards: for each, what its result depends on (hashed), what a
 * shard stores, and how the shards combine into exactly the result of one single-machine run.
 *
 * - da: items are the (δ, ray) pairs, δ-major; each pair's bisection is independent, the area is
 *   recomputed over the merged rays with the same function (fanAreaM2) in the same order.
 * - ma: items are the sites (every Nth element); each site's δ± search is independent.
 * - capacity: items are the facility-years k = run·years + year, each on the stream (seed, k); the
 *   accumulator holds whole numbers (minutes, counts), so adding the shards' accumulators is exact.
 * - track: items are particles; particle p keeps its stream (seed, p) through `particleOffset`.
 *
 * The merged object has the keys, in the same order, of the study's `--json` output.
 */
import type { Lattice } from '../../lattice/lattice.ts';
import { summarise, type CapacityReport } from '../capacity/metrics.ts';
import { buildPlan, layoutOf } from '../capacity/model.ts';
import type { MonteCarloResult } from '../capacity/montecarlo.ts';
import type { CapacityScenario } from '../capacity/scenario.ts';
import type { ParallelTrackResult } from '../parallel/pool.ts';
import { fanAreaM2, type DABoundary, type DAResult } from '../studies/da.ts';
import type { MAPoint, MAResult } from '../studies/ma.ts';
import type { BeamParameters } from '../tracking/bunch.ts';
import { elementLabel } from '../tracking/compile.ts';
import type { Program } from '../tracking/layout.ts';
import { canonicalJson, sha256 } from './hash.ts';
import type { ShardFile } from './shard.ts';

/** A lattice as a hash of its full content (elements, energy, periodicity), plus its name. */
export function latticeIdentity(lat: Lattice): { name: string; sha256: string } {
  return { name: lat.name, sha256: sha256(canonicalJson(lat)) };
}

// ---------------------------------------------------------------------------------------------- da

export interface DAInputs {
  lattice: { name: string; sha256: string };
  turns: number; deltas: number[]; rays: number; rMaxM: number; precisionM: number;
  mode: string; radiation: boolean; slices: number | null;
}

export interface DAPayload {
  /** Closed orbit for every δ (each shard computes all of them; deterministic). */
  orbits: number[][];
  rays: DABoundary['rays'];
  particlesTracked: number;
  workers: number;
}

export function daShardInputs(lat: Lattice, o: Omit<DAInputs, 'lattice'>): DAInputs {
  return { lattice: latticeIdentity(lat), ...o };
}

export function daShardPayload(res: DAResult, workers: number): DAPayload {
  return {
    orbits: res.boundaries.map((b) => b.orbit),
    rays: res.boundaries.flatMap((b) => b.rays),
    particlesTracked: res.particlesTracked,
    workers,
  };
}

/** The `nanoterasu da --json` object of the whole scan (shards in order 1..N). */
export function mergeDA(shards: ShardFile<DAPayload>[]): { lattice: string; mode: string; radiation: boolean; workers: number } & DAResult {
  const inp = shards[0].inputs as DAInputs;
  const rays = shards.flatMap((s) => s.payload.rays);
  const boundaries: DABoundary[] = inp.deltas.map((delta, di) => {
    const r = rays.slice(di * inp.rays, (di + 1) * inp.rays);
    return { delta, orbit: shards[0].payload.orbits[di], rays: r, areaM2: fanAreaM2(r) };
  });
  let tracked = 0;
  for (const s of shards) tracked += s.payload.particlesTracked;
  return {
    lattice: inp.lattice.name, mode: inp.mode, radiation: inp.radiation, workers: shards[0].payload.workers,
    turns: inp.turns, precisionM: inp.precisionM, rMaxM: inp.rMaxM, boundaries, particlesTracked: tracked,
  };
}

// ---------------------------------------------------------------------------------------------- ma

export interface MAInputs {
  lattice: { name: string; sha256: string };
  turns: number; every: number; deltaMax: number; precision: number; radiation: boolean; slices: number | null;
}

export interface MAPayload { points: MAPoint[]; particlesTracked: number; workers: number }

export function maShardInputs(lat: Lattice, o: Omit<MAInputs, 'lattice'>): MAInputs {
  return { lattice: latticeIdentity(lat), ...o };
}

export function maShardPayload(res: MAResult, workers: number): MAPayload {
  return { points: res.points, particlesTracked: res.particlesTracked, workers };
}

/** The `nanoterasu ma --json` object of the whole ring (sites in order). */
export function mergeMA(shards: ShardFile<MAPayload>[]): { lattice: string; radiation: boolean; workers: number } & MAResult {
  const inp = shards[0].inputs as MAInputs;
  let tracked = 0;
  for (const s of shards) tracked += s.payload.particlesTracked;
  return {
    lattice: inp.lattice.name, radiation: inp.radiation, workers: shards[0].payload.workers,
    turns: inp.turns, precision: inp.precision, deltaMax: inp.deltaMax, points: shards.flatMap((s) => s.payload.points), particlesTracked: tracked,
  };
}

// ---------------------------------------------------------------------------------------- capacity

export interface CapacityInputs {
  scenario: CapacityScenario;
  whatIf: { spec: string; scenario: CapacityScenario }[];
  years: number; runs: number; seed: number;
}

export interface CapacityPayload {
  /** Baseline first, then each what-if variant: the shard's accumulator and used hours per year. */
  results: { acc: number[]; usedHours: number[] }[];
  workers: number;
}

export function capacityShardInputs(
  _scenarioPath: string, scenario: CapacityScenario, whatIf: { spec: string; scenario: CapacityScenario }[],
  mc: { years: number; runs: number; seed: number },
): CapacityInputs {
  return { scenario, whatIf, ...mc };
}

export function capacityShardPayload(results: MonteCarloResult[], workers: number): CapacityPayload {
  return { results: results.map((r) => ({ acc: Array.from(r.acc), usedHours: Array.from(r.usedHoursPerYear) })), workers };
}

/** Reports of the whole Monte Carlo (baseline and what-ifs), as `nanoterasu capacity` computes them. */
export function mergeCapacity(shards: ShardFile<CapacityPayload>[]): { report: CapacityReport; whatIf: { spec: string; report: CapacityReport }[] } {
  const inp = shards[0].inputs as CapacityInputs;
  const total = inp.years * inp.runs;
  const workers = shards[0].payload.workers;
  const one = (scenario: CapacityScenario, v: number): CapacityReport => {
    const plan = buildPlan(scenario);
    const layout = layoutOf(plan);
    const acc = new Float64Array(layout.size);
    const usedHoursPerYear = new Float64Array(total);
    for (const s of shards) {
      const r = s.payload.results[v];
      if (r.acc.length !== acc.length) throw new Error(`${s.shard.index}: accumulator of ${r.acc.length} values, expected ${acc.length}`);
      for (let i = 0; i < acc.length; i++) acc[i] += r.acc[i];
      usedHoursPerYear.set(r.usedHours, s.range.first);
    }
    return summarise({ plan, layout, options: { years: inp.years, runs: inp.runs, seed: inp.seed, workers }, facilityYears: total, acc, usedHoursPerYear });
  };
  return { report: one(inp.scenario, 0), whatIf: inp.whatIf.map((w, i) => ({ spec: w.spec, report: one(w.scenario, i + 1) })) };
}

// ------------------------------------------------------------------------------------------- track

export interface TrackInputs {
  lattice: { name: string; sha256: string };
  /** SHA-256 of the initial coordinates of the whole bunch (generated from the seed, or --input). */
  initialCoordsSha256: string;
  particleCount: number;
  turns: number; seed: number; mode: string; radiation: boolean; quantum: boolean; slices: number | null;
  chamberRadiusM: number | null; exactDrift: boolean; rfFromHarmonic: boolean;
}

export interface TrackPayload {
  /** Final [x, px, y, py, δ, cτ] of the shard's particles, null when lost. */
  particles: (number[] | null)[];
  lost: { index: number; turn: number; element: string; elementIndex: number }[];
  beam: BeamParameters | null;
  warnings: string[];
  workers: number;
  wallS: number;
}

export function trackShardInputs(lat: Lattice, coords: Float64Array, o: Omit<TrackInputs, 'lattice' | 'initialCoordsSha256' | 'particleCount'>): TrackInputs {
  return {
    lattice: latticeIdentity(lat),
    initialCoordsSha256: sha256(Buffer.from(coords.buffer, coords.byteOffset, coords.byteLength)),
    particleCount: coords.length / 6,
    ...o,
  };
}

export function trackShardPayload(
  prog: Program, res: ParallelTrackResult, first: number, extra: { beam: BeamParameters | undefined; warnings: string[] },
): TrackPayload {
  const n = res.lossTurn.length;
  const particles: (number[] | null)[] = [];
  const lost: TrackPayload['lost'] = [];
  for (let p = 0; p < n; p++) {
    if (res.lossTurn[p] >= 0) {
      particles.push(null);
      lost.push({ index: first + p, turn: res.lossTurn[p], element: elementLabel(prog, res.lossElement[p]), elementIndex: res.lossElement[p] });
    } else {
      particles.push(Array.from(res.coords.subarray(6 * p, 6 * p + 6)));
    }
  }
  return { particles, lost, beam: extra.beam ?? null, warnings: extra.warnings, workers: res.workers, wallS: res.wallS };
}

/** The `nanoterasu track --json` object of the whole bunch; wallS is the sum over the shards. */
export function mergeTrack(shards: ShardFile<TrackPayload>[]): Record<string, unknown> {
  const inp = shards[0].inputs as TrackInputs;
  const particles = shards.flatMap((s) => s.payload.particles);
  const lost = shards.flatMap((s) => s.payload.lost);
  const beam = shards[0].payload.beam;
  let wallS = 0;
  for (const s of shards) wallS += s.payload.wallS;
  return {
    lattice: inp.lattice.name, mode: inp.mode, radiation: inp.radiation, quantum: inp.quantum, slices: inp.slices,
    seed: inp.seed, workers: shards[0].payload.workers, turns: inp.turns, particleCount: inp.particleCount, particles, lost,
    survivors: inp.particleCount - lost.length, interrupted: false,
    ...(beam ? { beam } : {}),
    warnings: shards[0].payload.warnings,
    wallS,
  };
}

/** Which study a shard folder holds, and how it merges. */
export const STUDIES = ['da', 'ma', 'capacity', 'track'] as const;
export type StudyName = (typeof STUDIES)[number];
