/**
 * The tracking loop: for every turn, for every period, for every element, the element's pass
 * method over all particles, then the loss check. Pure functions over typed arrays, no Node APIs
 * (the same code runs in a Node worker thread or a browser Web Worker).
 *
 * Reproducibility: a particle's trajectory depends only on its own coordinates, its global index
 * (which keys its random numbers), the turn and the element. Splitting particles over workers or
 * chunks therefore gives bit-identical results.
 */
import { seedKey } from '../parallel/rng.ts';
import { aperturePass, checkLosses } from './apertures.ts';
import { KIND, type Program } from './layout.ts';
import { driftPass, exactDriftPass } from './passes/drift.ts';
import { magnetPass } from './passes/magnet.ts';
import { rfCavityPass } from './passes/rf.ts';
import { correctorPass, thinMultipolePass } from './passes/thin.ts';
import { undulatorPass } from './passes/undulator.ts';

/** Where particles were lost: turn and ring-wide element index, −1 while alive. */
export interface LossArrays {
  turn: Int32Array;
  element: Int32Array;
}

export function newLossArrays(n: number): LossArrays {
  return { turn: new Int32Array(n).fill(-1), element: new Int32Array(n).fill(-1) };
}

/**
 * Passes n particles (r: n × 6, in place) through elements [from, to) of one period.
 * `period` is the period number within the turn (for the ring-wide element index), `particleBase`
 * the global index of r's first particle (for the random numbers), `k0, k1` the Philox key (seed).
 */
export function passElements(
  prog: Program, r: Float64Array, n: number, from: number, to: number,
  turn: number, period: number, particleBase: number, k0: number, k1: number, loss: LossArrays,
): void {
  const { kinds, offsets, params: P } = prog;
  const crad = prog.radiation ? prog.crad : 0;
  const qdiff = prog.quantum ? prog.quantumDiffusion : 0;
  const ringBase = period * prog.nElements;
  for (let e = from; e < to; e++) {
    const o = offsets[e];
    const elem = ringBase + e;
    switch (kinds[e]) {
      case KIND.IDENTITY:
        continue;
      case KIND.DRIFT:
        driftPass(r, n, P, o);
        break;
      case KIND.DRIFT_EXACT:
        exactDriftPass(r, n, P, o);
        break;
      case KIND.MAGNET:
        magnetPass(r, n, P, o, crad, qdiff, particleBase, turn, elem, k0, k1);
        break;
      case KIND.THIN:
        thinMultipolePass(r, n, P, o);
        break;
      case KIND.CORRECTOR:
        correctorPass(r, n, P, o);
        break;
      case KIND.RF:
        rfCavityPass(r, n, P, o, turn);
        break;
      case KIND.APERTURE:
        aperturePass(r, n, P, o, loss.turn, loss.element, turn, elem);
        break;
      case KIND.UNDULATOR:
        undulatorPass(r, n, P, o);
        break;
    }
    checkLosses(r, n, prog.chamberRadiusM, prog.ctMinM, prog.ctMaxM, loss.turn, loss.element, turn, elem);
  }
}

export interface TrackControl {
  /** Shared stop flag: tracking ends at the next turn boundary when [0] ≠ 0. */
  stop?: Int32Array;
  /** Called after every turn with the number of turns completed so far (progress reporting). */
  onTurn?: (turnsDone: number) => void;
}

/**
 * Tracks n particles (in place) for `turns` turns, starting at turn number `firstTurn`. With
 * `startElement` (ring-wide index, period × elements + index) a turn starts and ends at the
 * entrance of that element instead of the first one (local studies such as momentum acceptance).
 * Returns the number of turns completed (less than `turns` only if stopped).
 */
export function trackTurns(
  prog: Program, r: Float64Array, n: number, turns: number, loss: LossArrays,
  opts: { seed?: number; particleBase?: number; firstTurn?: number; startElement?: number } = {}, control: TrackControl = {},
): number {
  const [k0, k1] = seedKey(opts.seed ?? 0);
  const base = opts.particleBase ?? 0;
  const first = opts.firstTurn ?? 0;
  const nE = prog.nElements;
  const total = nE * prog.periodicity;
  const start = opts.startElement ?? 0;
  if (!(Number.isInteger(start) && start >= 0 && start < total)) {
    throw new RangeError(`start element ${start} is outside the ring (0…${total - 1})`);
  }
  const p0 = Math.floor(start / nE);
  const e0 = start - p0 * nE;
  for (let t = 0; t < turns; t++) {
    if (control.stop && Atomics.load(control.stop, 0) !== 0) return t;
    const turn = first + t;
    // from the start element to the end of its period, the other periods, then back to the start
    passElements(prog, r, n, e0, nE, turn, p0, base, k0, k1, loss);
    for (let k = 1; k < prog.periodicity; k++) {
      passElements(prog, r, n, 0, nE, turn, (p0 + k) % prog.periodicity, base, k0, k1, loss);
    }
    if (e0 > 0) passElements(prog, r, n, 0, e0, turn, p0, base, k0, k1, loss);
    control.onTurn?.(t + 1);
  }
  return turns;
}
