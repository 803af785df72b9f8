/**
 * The beam at the tracking start point, for the default bunch of `nanoterasu track`.
 *
 * First choice: the optics module (sim/optics): periodic Twiss and dispersion at the first element,
 * natural emittance, energy spread, bunch length and U0 from the radiation integrals; εy = 1 % of
 * εx (a stated assumption: the coupling is not in the lattice).
 * Fallback (optics not available for this lattice, e.g. no bends): Twiss from the tracking one-turn
 * matrix (uncoupled 2×2 blocks), η from its 4D fixed point at δ = ±1e-6, and a documented simple
 * default εx = 1 nm, εy = 10 pm, σδ = 1e-3, σz = 3 mm, cτs = 0.
 */
import type { Lattice } from '../../lattice/lattice.ts';
import { computeOpticsDetailed } from '../optics/summary.ts';
import type { BeamParameters } from './bunch.ts';
import { compileLattice } from './compile.ts';
import { oneTurnMatrix } from './jacobian.ts';
import { C_LIGHT } from '../constants.ts';

/** Emittance ratio εy/εx assumed for the default bunch. */
export const DEFAULT_COUPLING = 0.01;

export function beamAtStart(lat: Lattice, opts: { radiation: boolean; mode: '4d' | '6d' }): BeamParameters {
  try {
    const { summary, twiss } = computeOpticsDetailed(lat, { skipNaturalChromaticity: true });
    const rf = summary.rf;
    let ctCentre = 0;
    if (opts.mode === '6d' && opts.radiation && rf) {
      const ratio = summary.energyLossPerTurnEV / rf.totalVoltageV;
      if (ratio < 1) ctCentre = (-Math.asin(ratio) * C_LIGHT) / (2 * Math.PI * rf.frequencyHz);
    }
    return {
      betaX: twiss.betaX[0], alphaX: twiss.alphaX[0], betaY: twiss.betaY[0], alphaY: twiss.alphaY[0],
      etaX: twiss.etaX[0], etaPX: twiss.etaPX[0], etaY: twiss.etaY[0], etaPY: twiss.etaPY[0],
      emittanceXM: summary.emittanceM,
      emittanceYM: summary.emittanceM * DEFAULT_COUPLING,
      energySpread: summary.energySpread,
      bunchLengthM: opts.mode === '6d' && rf ? rf.bunchLengthM : 0,
      ctCentreM: ctCentre,
      source: `sim/optics: periodic Twiss at '${twiss.names[0]}', natural emittance and energy spread; εy = ${DEFAULT_COUPLING} εx`,
    };
  } catch (err) {
    return fallbackBeam(lat, (err as Error).message);
  }
}

function fallbackBeam(lat: Lattice, why: string): BeamParameters {
  const prog = compileLattice(lat, { mode: '4d' });
  const m = oneTurnMatrix(prog);
  const twiss = (a: number, b: number, c: number, d: number) => {
    const cos = (a + d) / 2;
    if (!(Math.abs(cos) < 1)) throw new Error(`unstable one-turn matrix (|trace|/2 = ${Math.abs(cos)})`);
    const sin = Math.sign(b) * Math.sqrt(1 - cos * cos);
    return { beta: b / sin, alpha: (a - d) / (2 * sin) };
  };
  const tx = twiss(m[0], m[1], m[6], m[7]);
  const ty = twiss(m[14], m[15], m[20], m[21]);
  // dispersion: fixed point of the 2×2 map with the δ column, (1 − M) η = M·,δ
  const a = 1 - m[0], b = -m[1], c = -m[6], d = 1 - m[7];
  const det = a * d - b * c;
  const etaX = (d * m[4] - b * m[10]) / det;
  const etaPX = (a * m[10] - c * m[4]) / det;
  return {
    betaX: tx.beta, alphaX: tx.alpha, betaY: ty.beta, alphaY: ty.alpha,
    etaX, etaPX, etaY: 0, etaPY: 0,
    emittanceXM: 1e-9, emittanceYM: 1e-11, energySpread: 1e-3, bunchLengthM: 3e-3, ctCentreM: 0,
    source: `fallback (optics unavailable: ${why}): Twiss from the tracking one-turn matrix; εx = 1 nm, εy = 10 pm, σδ = 1e-3, σz = 3 mm`,
  };
}
