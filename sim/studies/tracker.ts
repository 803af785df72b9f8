/**
 * How studies run their particles: in this thread (`serialTracker`) or on a worker pool
 * (`poolTracker`). Both give bit-identical results; a study only sees "track these particles for
 * T turns from these start elements, tell me when each was lost".
 */
import type { TrackingPool } from '../parallel/pool.ts';
import type { Program } from '../tracking/layout.ts';
import { newLossArrays, trackTurns } from '../tracking/track.ts';

export interface Tracker {
  /** Tracks coords (N × 6, changed in place) and returns the loss turn per particle (−1 = survived). */
  track(prog: Program, coords: Float64Array, turns: number, startElements?: Int32Array): Promise<Int32Array>;
}

export function serialTracker(seed = 0): Tracker {
  return {
    async track(prog, coords, turns, startElements) {
      const n = coords.length / 6;
      const lossTurn = new Int32Array(n).fill(-1);
      for (let s = 0; s < n;) {
        let e = s + 1;
        const st = startElements?.[s] ?? 0;
        while (e < n && (startElements?.[e] ?? 0) === st) e++;
        const loss = newLossArrays(e - s);
        trackTurns(prog, coords.subarray(6 * s, 6 * e), e - s, turns, loss, { seed, particleBase: s, startElement: st });
        lossTurn.set(loss.turn, s);
        s = e;
      }
      return lossTurn;
    },
  };
}

export function poolTracker(pool: TrackingPool, seed = 0): Tracker {
  return {
    async track(prog, coords, turns, startElements) {
      const res = await pool.track(prog, coords, { turns, seed, handleSigint: false, ...(startElements ? { startElements } : {}) });
      coords.set(res.coords);
      return res.lossTurn;
    },
  };
}
