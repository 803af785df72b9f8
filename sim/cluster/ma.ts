/**
 * Shards of a momentum-acceptance scan (sim/studies/ma.ts): the items are the sites (every Nth
 * element); each site's δ± search is independent, so the merge is the single-machine
 * `nanoterasu ma --json` object exactly.
 */
import type { Lattice } from '../../lattice/lattice.ts';
import type { MAPoint, MAResult } from '../studies/ma.ts';
import { latticeIdentity, type ShardFile } from './shard.ts';

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
