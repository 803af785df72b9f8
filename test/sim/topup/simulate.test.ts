import { describe, expect, it } from 'vitest';
import { simulateTopup, STATE_BEAM, type TopupParams } from '../../../sim/topup/simulate.ts';
import { Stream } from '../../../sim/topup/rng.ts';
import { maxSustainableCurrentA } from '../../../sim/topup/injector.ts';

const T0 = 348.843 / 299792458;
/** A ring with a 10 h lifetime at 400 mA, 2/3 of it current-dependent (Touschek-like). */
const lossRate = { aPerS: 1 / (30 * 3600), bPerSA: (1 / (10 * 3600) - 1 / (30 * 3600)) / 0.4 };

function params(over: Partial<TopupParams> = {}): TopupParams {
  return {
    durationS: 86400, resolutionS: 1, seed: 7, targetCurrentA: 0.4,
    trigger: { mode: 'threshold', thresholdA: 0.3996 }, revolutionS: T0, lossRate,
    injector: { linacMaxRepetitionHz: 25, topupShotRateHz: 1, refillShotRateHz: 10, chargePerShotC: 0.3e-9, chargeJitterRel: 0.05, efficiency: 0.9, efficiencyJitter: 0.03, storedLossPerShot: 1e-6 },
    faults: { enabled: true, mtbfS: 20 * 3600, recoveryMinS: 600, recoveryMeanExtraS: 1200 },
    availabilityThreshold: 0.9,
    ...over,
  };
}

