/**
 * The beam lifetime of a whole ring at a given stored current and fill pattern: Touschek + gas
 * (elastic + bremsstrahlung) + quantum, and the current-dependence used by the top-up simulation.
 *
 * Inputs are plain data (`RingBeam`), so this module does not depend on the optics or tracking code;
 * `adapters.ts` builds a `RingBeam` from them when they are available and `nanoterasu-model.ts` holds
 * the documented fallback ([M] values of shared/reference/nanoterasu.md).
 *
 * Current dependence (used by top-up): with a fixed fill pattern every bunch population scales with the
 * stored current I, so the Touschek rate is b_T · I; the gas rate is a_0 + a_1 · I when the pressure
 * rises with current (photon-stimulated desorption, P = P0 + (dP/dI) · I); the quantum rate is constant.
 * Hence 1/τ(I) = a + b · I, exact within this model (bunch lengthening and IBS with current are not
 * included: see the report in the CLI).
 */
import { C_LIGHT, E_CHARGE } from '../constants.ts';
import { gasLifetime, type GasResult } from './gas.ts';
import { ibsEquilibrium, type IbsEquilibrium } from './ibs.ts';
import { quantumLifetime, type QuantumResult } from './quantum.ts';
import { bunchLengthM as rfBunchLength, rfAcceptance, type RfResult } from './rf.ts';
import { LifetimeInputError, touschekLifetime, type LocalOptics } from './touschek.ts';

export interface VacuumModel {
  /** Base (static) average pressure [Pa], N2-equivalent not assumed: real partial pressures. */
  basePressurePa: number;
  /** Beam-induced pressure rise per ampere of stored current [Pa/A]. */
  pressurePerAmpPa: number;
  temperatureK: number;
  /** Partial-pressure fractions by gas. */
  composition: Record<string, number>;
}

export interface ApertureModel {
  /** Limiting horizontal half-aperture [m] at a place where βx = betaXAtApertureM (physical or dynamic). */
  xHalfM: number;
  betaXAtApertureM: number;
  /** Limiting vertical half-aperture [m] (e.g. the in-vacuum undulator half-gap) at βy = betaYAtApertureM. */
  yHalfM: number;
  betaYAtApertureM: number;
}

export interface RingBeam {
  name: string;
  energyEV: number;
  circumferenceM: number;
  harmonic: number;
  /** Optics sampled around the ring (or one period: averages are per length). */
  optics: LocalOptics;
  /** Local momentum acceptance (lattice), positive and |negative| side; a number means flat. */
  momentumAcceptancePos: ArrayLike<number> | number;
  momentumAcceptanceNeg: ArrayLike<number> | number;
  /** Where the optics and acceptance came from (printed by the CLI). */
  source: string;
  /** Natural emittance [m rad] (zero current, no coupling). */
  naturalEmittanceM: number;
  /** Emittance ratio κ = εy/εx; εx = ε0/(1+κ), εy = κ ε0/(1+κ). */
  coupling: number;
  energySpread: number;
  /** RF: voltage [V], U0 [eV], αc. The bunch length and RF acceptance follow from them unless overridden. */
  rf: { voltageV: number; energyLossPerTurnEV: number; momentumCompaction: number };
  /** Override of the zero-current bunch length [m] (e.g. with lengthening by a harmonic cavity). */
  bunchLengthOverrideM?: number;
  dampingTimesS: { x: number; y: number; z: number };
  apertures: ApertureModel;
  vacuum: VacuumModel;
  /** Use only the RF acceptance for Touschek (ignore the lattice acceptance). */
  rfAcceptanceOnly?: boolean;
  touschekMethod?: 'piwinski' | 'bruck';
  /**
   * Include intra-beam scattering (ibs.ts, Bane's model): the emittance, energy spread and bunch
   * length used for Touschek are the IBS equilibrium at the given current. The loss-rate model of the
   * top-up is then exact at its reference current and linear in between.
   */
  ibs?: boolean;
}

/** Relative charges of the filled buckets; `filledBuckets` = a uniform train of that many bunches. */
export type FillPattern = { filledBuckets: number } | { weights: readonly number[] };

