/**
 * Shards of a dynamic-aperture scan (sim/studies/da.ts): the items are the (δ, ray) pairs,
 * δ-major; each pair's bisection is independent of the others, and the area is recomputed over the
 * merged rays with the same function (fanAreaM2) in the same order, so the merge is the
 * single-machine `nanoterasu da --json` object exactly.
 */
import type { Lattice } from '../../lattice/lattice.ts';
import { fanAreaM2, type DABoundary, type DAResult } from '../studies/da.ts';
import { latticeIdentity, type ShardFile } from './shard.ts';

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
