/**
 * Shards of a tracking run (sim/cli/track.ts): the items are the particles; particle p keeps its
 * random stream (seed, p) through the pool's `particleOffset`, so the merged particles are those of
 * the single-machine `nanoterasu track --json` (apart from the wall time).
 */
import type { Lattice } from '../../lattice/lattice.ts';
import type { ParallelTrackResult } from '../parallel/pool.ts';
import type { BeamParameters } from '../tracking/bunch.ts';
import { elementLabel } from '../tracking/compile.ts';
import type { Program } from '../tracking/layout.ts';
import { sha256 } from './hash.ts';
import { latticeIdentity, type ShardFile } from './shard.ts';

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