export interface LifetimeBreakdown {
  currentA: number;
  bunchPopulationEff: number;
  bunches: number;
  emittanceXM: number;
  emittanceYM: number;
  bunchLengthM: number;
  rf: RfResult;
  /** Ring-averaged momentum acceptance actually used (min of lattice and RF), both sides. */
  momentumAcceptanceAvg: { pos: number; neg: number };
  touschekS: number;
  /** The IBS equilibrium used (when `ring.ibs`). */
  ibs?: IbsEquilibrium;
  gas: GasResult;
  pressurePa: number;
  quantum: QuantumResult;
  totalS: number;
}

/** Σw and Σw² of a fill pattern: the effective bunch population is N_total · Σw² / (Σw)². */
export function fillFactors(fill: FillPattern, harmonic: number): { bunches: number; concentration: number } {
  if ('filledBuckets' in fill) {
    const nb = fill.filledBuckets;
    if (!Number.isInteger(nb) || nb < 1 || nb > harmonic)
      throw new LifetimeInputError('fill.filledBuckets', `must be a whole number in 1..${harmonic} (the harmonic number), got ${nb}`);
    return { bunches: nb, concentration: 1 / nb };
  }
  const w = fill.weights;
  if (w.length < 1 || w.length > harmonic) throw new LifetimeInputError('fill.weights', `needs 1..${harmonic} entries (got ${w.length})`);
  let s1 = 0, s2 = 0, n = 0;
  for (const x of w) {
    if (!(x >= 0)) throw new LifetimeInputError('fill.weights', `weights must be ≥ 0 (got ${x})`);
    s1 += x; s2 += x * x; if (x > 0) n++;
  }
  if (!(s1 > 0)) throw new LifetimeInputError('fill.weights', 'at least one bucket must be filled');
  return { bunches: n, concentration: s2 / (s1 * s1) };
}

function mean(a: ArrayLike<number> | number, n: number): number {
  if (typeof a === 'number') return a;
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i];
  return s / n;
}

/** Length-weighted average of a sampled function. */
export function sAverage(sM: ArrayLike<number>, f: ArrayLike<number>): number {
  let integral = 0;
  for (let i = 1; i < sM.length; i++) integral += 0.5 * (f[i] + f[i - 1]) * (sM[i] - sM[i - 1]);
  return integral / (sM[sM.length - 1] - sM[0]);
}

function minAcceptance(a: ArrayLike<number> | number, rf: number, n: number, rfOnly: boolean): ArrayLike<number> | number {
  if (rfOnly) return rf;
  if (typeof a === 'number') return Math.min(a, rf);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(a[i], rf);
  return out;
}

