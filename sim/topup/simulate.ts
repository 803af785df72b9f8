/**
 * Top-up event simulation: the stored current over hours or days.
 *
 * Model (one step = a fraction of the output resolution, short enough for one shot at the fastest
 * shot rate):
 *  - decay: dI/dt = −(a + b I) I, the current-dependent loss rate of sim/lifetime/ring.ts (Touschek ∝ I,
 *    beam-induced gas ∝ I, base gas + quantum constant), integrated exactly over each step:
 *    I(t) = a I0 e^{−at} / (a + b I0 (1 − e^{−at}))  (a logistic-type solution; I0/(1 + b I0 t) if a = 0);
 *  - injection: shot by shot, at the top-up shot rate, when the trigger fires (current below a threshold,
 *    or a fixed interval), until the current reaches the target; each shot brings q (with jitter) of
 *    which the fraction η (efficiency model) is captured, and kicks out a fraction of the stored beam;
 *  - faults: a dump loses the whole stored charge; after the recovery time the injector refills from
 *    zero at the refill shot rate, then top-up resumes.
 *
 * Charge bookkeeping (exact to rounding): injected − lost − decayed = Q_end − Q_start, with
 * lost = injection losses + stored-beam losses at injection + dumps, Q = I·T0.
 *
 * Stored current I is in amperes inside; outputs in mA and hours where named so.
 */
import { type FaultParams, nextFaultInS, recoveryTimeS } from './faults.ts';
import { constantEfficiency, type InjectorParams, shotCharge } from './injector.ts';
import { Stream } from './rng.ts';

export type Trigger = { mode: 'threshold'; thresholdA: number } | { mode: 'interval'; intervalS: number };

export interface TopupParams {
  durationS: number;
  /** Output resolution [s] (one timeline sample per resolution step). */
  resolutionS: number;
  seed: number;
  /** Stream index (the day number in the Monte Carlo); 0 by default. */
  streamIndex?: number;
  targetCurrentA: number;
  /** Current at t = 0 [A] (the target by default). */
  initialCurrentA?: number;
  trigger: Trigger;
  /** Revolution period T0 [s] (stored charge = I·T0). */
  revolutionS: number;
  /** Loss-rate model 1/τ(I) = a + b·I. */
  lossRate: { aPerS: number; bPerSA: number };
  injector: InjectorParams;
  faults: FaultParams;
  /** Beam counts as delivered when I ≥ this fraction of the target (and not refilling). */
  availabilityThreshold: number;
  /** Keep the per-sample timeline (false in the Monte Carlo). */
  record?: boolean;
}

/** Machine state per sample: 0 = stored beam in top-up, 1 = beam lost / recovering, 2 = refilling. */
export const STATE_BEAM = 0;
export const STATE_DOWN = 1;
export const STATE_REFILL = 2;

export interface Timeline {
  /** Time at the end of each sample [s]. */
  tS: Float64Array;
  currentMA: Float64Array;
  /** Instantaneous total lifetime 1/(a + b I) [h]. */
  lifetimeH: Float64Array;
  /** Shots fired during the sample. */
  shots: Uint16Array;
  /** Machine state at the end of the sample (STATE_*). */
  state: Uint8Array;
}

export interface TopupSummary {
  durationH: number;
  targetCurrentMA: number;
  /** Statistics of the samples in top-up (state = beam), the "band" seen by users. */
  currentMA: { mean: number; min: number; max: number; rmsDeviation: number; peakToPeak: number };
  /** Mean over all samples, faults included. */
  meanCurrentAllMA: number;
  shots: number;
  shotsPerHour: number;
  injectedChargePerHourC: number;
  /** Realised mean capture efficiency (captured / injected). */
  injectionEfficiency: number;
  injectedChargeC: number;
  capturedChargeC: number;
  lostChargeC: number;
  lost: { injectionC: number; storedAtInjectionC: number; dumpsC: number };
  decayedChargeC: number;
  storedChargeStartC: number;
  storedChargeEndC: number;
  /** injected − lost − decayed − (Q_end − Q_start): zero to rounding. */
  balanceErrorC: number;
  lifetimeH: { min: number; mean: number; max: number };
  availability: number;
  faults: number;
  downtimeH: number;
  /** Mean interval between top-up bursts [s] (NaN if fewer than two). */
  meanBurstIntervalS: number;
}

