/** Optical-constant tables (generated from xraylib by beamlines/optics/materials/generate.py). */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OpticsError } from '../../../beamlines/optics/errors.ts';
import { betaOf, deltaOf, material, materialNames, materialsSource } from '../../../beamlines/optics/materials/index.ts';
import { HC_EVM } from '../../../beamlines/devices/undulator.ts';
import { N_AVOGADRO, R_ELECTRON } from '../../../sim/constants.ts';

const DIR = join(import.meta.dirname, '../../../beamlines/optics/materials');

describe('materials tables', () => {
  it('cover 30 eV – 40 keV for the issue\'s coatings and windows, a few hundred points each, δ and β > 0', () => {
    for (const n of ['Au', 'Pt', 'Rh', 'Ni', 'C', 'Si', 'Be']) {
      const m = material(n);
      expect(m.energyEV[0]).toBeCloseTo(30, 6);
      expect(m.energyEV[m.energyEV.length - 1]).toBeCloseTo(40000, 3);
      expect(m.energyEV.length).toBeGreaterThanOrEqual(200);
      expect(m.energyEV.length).toBeLessThanOrEqual(500);
      for (let i = 0; i < m.energyEV.length; i++) {
        expect(m.delta[i]).toBeGreaterThan(-1);
        expect(m.beta[i]).toBeGreaterThan(0);
      }
      expect(m.densityGPerCm3).toBeGreaterThan(0);
    }
    expect(materialsSource()).toMatch(/xraylib/);
  });
  it('stay modest in size (< 200 kB of JSON)', () => {
    expect(statSync(join(DIR, 'optical-constants.json')).size).toBeLessThan(200_000);
    expect(statSync(join(DIR, 'crystals.json')).size).toBeLessThan(100_000);
  });
  it('interpolate through the tabulated points exactly (relative 1e-12) and monotonically between them', () => {
    const m = material('Rh');
    for (const i of [10, 100, 250]) {
      expect(deltaOf(m, m.energyEV[i]) / m.delta[i]).toBeCloseTo(1, 12);
      expect(betaOf(m, m.energyEV[i]) / m.beta[i]).toBeCloseTo(1, 12);
      const mid = Math.sqrt(m.energyEV[i] * m.energyEV[i + 1]);
      const d = deltaOf(m, mid);
      expect(d).toBeGreaterThanOrEqual(Math.min(m.delta[i], m.delta[i + 1]));
      expect(d).toBeLessThanOrEqual(Math.max(m.delta[i], m.delta[i + 1]));
    }
  });
  it('reach the free-electron limit δ = r_e λ² n_e / 2π far above the edges (Be and C at 30 keV, ±1 %)', () => {
    for (const [n, z, a] of [['Be', 4, 9.0122], ['diamond', 6, 12.011]] as const) {
      const m = material(n);
      const ne = ((m.densityGPerCm3 * 1e3) / (a * 1e-3)) * N_AVOGADRO * z;
      const lam = HC_EVM / 30000;
      const free = (R_ELECTRON * lam * lam * ne) / (2 * Math.PI);
      expect(Math.abs(deltaOf(m, 30000) / free - 1)).toBeLessThan(0.01);
    }
  });
  it('name unknown materials and out-of-table energies in the error', () => {
    expect(() => material('Unobtainium')).toThrow(OpticsError);
    expect(() => material('Unobtainium')).toThrow(/unknown material "Unobtainium".*Au/);
    expect(() => deltaOf(material('Au'), 50_000)).toThrow(/tabulated from 30 eV/);
    expect(materialNames()).toContain('B4C');
  });
});
