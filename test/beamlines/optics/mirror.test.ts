/** Mirrors: Fresnel reflectivity, critical angle, roughness, stripes, and the above-θc error. */
import { describe, expect, it } from 'vitest';
import { HC_EVM } from '../../../beamlines/devices/undulator.ts';
import { OpticsError } from '../../../beamlines/optics/errors.ts';
import { betaOf, deltaOf, material } from '../../../beamlines/optics/materials/index.ts';
import {
  criticalAngleFromElectronDensity, criticalAngleRad, fresnelReflectivity, mirrorReflectivity, roughnessFactor,
} from '../../../beamlines/optics/mirror.ts';
import { N_AVOGADRO } from '../../../sim/constants.ts';

/** Small-angle Fresnel for a non-absorbing medium: r = (θ − √(θ² − θc²)) / (θ + √(θ² − θc²)). */
function smallAngleR(theta: number, thetaC: number): number {
  if (theta <= thetaC) return 1;
  const s = Math.sqrt(theta * theta - thetaC * thetaC);
  return ((theta - s) / (theta + s)) ** 2;
}

describe('Fresnel reflectivity', () => {
  const delta = 3e-5;
  const thetaC = Math.sqrt(2 * delta);
  it('is total (R = 1 to 1e-12) below the critical angle of a non-absorbing medium', () => {
    for (const f of [0.1, 0.5, 0.9, 0.99]) expect(fresnelReflectivity(delta, 0, f * thetaC)).toBeCloseTo(1, 12);
  });
  it('matches the small-angle closed form above θc (relative 1e-3) and its (θc/2θ)⁴ tail (2 % at 10 θc)', () => {
    for (const f of [1.05, 1.5, 2, 4]) {
      const r = fresnelReflectivity(delta, 0, f * thetaC);
      expect(Math.abs(r / smallAngleR(f * thetaC, thetaC) - 1)).toBeLessThan(1e-3);
    }
    expect(Math.abs(fresnelReflectivity(delta, 0, 10 * thetaC) / (1 / 20) ** 4 - 1)).toBeLessThan(0.02);
  });
  it('s and p agree at grazing incidence (relative 1e-4 at 5 mrad)', () => {
    const r = fresnelReflectivity(delta, 1e-6, 5e-3, 's');
    expect(Math.abs(fresnelReflectivity(delta, 1e-6, 5e-3, 'p') / r - 1)).toBeLessThan(1e-4);
  });
  it('absorption lowers R below θc and R falls monotonically with angle', () => {
    expect(fresnelReflectivity(delta, 3e-6, 0.5 * thetaC)).toBeLessThan(1);
    let prev = 1;
    for (let f = 0.1; f < 3; f += 0.1) {
      const r = fresnelReflectivity(delta, 3e-6, f * thetaC);
      expect(r).toBeLessThanOrEqual(prev + 1e-15);
      prev = r;
    }
  });
});

describe('critical angle of the coatings', () => {
  /** Electron density ρ N_A Z / A (free electrons, f1 = Z). */
  const electronDensity = (rhoGcm3: number, z: number, a: number) => ((rhoGcm3 * 1e3) / (a * 1e-3)) * N_AVOGADRO * z;
  it('Au: √(2δ) agrees with λ√(r_e ρ_e/π) within 2 % at 30 keV, and within 5 % at 8 keV (f′ of the L edges)', () => {
    const au = material('Au');
    const ne = electronDensity(au.densityGPerCm3, 79, 196.967);
    expect(Math.abs(criticalAngleRad(au, 30000) / criticalAngleFromElectronDensity(ne, 30000) - 1)).toBeLessThan(0.02);
    const at8 = criticalAngleRad(au, 8000);
    expect(Math.abs(at8 / criticalAngleFromElectronDensity(ne, 8000) - 1)).toBeLessThan(0.05);
    // ≈ 9.7 mrad at 8 keV (the X-ray Data Booklet rule θc ≈ 1.6 mrad × √ρ[g/cm³] / E[keV]·… gives 10 mrad free-electron)
    expect(at8 * 1e3).toBeGreaterThan(9.3);
    expect(at8 * 1e3).toBeLessThan(10.2);
  });
  it('Si and Rh: the free-electron θc within 3 % away from edges (20 keV)', () => {
    for (const [n, z, a] of [['Si', 14, 28.0855], ['Rh', 45, 102.906]] as const) {
      const m = material(n);
      const ne = electronDensity(m.densityGPerCm3, z, a);
      expect(Math.abs(criticalAngleRad(m, 20000) / criticalAngleFromElectronDensity(ne, 20000) - 1)).toBeLessThan(0.03);
    }
  });
  it('θc scales as 1/E away from edges (Pt, 20 → 40 keV, ±3 %)', () => {
    const pt = material('Pt');
    expect(Math.abs((criticalAngleRad(pt, 20000) / criticalAngleRad(pt, 40000)) / 2 - 1)).toBeLessThan(0.03);
  });
});

describe('mirror element', () => {
  const m1 = { name: 'M1', coatings: ['Rh'], grazingAngleRad: 3e-3, slopeErrorRad: 1e-6, roughnessM: 0 };
  it('gives the coating\'s Fresnel reflectivity below θc', () => {
    const rh = material('Rh');
    const r = mirrorReflectivity(m1, 10000);
    expect(r.reflectivity).toBeCloseTo(fresnelReflectivity(deltaOf(rh, 10000), betaOf(rh, 10000), 3e-3), 12);
    expect(r.reflectivity).toBeGreaterThan(0.7);
  });
  it('refuses to work above the critical angle, with a message naming mirror, coating and θc', () => {
    expect(() => mirrorReflectivity(m1, 30000)).toThrow(OpticsError);
    expect(() => mirrorReflectivity(m1, 30000)).toThrow(/mirror M1 \(Rh\) at 3\.00 mrad is above its critical angle at 30\.000 keV \(θc = /);
  });
  it('an unknown coating is an error, not zero flux', () => {
    expect(() => mirrorReflectivity({ ...m1, coatings: ['Kryptonite'] }, 10000)).toThrow(/unknown material "Kryptonite"/);
  });
  it('picks the best stripe below its θc: Si below the Rh L edges, Rh at 20 keV/3 mrad, Pt once Rh is above θc', () => {
    const s = { ...m1, coatings: ['Si', 'Rh', 'Pt'] };
    expect(mirrorReflectivity(s, 3100).coating).toBe('Si');
    expect(mirrorReflectivity(s, 20000).coating).toBe('Rh');
    expect(mirrorReflectivity({ ...s, grazingAngleRad: 4e-3 }, 20000).coating).toBe('Pt');
  });
  it('roughness: Debye–Waller factor exp(−(4πσ sinθ/λ)²)', () => {
    expect(roughnessFactor(0, 3e-3, 10000)).toBe(1);
    const lam = HC_EVM / 10000;
    const q = (4 * Math.PI * 1e-9 * Math.sin(3e-3)) / lam;
    expect(roughnessFactor(1e-9, 3e-3, 10000)).toBeCloseTo(Math.exp(-q * q), 14);
  });
});
