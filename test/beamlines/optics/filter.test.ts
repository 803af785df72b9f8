/** Filters and windows: exp(−μt) with μ = 4πβ/λ. */
import { describe, expect, it } from 'vitest';
import { attenuationPerM, filterTransmission } from '../../../beamlines/optics/filter.ts';
import { OpticsError } from '../../../beamlines/optics/errors.ts';

describe('filters and windows', () => {
  const be = (t: number) => ({ name: 'Be', material: 'Be', thicknessM: t });
  it('Beer–Lambert: T(2t) = T(t)² (1e-12) and T(0) = 1', () => {
    const t1 = filterTransmission(be(100e-6), 5000);
    expect(filterTransmission(be(200e-6), 5000)).toBeCloseTo(t1 * t1, 12);
    expect(filterTransmission(be(0), 5000)).toBe(1);
  });
  it('a 250 µm Be window passes > 90 % at 8 keV and < 5 % at 1 keV; attenuation falls with energy', () => {
    expect(filterTransmission(be(250e-6), 8000)).toBeGreaterThan(0.9);
    expect(filterTransmission(be(250e-6), 1000)).toBeLessThan(0.05);
    expect(attenuationPerM('Be', 4000)).toBeGreaterThan(attenuationPerM('Be', 8000));
  });
  it('Al K edge (1.56 keV): attenuation jumps by > 5× across it', () => {
    expect(attenuationPerM('Al', 1600) / attenuationPerM('Al', 1520)).toBeGreaterThan(5);
  });
  it('bad input: a negative thickness or an unknown material is an error', () => {
    expect(() => filterTransmission(be(-1e-6), 8000)).toThrow(OpticsError);
    expect(() => filterTransmission({ name: 'x', material: 'Vibranium', thicknessM: 1e-6 }, 8000)).toThrow(/unknown material/);
  });
});
