/**
 * Quantum lifetime: loss of particles whose betatron or synchrotron amplitude, driven by the
 * quantum fluctuations of synchrotron radiation, reaches the aperture.
 *
 * τq = τd · e^ξ / (2ξ), ξ = a² / (2σ²) for a transverse aperture a where the beam size is σ, and
 * ξ = δ_acc² / (2σδ²) longitudinally (M. Sands, SLAC-121 (1970) §5.4; Wiedemann, "Particle Accelerator
 * Physics", 4th ed., eq. 13.58). τd is the amplitude damping time of that plane.
 *
 * For a 4th-generation ring the exponent is large (ξ ≳ 100) and τq is astronomically long; it is
 * computed in log space and returned as Infinity only when it overflows a double (> 1e308 s).
 */
import { LifetimeInputError } from './touschek.ts';

/** Quantum lifetime [s] for one plane: aperture (or acceptance in δ) over rms size, and the damping time. */
export function quantumLifetimePlane(apertureOverSigma: number, dampingTimeS: number): number {
  if (!(apertureOverSigma > 0)) throw new LifetimeInputError('apertureOverSigma', `must be > 0 (got ${apertureOverSigma})`);
  if (!(dampingTimeS > 0)) throw new LifetimeInputError('dampingTimeS', `must be > 0 (got ${dampingTimeS})`);
  const xi = 0.5 * apertureOverSigma * apertureOverSigma;
  const logTau = Math.log(dampingTimeS) + xi - Math.log(2 * xi);
  return logTau > 709 ? Infinity : Math.exp(logTau);
}

export interface QuantumInput {
  /** Horizontal: aperture half-width [m] and the beam size σx [m] at the same place (incl. dispersion). */
  apertureXM: number;
  sigmaXM: number;
  apertureYM: number;
  sigmaYM: number;
  momentumAcceptance: number;
  energySpread: number;
  /** Amplitude damping times [s]. */
  dampingTimeXS: number;
  dampingTimeYS: number;
  dampingTimeZS: number;
}

export interface QuantumResult {
  xS: number;
  yS: number;
  zS: number;
  totalS: number;
}

export function quantumLifetime(q: QuantumInput): QuantumResult {
  const xS = quantumLifetimePlane(q.apertureXM / q.sigmaXM, q.dampingTimeXS);
  const yS = quantumLifetimePlane(q.apertureYM / q.sigmaYM, q.dampingTimeYS);
  const zS = quantumLifetimePlane(q.momentumAcceptance / q.energySpread, q.dampingTimeZS);
  const rate = 1 / xS + 1 / yS + 1 / zS;
  return { xS, yS, zS, totalS: rate > 0 ? 1 / rate : Infinity };
}
