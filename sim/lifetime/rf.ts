/**
 * Longitudinal quantities from the RF system, for the lifetime models: RF momentum acceptance,
 * synchrotron frequency and the zero-current bunch length.
 *
 * Conventions: the synchronous phase φs is measured from the zero crossing, sin φs = U0 / (e V)
 * (electrons above transition, αc > 0). Formulas: H. Wiedemann, "Particle Accelerator Physics",
 * 4th ed. (2015), eqs. 9.53 (fs), 9.68 (separatrix height), 9.80 (bunch length); the same as
 * S.Y. Lee, "Accelerator Physics", eqs. 3.36, 3.44.
 */
import { C_LIGHT } from '../constants.ts';
import { LifetimeInputError } from './touschek.ts';

export interface RfParams {
  /** Total peak RF voltage [V]. */
  voltageV: number;
  /** Energy loss per turn [eV]. */
  energyLossPerTurnEV: number;
  /** Momentum compaction factor αc (> 0). */
  momentumCompaction: number;
  /** Harmonic number h. */
  harmonic: number;
  /** Beam energy [eV]. */
  energyEV: number;
  /** Circumference [m]. */
  circumferenceM: number;
}

export interface RfResult {
  /** Overvoltage q = eV / U0. */
  overvoltage: number;
  /** Synchronous phase [rad] from the zero crossing. */
  synchronousPhaseRad: number;
  /** RF momentum acceptance δ_rf (half height of the separatrix). */
  rfAcceptance: number;
  /** Synchrotron frequency [Hz] (small amplitude). */
  synchrotronFrequencyHz: number;
}

function check(p: RfParams): void {
  for (const k of ['voltageV', 'energyLossPerTurnEV', 'momentumCompaction', 'harmonic', 'energyEV', 'circumferenceM'] as const) {
    if (!(p[k] > 0 && Number.isFinite(p[k]))) throw new LifetimeInputError(k, `must be a positive number (got ${p[k]})`);
  }
  if (p.voltageV <= p.energyLossPerTurnEV)
    throw new LifetimeInputError(
      'voltageV',
      `${(p.voltageV / 1e6).toFixed(3)} MV does not exceed the energy loss per turn ${(p.energyLossPerTurnEV / 1e6).toFixed(3)} MeV: no stable bucket`,
    );
}

/**
 * RF acceptance: δ_rf² = (U0 / (π αc h E)) · F(q), F(q) = 2 (√(q² − 1) − arccos(1/q)) (Wiedemann eq. 9.68).
 * Synchrotron frequency: fs = f0 √(h αc e V cos φs / (2π E)).
 */
export function rfAcceptance(p: RfParams): RfResult {
  check(p);
  const q = p.voltageV / p.energyLossPerTurnEV;
  const F = 2 * (Math.sqrt(q * q - 1) - Math.acos(1 / q));
  const delta = Math.sqrt((p.energyLossPerTurnEV / (Math.PI * p.momentumCompaction * p.harmonic * p.energyEV)) * F);
  const phis = Math.asin(1 / q);
  const f0 = C_LIGHT / p.circumferenceM;
  const fs = f0 * Math.sqrt((p.harmonic * p.momentumCompaction * p.voltageV * Math.cos(phis)) / (2 * Math.PI * p.energyEV));
  return { overvoltage: q, synchronousPhaseRad: phis, rfAcceptance: delta, synchrotronFrequencyHz: fs };
}

/** Zero-current rms bunch length [m]: σz = c αc σδ / (2π fs). */
export function bunchLengthM(p: RfParams, energySpread: number): number {
  if (!(energySpread > 0)) throw new LifetimeInputError('energySpread', `must be > 0 (got ${energySpread})`);
  const { synchrotronFrequencyHz } = rfAcceptance(p);
  return (C_LIGHT * p.momentumCompaction * energySpread) / (2 * Math.PI * synchrotronFrequencyHz);
}
