/** Power of beamlines/devices/power.ts: closed forms against the trajectory formula and each other. */
import { describe, expect, it } from 'vitest';
import { nanoterasuBeam } from '../../../beamlines/devices/beam.ts';
import * as P from '../../../beamlines/devices/power.ts';
import * as U from '../../../beamlines/devices/undulator.ts';
import { ALPHA_FINE, E_CHARGE } from '../../../sim/constants.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const beam = nanoterasuBeam('long');

describe('power', () => {
  it('total power = 633 E²[GeV] B0² L I (rounded coefficient, 1e-3), independent of the phase', () => {
    const d = U.settingFor('planar', 0.022, 180, 2.0);
    const b0 = U.fieldFromK(2.0, 0.022);
    expect(rel(P.totalPowerW(d, beam), 633 * 9 * b0 * b0 * U.lengthM(d) * 0.4)).toBeLessThan(1e-3);
    const h = U.settingFor('elliptical', 0.056, 70, 1.5, 'circular-plus');
    const i = U.settingFor('elliptical', 0.056, 70, 1.5, 'circular-minus');
    expect(P.totalPowerW(h, beam)).toBe(P.totalPowerW(i, beam));
  });
  it('on-axis density from the trajectory equals Kim\'s G(K) form (planar) and the helical closed form, to 1e-8', () => {
    for (const k of [0.5, 1, 2.4, 8.96]) {
      const d = U.settingFor('planar', 0.05, 80, k);
      expect(rel(P.angularPowerDensity(d, beam, 0, 0), P.onAxisPowerDensityPlanar(d, beam))).toBeLessThan(1e-8);
    }
    for (const k of [0.5, 1, 2.2]) {
      const d = U.settingFor('helical', 0.056, 70, k);
      expect(rel(P.angularPowerDensity(d, beam, 0, 0), P.onAxisPowerDensityHelical(d, beam))).toBeLessThan(1e-8);
    }
  });
  it('Σ_n of the harmonics\' on-axis densities, I α N γ² E1 Σ Fn, equals Kim\'s G(K) density (undulator.md §2.10), to 1e-8', () => {
    for (const k of [0.7, 1.5]) {
      const d = U.settingFor('planar', 0.05, 80, k);
      const g = beam.energyEV / 510998.95;
      const e1J = U.resonanceEnergyEV(d, beam.energyEV, 1) * E_CHARGE;
      let sum = 0;
      for (let n = 1; n < 400; n += 2) sum += U.fn(d, n);
      // per harmonic: dP/dΩ = (flux density per unit Δω/ω) × photon energy × (bandwidth of the line) summed; in W/rad²
      const wPerRad2 = (beam.currentA / E_CHARGE) * ALPHA_FINE * 80 * g * g * e1J * sum;
      expect(rel(wPerRad2 * 1e-6, P.onAxisPowerDensityPlanar(d, beam))).toBeLessThan(1e-8);
    }
  });
  it('power through a wide aperture converges to the total (1e-5, the tail outside) and the helical axis is a dip', () => {
    const d = U.settingFor('planar', 0.056, 70, 1.0);
    const g = beam.energyEV / 510998.95;
    // the fan is ±K/γ horizontally; outside ±(K+20)/γ × ±20/γ lies 5.9e-6 of the power (1e-8 at ±100/γ)
    const p = P.powerThroughAperture(d, beam, 42 / g, 40 / g, 8);
    expect(rel(p, P.totalPowerW(d, beam))).toBeLessThan(1e-5);
    expect(p).toBeLessThan(P.totalPowerW(d, beam));
    const h = U.settingFor('helical', 0.056, 70, 1.5);
    expect(P.angularPowerDensity(h, beam, 1.5 / g, 0)).toBeGreaterThan(P.angularPowerDensity(h, beam, 0, 0));
  });
});
