/** The source at a photon energy through a front-end aperture (undulator harmonics, wiggler fan). */
import { describe, expect, it } from 'vitest';
import { findBeamline, loadCatalogue } from '../../../beamlines/catalogue/catalogue.ts';
import { gammaOf, nanoterasuBeam } from '../../../beamlines/devices/beam.ts';
import { centralConeFlux, criticalEnergyEV, fieldFromK, settingFor, wigglerFluxPerMrad } from '../../../beamlines/devices/undulator.ts';
import { bendingVerticalFraction, gaussianFraction, sourceAt } from '../../../beamlines/optics/source.ts';

const cat = loadCatalogue();
const wide = { horizontalRad: 5e-3, verticalRad: 5e-3, centreHorizontalRad: 0 };

describe('undulator source', () => {
  const bl = findBeamline(cat, 'BL09U')!;
  const beam = nanoterasuBeam(bl.straight.kind);
  it('an open aperture passes the whole central-cone flux of the chosen harmonic (1e-9)', () => {
    const s = sourceAt(bl.device, beam, 8000, wide);
    const d = settingFor(bl.device.type, bl.device.periodM, bl.device.periods, s.k!);
    expect(s.spectralFlux / centralConeFlux(d, beam, s.harmonic!)).toBeCloseTo(1, 9);
    expect(s.spectralFluxUnlimited).toBeCloseTo(centralConeFlux(d, beam, s.harmonic!), -5);
  });
  it('a narrow aperture passes the Gaussian fraction erf·erf of the photon divergence', () => {
    const acc = { horizontalRad: 2e-5, verticalRad: 1e-5, centreHorizontalRad: 0 };
    const s = sourceAt(bl.device, beam, 8000, acc);
    const f = gaussianFraction(s.divergenceXRad, 2e-5) * gaussianFraction(s.divergenceYRad, 1e-5);
    expect(s.spectralFlux / (s.spectralFluxUnlimited * f)).toBeCloseTo(1, 9);
    expect(f).toBeLessThan(1);
  });
  it('an energy no harmonic reaches is an error naming the device', () => {
    expect(() => sourceAt(bl.device, beam, 500, wide)).toThrow(/reaches no odd harmonic/);
  });
});

describe('wiggler source', () => {
  const bl = findBeamline(cat, 'BL08W')!;
  const beam = nanoterasuBeam(bl.straight.kind);
  const k = bl.device.kRanges.default!.kMax;
  const fan = k / gammaOf(beam);
  it('on axis, a thin slice gives wigglerFluxPerMrad × slice width (1e-3, fully open vertically)', () => {
    const s = sourceAt(bl.device, beam, 10000, { horizontalRad: 1e-5, verticalRad: 5e-3, centreHorizontalRad: 0 });
    const perMrad = wigglerFluxPerMrad(settingFor('wiggler', bl.device.periodM, bl.device.periods, k), beam, 10000);
    expect(Math.abs(s.spectralFlux / (perMrad * 1e-2) - 1)).toBeLessThan(1e-3);
  });
  it('the fan ends at ±K/γ and its edge is softer (local critical energy)', () => {
    const centre = sourceAt(bl.device, beam, 20000, { horizontalRad: 1e-4, verticalRad: 5e-3, centreHorizontalRad: 0 });
    const edge = sourceAt(bl.device, beam, 20000, { horizontalRad: 1e-4, verticalRad: 5e-3, centreHorizontalRad: 0.9 * fan });
    expect(edge.spectralFlux).toBeLessThan(0.5 * centre.spectralFlux);
    expect(() => sourceAt(bl.device, beam, 20000, { horizontalRad: 1e-4, verticalRad: 5e-3, centreHorizontalRad: 1.2 * fan })).toThrow(/no flux/);
    expect(criticalEnergyEV(fieldFromK(k, bl.device.periodM), 3e9)).toBeGreaterThan(9000);
  });
  it('bookkeeping: three disjoint slices never exceed the whole fan', () => {
    const slices = [-8e-4, 0, 8e-4].map((c, i) => sourceAt(bl.device, beam, 12000, { horizontalRad: i === 1 ? 1e-3 : 4e-4, verticalRad: 5e-3, centreHorizontalRad: c }));
    const sum = slices.reduce((a, s) => a + s.spectralFlux, 0);
    expect(sum).toBeLessThan(slices[0].spectralFluxUnlimited);
  });
  it('vertical distribution: fraction → 1 for a wide aperture, narrower at higher E/Ec', () => {
    const g = gammaOf(beam);
    expect(bendingVerticalFraction(1, g, 5e-3)).toBeGreaterThan(0.999);
    expect(bendingVerticalFraction(3, g, 1 / g)).toBeGreaterThan(bendingVerticalFraction(0.3, g, 1 / g));
    expect(bendingVerticalFraction(1, g, 0)).toBe(0);
  });
});