describe('top-up event simulation', () => {
  it('charge bookkeeping over a simulated week: injected − lost − decayed = ΔQ to 1e-12 of the injected charge', () => {
    const r = simulateTopup(params({ durationS: 7 * 86400, record: false })).summary;
    expect(r.faults).toBeGreaterThan(0); // the week exercises dumps and refills too
    const dq = r.storedChargeEndC - r.storedChargeStartC;
    expect(Math.abs(r.injectedChargeC - r.lostChargeC - r.decayedChargeC - dq)).toBeLessThan(1e-12 * r.injectedChargeC);
    expect(r.lostChargeC).toBeCloseTo(r.lost.injectionC + r.lost.storedAtInjectionC + r.lost.dumpsC, 20);
  });

  it('decay without injection follows the exact solution of dI/dt = −(a + bI)I (1e-12)', () => {
    const I0 = 0.4;
    const r = simulateTopup(params({ durationS: 3600 * 5, trigger: { mode: 'threshold', thresholdA: 1e-9 }, faults: { enabled: false, mtbfS: 1, recoveryMinS: 0, recoveryMeanExtraS: 0 } }));
    const { aPerS: a, bPerSA: b } = lossRate;
    const t = 5 * 3600;
    const exact = (a * I0 * Math.exp(-a * t)) / (a + b * I0 * (1 - Math.exp(-a * t)));
    const tl = r.timeline!;
    expect(Math.abs(tl.currentMA[tl.currentMA.length - 1] / (exact * 1e3) - 1)).toBeLessThan(1e-12);
    expect(r.summary.shots).toBe(0);
    // the instantaneous lifetime reported is 1/(a + bI)
    expect(tl.lifetimeH[0]).toBeCloseTo(1 / (a + b * tl.currentMA[0] * 1e-3) / 3600, 9);
  });

  it('steady top-up: shots per hour match the loss rate / captured charge per shot (2 %), band within threshold and one shot', () => {
    const r = simulateTopup(params({ faults: { enabled: false, mtbfS: 1, recoveryMinS: 0, recoveryMeanExtraS: 0 }, injector: { ...params().injector, storedLossPerShot: 0 } })).summary;
    const I = r.currentMA.mean * 1e-3;
    const lossCps = (lossRate.aPerS + lossRate.bPerSA * I) * I * T0;
    expect(Math.abs(r.shotsPerHour / ((lossCps * 3600) / (0.3e-9 * 0.9)) - 1)).toBeLessThan(0.02);
    const quantumMA = (0.3e-9 * 1.2 / T0) * 1e3; // a shot with +4σ charge jitter
    expect(r.currentMA.min).toBeGreaterThan(399.6 - 0.02);
    expect(r.currentMA.max).toBeLessThan(400 + quantumMA);
    expect(r.availability).toBe(1);
    expect(Math.abs(r.injectionEfficiency - 0.9)).toBeLessThan(0.005);
  });

  it('interval trigger: bursts every intervalS seconds', () => {
    const r = simulateTopup(params({ trigger: { mode: 'interval', intervalS: 120 }, faults: { enabled: false, mtbfS: 1, recoveryMinS: 0, recoveryMeanExtraS: 0 } })).summary;
    expect(r.meanBurstIntervalS).toBeCloseTo(120, 6);
    expect(r.currentMA.min).toBeLessThan(399.6); // 2 min of decay at 10 h lifetime ≈ 1.3 mA
  });

  it('faults: a dump loses the stored charge, the beam is refilled at the refill rate, availability < 1', () => {
    const r = simulateTopup(params({ faults: { enabled: true, mtbfS: 6 * 3600, recoveryMinS: 600, recoveryMeanExtraS: 0 } }));
    const s = r.summary;
    expect(s.faults).toBeGreaterThan(0);
    expect(s.lost.dumpsC).toBeGreaterThan(0.9 * s.faults * 0.4 * T0);
    // each fault costs ≥ the recovery time plus the refill time (0.4 A·T0 / (0.27 nC · 10 Hz) ≈ 172 s)
    const refillS = (0.4 * T0) / (0.3e-9 * 0.9 * 10);
    expect(s.downtimeH * 3600).toBeGreaterThan(s.faults * (600 + 0.9 * refillS));
    expect(s.availability).toBeLessThan(1 - (s.faults * 600) / 86400 + 1e-9);
    expect(r.timeline!.state.some((x) => x !== STATE_BEAM)).toBe(true);
  });

  it('is reproducible from its seed and differs between seeds and stream indices', () => {
    const a = simulateTopup(params({ seed: 3, durationS: 7200 })).summary;
    const b = simulateTopup(params({ seed: 3, durationS: 7200 })).summary;
    const c = simulateTopup(params({ seed: 4, durationS: 7200 })).summary;
    const d = simulateTopup(params({ seed: 3, streamIndex: 1, durationS: 7200 })).summary;
    expect(b).toEqual(a);
    expect(c.injectedChargeC).not.toBe(a.injectedChargeC);
    expect(d.injectedChargeC).not.toBe(a.injectedChargeC);
  });

  it('the efficiency hook replaces the constant model (a tracking model plugs in here)', () => {
    const calls: number[] = [];
    const r = simulateTopup(params({ durationS: 3600, faults: { enabled: false, mtbfS: 1, recoveryMinS: 0, recoveryMeanExtraS: 0 },
      injector: { ...params().injector, chargeJitterRel: 0, efficiencyModel: ({ storedCurrentA }) => { calls.push(storedCurrentA); return 0.5; } } })).summary;
    expect(calls.length).toBe(r.shots);
    expect(r.injectionEfficiency).toBeCloseTo(0.5, 12);
  });

  it('impossible settings are errors naming the setting', () => {
    expect(() => simulateTopup(params({ trigger: { mode: 'interval', intervalS: 0.01 } }))).toThrow(/trigger.intervalS: 0.01 s is shorter than the linac allows/);
    expect(() => simulateTopup(params({ injector: { ...params().injector, topupShotRateHz: 50 } }))).toThrow(/injector.topupShotRateHz: 50 Hz exceeds/);
    expect(() => simulateTopup(params({ injector: { ...params().injector, efficiency: 1.2 } }))).toThrow(/injector.efficiency/);
    expect(() => simulateTopup(params({ trigger: { mode: 'threshold', thresholdA: 0.5 } }))).toThrow(/trigger.thresholdA/);
  });
});

describe('injector and random streams', () => {
  it('max sustainable current solves (aI + bI²)T0 = qηf', () => {
    const inj = params().injector;
    const I = maxSustainableCurrentA(inj, lossRate.aPerS, lossRate.bPerSA, T0);
    expect(((lossRate.aPerS * I + lossRate.bPerSA * I * I) * T0) / (0.3e-9 * 0.9 * 1)).toBeCloseTo(1, 12);
  });
  it('streams: uniform mean 1/2 and normal variance 1 within 4σ of the sampling error (n = 1e5)', () => {
    const s = new Stream(42, 9);
    let su = 0, sn = 0, sn2 = 0;
    const n = 100000;
    for (let i = 0; i < n; i++) { su += s.uniform(); const g = s.normal(); sn += g; sn2 += g * g; }
    expect(Math.abs(su / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sn / n)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(sn2 / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });
});
