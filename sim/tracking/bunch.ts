/**
 * A seeded Gaussian bunch matched to the optics at the tracking start point. Random numbers come
 * from the Philox streams (sim/parallel/rng.ts) under the run's seed, with counter
 * (particle, 0xFFFFFFFF, 0xFFFFFFFF, draw): the bunch is a function of (seed, N, beam) only.
 *
 *   x  = √(εx βx) u1 + ηx δ,     px = √(εx/βx)(u2 − αx u1) + η′x δ      (same for y, εy)
 *   δ  = σδ u5,                  cτ = cτs + σz u6                         (u_i standard normal)
 * cτs is the synchronous position when radiation is on: with pyAT's cavity kick
 * δ += −(V/E0) sin(2π f cτ/c), the energy loss U0 is restored at cτs = −asin(U0/V) c/(2π f).
 */
import { gaussian, seedKey } from '../parallel/rng.ts';

export interface BeamParameters {
  betaX: number; alphaX: number; betaY: number; alphaY: number;
  etaX: number; etaPX: number; etaY: number; etaPY: number;
  emittanceXM: number; emittanceYM: number;
  energySpread: number;
  bunchLengthM: number;
  /** Longitudinal centre cτs [m]. */
  ctCentreM: number;
  /** Where the numbers came from (reported with the result). */
  source: string;
}

export function gaussianBunch(n: number, beam: BeamParameters, seed: number): Float64Array {
  const [k0, k1] = seedKey(seed);
  const r = new Float64Array(6 * n);
  const sx = Math.sqrt(beam.emittanceXM * beam.betaX);
  const spx = Math.sqrt(beam.emittanceXM / beam.betaX);
  const sy = Math.sqrt(beam.emittanceYM * beam.betaY);
  const spy = Math.sqrt(beam.emittanceYM / beam.betaY);
  const M = 0xffffffff;
  for (let p = 0; p < n; p++) {
    const u1 = gaussian(p, M, M, 0, k0, k1);
    const u2 = gaussian(p, M, M, 1, k0, k1);
    const u3 = gaussian(p, M, M, 2, k0, k1);
    const u4 = gaussian(p, M, M, 3, k0, k1);
    const d = beam.energySpread * gaussian(p, M, M, 4, k0, k1);
    const i = 6 * p;
    r[i] = sx * u1 + beam.etaX * d;
    r[i + 1] = spx * (u2 - beam.alphaX * u1) + beam.etaPX * d;
    r[i + 2] = sy * u3 + beam.etaY * d;
    r[i + 3] = spy * (u4 - beam.alphaY * u3) + beam.etaPY * d;
    r[i + 4] = d;
    r[i + 5] = beam.ctCentreM + beam.bunchLengthM * gaussian(p, M, M, 5, k0, k1);
  }
  return r;
}
