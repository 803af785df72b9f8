/**
 * Shards of an error-seed study (sim/studies/errors.ts): the items are the error seeds k = 0…N−1;
 * seed k's lattice depends only on (seed, k), and each seed's orbit, tunes and DA are computed
 * independently, so the merge (seeds in order, the summary recomputed with `summariseSeeds`) is the
 * single-machine `nanoterasu errors --json` object exactly. Shard 1 also computes the error-free
 * reference.
 */
import type { Lattice } from '../../lattice/lattice.ts';
import { summariseSeeds, type SeedResult } from '../studies/errors.ts';
import { latticeIdentity, type ShardFile } from './shard.ts';

export interface ErrorsInputs {
  lattice: { name: string; sha256: string };
  seed: number; seeds: number; dxRmsM: number; dyRmsM: number; tiltRmsRad: number; families: string[];
  turns: number; deltas: number[]; rays: number; rMaxM: number; precisionM: number;
  mode: string; radiation: boolean; slices: number | null;
}

export interface ErrorsPayload {
  /** The error-free ring (shard 1 only). */
  errorFree: SeedResult | null;
  seeds: SeedResult[];
  workers: number;
}

export function errorsShardInputs(lat: Lattice, o: Omit<ErrorsInputs, 'lattice'>): ErrorsInputs {
  return { lattice: latticeIdentity(lat), ...o };
}

/** The `nanoterasu errors --json` object (also what the command itself prints). */
export function errorsJson(latticeName: string, inp: Omit<ErrorsInputs, 'lattice'>, workers: number, errorFree: SeedResult, seeds: SeedResult[]) {
  let tracked = errorFree.particlesTracked ?? 0;
  for (const s of seeds) tracked += s.particlesTracked ?? 0;
  return { lattice: latticeName, ...inp, workers, errorFree, results: seeds, summary: summariseSeeds(seeds), particlesTracked: tracked };
}

export function mergeErrors(shards: ShardFile<ErrorsPayload>[]): ReturnType<typeof errorsJson> {
  const { lattice, ...inp } = shards[0].inputs as ErrorsInputs;
  const errorFree = shards[0].payload.errorFree;
  if (!errorFree) throw new Error('shard 1 has no error-free result');
  return errorsJson(lattice.name, inp, shards[0].payload.workers, errorFree, shards.flatMap((s) => s.payload.seeds));
}
