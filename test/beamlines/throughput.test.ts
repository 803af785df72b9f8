/** Throughput: counting statistics + dead time → time per sample and samples per hour. */
import { describe, expect, it } from 'vitest';
import { beamFor, loadFacilityOptics, stationSummary } from '../../beamlines/optics/chain.ts';
import { OpticsError } from '../../beamlines/optics/errors.ts';
import { TECHNIQUE_MODELS, techniqueModel, throughput } from '../../beamlines/throughput.ts';

const p = { countsPerPoint: 1e6, detectedPerPhoton: 0.1, points: 100, minDwellS: 0.01, overheadS: 600 };

describe('throughput model', () => {
  it('counting-limited: t = overhead + points · N/(Φ y) exactly (1e-12), samples/h = 3600/t', () => {
    const r = throughput(p, 1e8);
    expect(r.timePerSampleS).toBeCloseTo(600 + 100 * (1e6 / (1e8 * 0.1)), 9);
    expect(r.samplesPerHour).toBeCloseTo(3600 / r.timePerSampleS, 12);
    expect(r.deadTimeLimited).toBe(false);
    // doubling the flux halves the counting part
    const r2 = throughput(p, 2e8);
    expect(r2.timePerSampleS - 600).toBeCloseTo((r.timePerSampleS - 600) / 2, 9);
  });
  it('dead-time-limited at high flux: t = overhead + points · t_min, flat in flux', () => {
    const a = throughput(p, 1e14);
    const b = throughput(p, 1e15);
    expect(a.timePerSampleS).toBeCloseTo(600 + 100 * 0.01, 9);
    expect(b.samplesPerHour).toBe(a.samplesPerHour);
    expect(a.deadTimeLimited).toBe(true);
  });
  it('samples per hour never exceed 3600/overhead and rise monotonically with flux', () => {
    let prev = 0;
    for (let f = 1e6; f <= 1e15; f *= 10) {
      const s = throughput(p, f).samplesPerHour;
      expect(s).toBeGreaterThanOrEqual(prev);
      expect(s).toBeLessThanOrEqual(3600 / 600);
      prev = s;
    }
  });
  it('bad input is an error, not a silent zero', () => {
    expect(() => throughput(p, 0)).toThrow(OpticsError);
    expect(() => throughput(p, Number.NaN)).toThrow(/positive number of photons\/s/);
    expect(() => throughput({ ...p, detectedPerPhoton: 0 }, 1e10)).toThrow(/detectedPerPhoton must be > 0/);
    expect(() => techniqueModel('telepathy')).toThrow(/unknown throughput model "telepathy"/);
  });
  it('every technique model documents its numbers', () => {
    for (const [name, m] of Object.entries(TECHNIQUE_MODELS)) {
      expect(m.description.length, name).toBeGreaterThan(40);
      expect(m.countsPerPoint * m.detectedPerPhoton * m.points).toBeGreaterThan(0);
    }
  });
});

describe('facility throughput', () => {
  it('every station has a finite, positive samples per hour below its overhead limit', () => {
    for (const bo of loadFacilityOptics()) {
      const beam = beamFor(bo.beamline);
      for (const s of bo.stations) {
        const sum = stationSummary(bo, s, beam, 3);
        expect(sum.throughput.samplesPerHour, `${bo.id} ${s.name}`).toBeGreaterThan(0);
        expect(sum.throughput.samplesPerHour).toBeLessThanOrEqual(3600 / s.throughput.overheadS);
      }
    }
  });
});
