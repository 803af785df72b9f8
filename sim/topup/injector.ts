/**
 * The injector as seen by the top-up loop: shots of charge from the full-energy C-band linac, their
 * capture efficiency in the ring, and the stored-beam loss that each injection kick causes.
 *
 * Published (shared/reference/nanoterasu.md §3): full-energy 3 GeV C-band linac, 110 m, 40 structures,
 * 50 kV thermionic gun giving 1.6 nC (10¹⁰ e) per pulse; in-vacuum off-axis injection with a 7.5 mm
 * bump and < 10 µm stored-beam transient. NOT published: charge per shot into the ring, repetition
 * rate, injection efficiency, top-up interval; the defaults for those are documented assumptions in
 * scenarios/topup.yaml.
 *
 * Injection-efficiency hook: `efficiency` is a function of the shot context. The default is a constant
 * mean with Gaussian shot-to-shot jitter. To use tracking (an injected bunch launched at the septum and
 * tracked into the dynamic aperture with sim/tracking), supply an `InjectionEfficiencyModel` that
 * returns the captured fraction for the shot; nothing else changes.
 */
import type { Stream } from './rng.ts';

export interface ShotContext {
  /** Stored current before the shot [A]. */
  storedCurrentA: number;
  /** Shot number since the start of the simulation. */
  shotIndex: number;
  /** Time of the shot [s]. */
  timeS: number;
  /** The simulation's random stream (use it, and only it, for reproducibility). */
  rng: Stream;
}

/** Returns the fraction (0..1) of a shot's charge captured by the ring. */
export type InjectionEfficiencyModel = (shot: ShotContext) => number;

export interface InjectorParams {
  /** Highest repetition rate the linac can run [Hz] (physical limit; settings above it are errors). */
  linacMaxRepetitionHz: number;
  /** Shot rate during a top-up burst [Hz]. */
  topupShotRateHz: number;
  /** Shot rate when refilling from zero after a beam loss [Hz]. */
  refillShotRateHz: number;
  /** Mean charge per shot delivered at the injection point [C]. */
  chargePerShotC: number;
  /** Relative rms shot-to-shot charge jitter. */
  chargeJitterRel: number;
  /** Mean injection (capture) efficiency, 0..1. */
  efficiency: number;
  /** Absolute rms shot-to-shot jitter of the efficiency. */
  efficiencyJitter: number;
  /** Fraction of the stored beam lost at each injection (kicker-bump imperfection). */
  storedLossPerShot: number;
  /** Optional replacement of the constant-efficiency model (the tracking hook). */
  efficiencyModel?: InjectionEfficiencyModel;
}

/** Constant mean efficiency with Gaussian jitter, clipped to [0, 1]. */
export function constantEfficiency(mean: number, jitter: number): InjectionEfficiencyModel {
  return ({ rng }) => {
    const e = jitter > 0 ? mean + jitter * rng.normal() : mean;
    return e < 0 ? 0 : e > 1 ? 1 : e;
  };
}

/** Charge of one shot [C]: the mean with Gaussian relative jitter, clipped at zero. */
export function shotCharge(p: InjectorParams, rng: Stream): number {
  const q = p.chargeJitterRel > 0 ? p.chargePerShotC * (1 + p.chargeJitterRel * rng.normal()) : p.chargePerShotC;
  return q > 0 ? q : 0;
}

/** Mean captured charge per second at the top-up shot rate [C/s]. */
export function maxInjectionRateCps(p: InjectorParams): number {
  return p.chargePerShotC * p.efficiency * p.topupShotRateHz;
}

/**
 * The highest stored current the injector can hold against losses dI/dt = −(a + bI)·I at the top-up
 * shot rate [A] (largest I with (a I + b I²) T0 ≤ Q·η·f), ignoring the stored loss per shot.
 */
export function maxSustainableCurrentA(p: InjectorParams, aPerS: number, bPerSA: number, revolutionS: number): number {
  const supply = maxInjectionRateCps(p) / revolutionS; // [A/s]
  if (bPerSA <= 0) return aPerS > 0 ? supply / aPerS : Infinity;
  return (-aPerS + Math.sqrt(aPerS * aPerS + 4 * bPerSA * supply)) / (2 * bPerSA);
}