export interface TopupResult {
  summary: TopupSummary;
  timeline?: Timeline;
}

export class TopupInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'TopupInputError';
  }
}

function validate(p: TopupParams): void {
  const pos = (field: string, v: number) => {
    if (!(v > 0 && Number.isFinite(v))) throw new TopupInputError(field, `must be a positive number (got ${v})`);
  };
  pos('durationS', p.durationS);
  pos('resolutionS', p.resolutionS);
  pos('targetCurrentA', p.targetCurrentA);
  pos('revolutionS', p.revolutionS);
  pos('injector.topupShotRateHz', p.injector.topupShotRateHz);
  pos('injector.refillShotRateHz', p.injector.refillShotRateHz);
  pos('injector.linacMaxRepetitionHz', p.injector.linacMaxRepetitionHz);
  if (p.injector.topupShotRateHz > p.injector.linacMaxRepetitionHz)
    throw new TopupInputError('injector.topupShotRateHz', `${p.injector.topupShotRateHz} Hz exceeds the linac's maximum repetition rate ${p.injector.linacMaxRepetitionHz} Hz`);
  if (p.injector.refillShotRateHz > p.injector.linacMaxRepetitionHz)
    throw new TopupInputError('injector.refillShotRateHz', `${p.injector.refillShotRateHz} Hz exceeds the linac's maximum repetition rate ${p.injector.linacMaxRepetitionHz} Hz`);
  if (!(p.injector.chargePerShotC > 0)) throw new TopupInputError('injector.chargePerShotC', `must be > 0 (got ${p.injector.chargePerShotC})`);
  if (!(p.injector.efficiency > 0 && p.injector.efficiency <= 1))
    throw new TopupInputError('injector.efficiency', `must be in (0, 1] (got ${p.injector.efficiency})`);
  if (!(p.injector.storedLossPerShot >= 0 && p.injector.storedLossPerShot < 1))
    throw new TopupInputError('injector.storedLossPerShot', `must be in [0, 1) (got ${p.injector.storedLossPerShot})`);
  if (!(p.lossRate.aPerS >= 0 && p.lossRate.bPerSA >= 0)) throw new TopupInputError('lossRate', 'loss rates must be ≥ 0');
  if (p.trigger.mode === 'threshold') {
    if (!(p.trigger.thresholdA > 0 && p.trigger.thresholdA <= p.targetCurrentA))
      throw new TopupInputError('trigger.thresholdA', `must be in (0, target] (got ${p.trigger.thresholdA} A, target ${p.targetCurrentA} A)`);
  } else {
    const minInterval = 1 / p.injector.linacMaxRepetitionHz;
    if (!(p.trigger.intervalS >= minInterval))
      throw new TopupInputError('trigger.intervalS', `${p.trigger.intervalS} s is shorter than the linac allows (1/${p.injector.linacMaxRepetitionHz} Hz = ${minInterval} s)`);
  }
  if (p.faults.enabled) {
    pos('faults.mtbfS', p.faults.mtbfS);
    if (!(p.faults.recoveryMinS >= 0)) throw new TopupInputError('faults.recoveryMinS', `must be ≥ 0 (got ${p.faults.recoveryMinS})`);
    if (!(p.faults.recoveryMeanExtraS >= 0)) throw new TopupInputError('faults.recoveryMeanExtraS', `must be ≥ 0 (got ${p.faults.recoveryMeanExtraS})`);
  }
  if (!(p.availabilityThreshold > 0 && p.availabilityThreshold <= 1))
    throw new TopupInputError('availabilityThreshold', `must be in (0, 1] (got ${p.availabilityThreshold})`);
}