/** Every lifetime component at stored current `currentA` [A]. */
export function ringLifetime(ring: RingBeam, currentA: number, fill: FillPattern): LifetimeBreakdown {
  if (!(currentA >= 0 && Number.isFinite(currentA))) throw new LifetimeInputError('currentA', `must be ≥ 0 (got ${currentA})`);
  if (!(ring.coupling > 0)) throw new LifetimeInputError('coupling', `must be > 0 (got ${ring.coupling}); a flat beam with εy = 0 has no Touschek lifetime`);
  const revolutionS = ring.circumferenceM / C_LIGHT;
  const { bunches, concentration } = fillFactors(fill, ring.harmonic);
  const totalElectrons = (currentA * revolutionS) / E_CHARGE;
  const nEff = totalElectrons * concentration;
  const rfParams = { ...ring.rf, harmonic: ring.harmonic, energyEV: ring.energyEV, circumferenceM: ring.circumferenceM };
  const rf = rfAcceptance(rfParams);
  const sigmaS0 = ring.bunchLengthOverrideM ?? rfBunchLength(rfParams, ring.energySpread);
  let ex = ring.naturalEmittanceM / (1 + ring.coupling);
  let ey = (ring.coupling * ring.naturalEmittanceM) / (1 + ring.coupling);
  let sp = ring.energySpread;
  let sigmaS = sigmaS0;
  let ibs: IbsEquilibrium | undefined;
  if (ring.ibs && nEff > 0) {
    ibs = ibsEquilibrium(
      { optics: ring.optics, energyEV: ring.energyEV, bunchPopulation: nEff, emittanceX: ex, emittanceY: ey, energySpread: sp, bunchLengthM: sigmaS },
      ring.dampingTimesS.x, ring.dampingTimesS.z, ring.coupling,
    );
    ex = ibs.emittanceX; ey = ibs.emittanceY; sp = ibs.energySpread; sigmaS = ibs.bunchLengthM;
  }
  const n = ring.optics.sM.length;
  const accPos = minAcceptance(ring.momentumAcceptancePos, rf.rfAcceptance, n, !!ring.rfAcceptanceOnly);
  const accNeg = minAcceptance(ring.momentumAcceptanceNeg, rf.rfAcceptance, n, !!ring.rfAcceptanceOnly);
  const t = touschekLifetime({
    ...ring.optics,
    momentumAcceptancePos: accPos,
    momentumAcceptanceNeg: accNeg,
    emittanceX: ex,
    emittanceY: ey,
    energySpread: sp,
    bunchLengthM: sigmaS,
    bunchPopulation: nEff,
    energyEV: ring.energyEV,
    method: ring.touschekMethod,
  });
  const pressurePa = ring.vacuum.basePressurePa + ring.vacuum.pressurePerAmpPa * currentA;
  const negAvg = mean(accNeg, n);
  const ap = ring.apertures;
  const gas = gasLifetime({
    pressurePa,
    temperatureK: ring.vacuum.temperatureK,
    composition: ring.vacuum.composition,
    betaXAvgM: sAverage(ring.optics.sM, ring.optics.betaX),
    betaYAvgM: sAverage(ring.optics.sM, ring.optics.betaY),
    acceptanceXM: (ap.xHalfM * ap.xHalfM) / ap.betaXAtApertureM,
    acceptanceYM: (ap.yHalfM * ap.yHalfM) / ap.betaYAtApertureM,
    momentumAcceptance: negAvg,
    energyEV: ring.energyEV,
  });
  // Quantum lifetime at the limiting apertures (dispersion there is taken as zero: straights).
  const quantum = quantumLifetime({
    apertureXM: ap.xHalfM,
    sigmaXM: Math.sqrt(ex * ap.betaXAtApertureM),
    apertureYM: ap.yHalfM,
    sigmaYM: Math.sqrt(ey * ap.betaYAtApertureM),
    momentumAcceptance: Math.min(negAvg, rf.rfAcceptance),
    energySpread: sp,
    dampingTimeXS: ring.dampingTimesS.x,
    dampingTimeYS: ring.dampingTimesS.y,
    dampingTimeZS: ring.dampingTimesS.z,
  });
  const rate = 1 / t.lifetimeS + 1 / gas.totalS + 1 / quantum.totalS;
  return {
    currentA,
    bunchPopulationEff: nEff,
    bunches,
    emittanceXM: ex,
    emittanceYM: ey,
    bunchLengthM: sigmaS,
    rf,
    momentumAcceptanceAvg: { pos: mean(accPos, n), neg: negAvg },
    touschekS: t.lifetimeS,
    ...(ibs ? { ibs } : {}),
    gas,
    pressurePa,
    quantum,
    totalS: rate > 0 ? 1 / rate : Infinity,
  };
}

/**
 * The linear loss-rate model 1/τ(I) = a + b·I [1/s] of a ring and fill pattern, fitted exactly from
 * two evaluations (the model is linear in I by construction; see the module comment).
 */
export interface LossRateModel {
  /** Current-independent rate [1/s] (gas at base pressure + quantum). */
  aPerS: number;
  /** Current-proportional rate [1/(s·A)] (Touschek + beam-induced gas). */
  bPerSA: number;
}

export function lossRateModel(ring: RingBeam, fill: FillPattern, referenceCurrentA = 0.4): LossRateModel {
  const at0 = ringLifetime(ring, 0, fill);
  const atRef = ringLifetime(ring, referenceCurrentA, fill);
  const a = 1 / at0.totalS;
  const b = (1 / atRef.totalS - a) / referenceCurrentA;
  return { aPerS: a, bPerSA: b };
}

/** Lifetime [s] from the linear model at current I [A]. */
export function modelLifetimeS(m: LossRateModel, currentA: number): number {
  const r = m.aPerS + m.bPerSA * currentA;
  return r > 0 ? 1 / r : Infinity;
}
