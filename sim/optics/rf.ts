/**
 * Longitudinal motion: RF parameters of the ring and the momentum compaction from the 6×6 map.
 *
 * Conventions (pyAT): slip factor η_c = 1/γ² − α_c (negative above transition); the cavity kick
 * δ += −(V/E) sin(2π f ct/c − 2π·lag) with ct > 0 = late; the synchronous phase φs = π − asin(U0/V)
 * (above transition) appears as a closed-orbit ct offset.
 *   ν_s = √(|η_c h V cos φs| / (2π E)) / β                       (small-amplitude synchrotron tune)
 *   σ_z = β |η_c| C σδ / (2π ν_s)                                  (natural bunch length)
 *   δ_acc = √( 2 U0 / (π h |η_c| E) · (√(q² − 1) − arccos(1/q)) ),  q = V/U0
 * (half-height of a moving RF bucket: M. Sands, "The physics of electron storage rings", SLAC-121
 * (1970), chapter 7 (RF bucket, "overvoltage" q); H. Wiedemann, Particle Accelerator Physics,
 * chapter 9, "energy acceptance". pyAT's RF acceptance uses the same expression.)
 */
import { C_LIGHT } from '../constants.ts';
import { elementMatrix6, mul6, OpticsError, type CompiledRing } from './maps.ts';
import type { LinearOptics } from './twiss.ts';

export interface RfParameters {
  /** Total RF voltage of the ring [V]. */
  totalVoltageV: number;
  frequencyHz: number;
  harmonicNumber: number;
  synchronousPhaseRad: number;
  synchrotronTune: number;
  synchrotronFrequencyHz: number;
  bunchLengthM: number;
  /** RF bucket half-height (relative momentum). */
  energyAcceptance: number;
  /** η_c = 1/γ² − α_c. */
  slipFactor: number;
}

/** Total voltage, frequency and harmonic of the cavities (null when no cavity has voltage). */
export function rfSystem(ring: CompiledRing): { voltageV: number; frequencyHz: number; harmonic: number } | null {
  let v = 0, f = 0, h = 0;
  for (const e of ring.elements) {
    if (e.type !== 'rfcavity' || e.voltage === 0) continue;
    v += e.voltage;
    if (f === 0 && e.frequency > 0) f = e.frequency;
    if (h === 0 && e.harmonic > 0) h = e.harmonic;
  }
  if (v === 0) return null;
  const beta = Math.sqrt(1 - 1 / (ring.gamma * ring.gamma));
  const f0 = (beta * C_LIGHT) / ring.circumferenceM;
  if (h === 0 && f === 0) throw new OpticsError('an RF cavity has neither a frequency nor a harmonic number', { field: 'frequency' });
  if (h === 0) h = Math.round(f / f0);
  if (f === 0) f = h * f0;
  return { voltageV: v * ring.periodicity, frequencyHz: f, harmonic: h };
}

export function rfParameters(
  ring: CompiledRing, energyLossPerTurnEV: number, energySpread: number, momentumCompaction: number,
): RfParameters | null {
  const sys = rfSystem(ring);
  if (!sys) return null;
  const { voltageV: V, frequencyHz: f, harmonic: h } = sys;
  const E = ring.energyEV, U0 = energyLossPerTurnEV;
  if (!(U0 < V)) {
    throw new OpticsError(
      `RF voltage ${(V / 1e6).toFixed(4)} MV is not above the energy loss per turn ${(U0 / 1e6).toFixed(4)} MeV: no stable RF bucket`,
      { field: 'voltage' },
    );
  }
  const gamma = ring.gamma;
  const beta = Math.sqrt(1 - 1 / (gamma * gamma));
  const eta = 1 / (gamma * gamma) - momentumCompaction;
  const phis = Math.PI - Math.asin(U0 / V);
  const nus = Math.sqrt(Math.abs((eta * h * V * Math.cos(phis)) / (2 * Math.PI * E))) / beta;
  const T0 = ring.circumferenceM / (beta * C_LIGHT);
  const q = V / U0;
  const acc = Math.sqrt(((2 * U0) / (Math.PI * h * Math.abs(eta) * E)) * (Math.sqrt(q * q - 1) - Math.acos(1 / q)));
  return {
    totalVoltageV: V,
    frequencyHz: f,
    harmonicNumber: h,
    synchronousPhaseRad: phis,
    synchrotronTune: nus,
    synchrotronFrequencyHz: nus / T0,
    bunchLengthM: (beta * Math.abs(eta) * ring.circumferenceM * energySpread) / (2 * Math.PI * nus),
    energyAcceptance: acc,
    slipFactor: eta,
  };
}

/** One-period 6×6 matrix at δ = 0 about the design orbit (cavities as identity), row-major. */
export function periodMatrix6(ring: CompiledRing): Float64Array {
  let M = new Float64Array(36);
  for (let i = 0; i < 6; i++) M[i * 7] = 1;
  let T = new Float64Array(36);
  const E = new Float64Array(36);
  for (const el of ring.elements) {
    elementMatrix6(el, E);
    mul6(E, M, T);
    const s = M; M = T; T = s;
  }
  return M;
}

/**
 * Momentum compaction from the map: the path lengthening per turn along the dispersion orbit,
 * α_c = (M51 η + M52 η' + M53 η_y + M54 η_y' + M56) / L over one period (ct = path lengthening).
 */
export function momentumCompactionFromMap(opt: LinearOptics): number {
  const M = periodMatrix6(opt.ring);
  const t = opt.twiss;
  const dct = M[30] * t.etaX[0] + M[31] * t.etaPX[0] + M[32] * t.etaY[0] + M[33] * t.etaPY[0] + M[34];
  return dct / opt.ring.periodLengthM;
}