/** Runs the top-up simulation. Pure: the result depends only on the parameters (seed included). */
export function simulateTopup(p: TopupParams): TopupResult {
  validate(p);
  const rng = new Stream(p.seed, p.streamIndex ?? 0);
  const inj = p.injector;
  const efficiencyOf = inj.efficiencyModel ?? constantEfficiency(inj.efficiency, inj.efficiencyJitter);
  const T0 = p.revolutionS;
  const a = p.lossRate.aPerS;
  const b = p.lossRate.bPerSA;

  const nSamples = Math.max(1, Math.round(p.durationS / p.resolutionS));
  // Step length: short enough for one shot per step at the rate in use. Top-up samples use the top-up
  // rate; a sample that starts in (or may enter) a refill uses the refill rate. The decay is exact for
  // any step, so the step only sets when shots and faults can happen (and the speed).
  const subTopup = Math.max(1, Math.ceil(p.resolutionS * inj.topupShotRateHz - 1e-9));
  const subRefill = Math.max(1, Math.ceil(p.resolutionS * inj.refillShotRateHz - 1e-9));
  const dtTopup = p.resolutionS / subTopup;
  const dtRefill = p.resolutionS / subRefill;
  // Decay factors of the constant part, once for all steps.
  const expTopup = Math.exp(-a * dtTopup), omeTopup = -Math.expm1(-a * dtTopup);
  const expRefill = Math.exp(-a * dtRefill), omeRefill = -Math.expm1(-a * dtRefill);
  const topupPeriod = 1 / inj.topupShotRateHz;
  const refillPeriod = 1 / inj.refillShotRateHz;
  const tol = 1e-9 * Math.min(dtTopup, dtRefill);

  const record = p.record !== false;
  const timeline: Timeline | undefined = record
    ? {
        tS: new Float64Array(nSamples),
        currentMA: new Float64Array(nSamples),
        lifetimeH: new Float64Array(nSamples),
        shots: new Uint16Array(nSamples),
        state: new Uint8Array(nSamples),
      }
    : undefined;

  let I = p.initialCurrentA ?? p.targetCurrentA;
  const q0 = I * T0;
  let state = STATE_BEAM;
  let burst = false;
  let lastShotT = -Infinity;
  let nextIntervalT = p.trigger.mode === 'interval' ? p.trigger.intervalS : Infinity;
  let nextFaultT = nextFaultInS(p.faults, rng);
  let downUntil = 0;
  let shots = 0;
  let faults = 0;
  let injected = 0, captured = 0, lossInj = 0, lossStored = 0, lossDump = 0, decayed = 0;
  let availableTime = 0, downTime = 0; // in samples (fractions for sub-steps)
  let bursts = 0, firstBurstT = NaN, lastBurstT = NaN;
  // band statistics over samples in top-up
  let nBand = 0, sumBand = 0, sumDev2 = 0, minBand = Infinity, maxBand = -Infinity, sumAll = 0;
  let sumTau = 0, minTau = Infinity, maxTau = 0;
  const isThreshold = p.trigger.mode === 'threshold';
  const thresholdA = p.trigger.mode === 'threshold' ? p.trigger.thresholdA : 0;
  const intervalS = p.trigger.mode === 'interval' ? p.trigger.intervalS : Infinity;
  const targetA = p.targetCurrentA;
  const availA = p.availabilityThreshold * p.targetCurrentA;

  for (let s = 0; s < nSamples; s++) {
    let shotsThisSample = 0;
    const t0 = s * p.resolutionS;
    const fine = state === STATE_REFILL || (state === STATE_DOWN && downUntil < t0 + p.resolutionS);
    const sub = fine ? subRefill : subTopup;
    const dt = fine ? dtRefill : dtTopup;
    const expA = fine ? expRefill : expTopup;
    const oneMinusExpA = fine ? omeRefill : omeTopup;
    for (let k = 0; k < sub; k++) {
      const t = t0 + k * dt;
      // 1. faults (only while beam is stored or being refilled)
      if (state !== STATE_DOWN && t + tol >= nextFaultT) {
        lossDump += I * T0;
        I = 0;
        faults++;
        burst = false;
        state = STATE_DOWN;
        downUntil = t + recoveryTimeS(p.faults, rng);
        nextFaultT = downUntil + nextFaultInS(p.faults, rng);
      }
      if (state === STATE_DOWN && t + tol >= downUntil) state = STATE_REFILL;
      // 2. trigger
      if (state === STATE_BEAM) {
        let start = false;
        if (isThreshold) {
          start = !burst && I < thresholdA;
        } else if (t + tol >= nextIntervalT) {
          nextIntervalT += intervalS;
          start = !burst && I < targetA;
        }
        if (start) {
          burst = true;
          bursts++;
          if (Number.isNaN(firstBurstT)) firstBurstT = t;
          lastBurstT = t;
        }
      }
      // 3. shots
      const period = state === STATE_REFILL ? refillPeriod : topupPeriod;
      if ((state === STATE_REFILL || (state === STATE_BEAM && burst)) && t - lastShotT >= period - tol) {
        const q = shotCharge(inj, rng);
        const eta = efficiencyOf({ storedCurrentA: I, shotIndex: shots, timeS: t, rng });
        const qc = q * (eta < 0 ? 0 : eta > 1 ? 1 : eta);
        const kicked = inj.storedLossPerShot * I * T0;
        injected += q;
        captured += qc;
        lossInj += q - qc;
        lossStored += kicked;
        I = (I * T0 - kicked + qc) / T0;
        shots++;
        shotsThisSample++;
        lastShotT = t;
        if (I >= targetA) {
          burst = false;
          if (state === STATE_REFILL) {
            state = STATE_BEAM;
            if (!isThreshold) nextIntervalT = t + intervalS;
          }
        }
      }
      // 4. availability and downtime over this step (state at the step start, after the shots)
      if (state === STATE_BEAM && I >= availA) availableTime += dt / p.resolutionS;
      if (state !== STATE_BEAM) downTime += dt / p.resolutionS;
      // 5. decay over dt (exact solution of dI/dt = −aI − bI²)
      if (I > 0) {
        const I1 = a > 0 ? (I * expA) / (1 + (b * I * oneMinusExpA) / a) : I / (1 + b * I * dt);
        decayed += (I - I1) * T0;
        I = I1;
      }
    }
    const mA = I * 1e3;
    const rate = a + b * I;
    const tauH = rate > 0 ? 1 / rate / 3600 : Infinity;
    sumAll += mA;
    if (state === STATE_BEAM) {
      nBand++;
      sumBand += mA;
      const dev = mA - p.targetCurrentA * 1e3;
      sumDev2 += dev * dev;
      if (mA < minBand) minBand = mA;
      if (mA > maxBand) maxBand = mA;
      sumTau += tauH;
      if (tauH < minTau) minTau = tauH;
      if (tauH > maxTau) maxTau = tauH;
    }
    if (timeline) {
      timeline.tS[s] = (s + 1) * p.resolutionS;
      timeline.currentMA[s] = mA;
      timeline.lifetimeH[s] = tauH;
      timeline.shots[s] = Math.min(shotsThisSample, 65535);
      timeline.state[s] = state;
    }
  }

  const durationS = nSamples * p.resolutionS;
  const hours = durationS / 3600;
  const qEnd = I * T0;
  const lost = lossInj + lossStored + lossDump;
  return {
    summary: {
      durationH: hours,
      targetCurrentMA: p.targetCurrentA * 1e3,
      currentMA: {
        mean: nBand ? sumBand / nBand : NaN,
        min: nBand ? minBand : NaN,
        max: nBand ? maxBand : NaN,
        rmsDeviation: nBand ? Math.sqrt(sumDev2 / nBand) : NaN,
        peakToPeak: nBand ? maxBand - minBand : NaN,
      },
      meanCurrentAllMA: sumAll / nSamples,
      shots,
      shotsPerHour: shots / hours,
      injectedChargePerHourC: injected / hours,
      injectionEfficiency: injected > 0 ? captured / injected : NaN,
      injectedChargeC: injected,
      capturedChargeC: captured,
      lostChargeC: lost,
      lost: { injectionC: lossInj, storedAtInjectionC: lossStored, dumpsC: lossDump },
      decayedChargeC: decayed,
      storedChargeStartC: q0,
      storedChargeEndC: qEnd,
      balanceErrorC: injected - lost - decayed - (qEnd - q0),
      lifetimeH: { min: nBand ? minTau : NaN, mean: nBand ? sumTau / nBand : NaN, max: nBand ? maxTau : NaN },
      availability: Math.min(1, availableTime / nSamples),
      faults,
      downtimeH: (downTime * p.resolutionS) / 3600,
      meanBurstIntervalS: bursts >= 2 ? (lastBurstT - firstBurstT) / (bursts - 1) : NaN,
    },
    timeline,
  };
}
