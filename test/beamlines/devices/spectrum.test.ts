/**
 * The numerical spectrum (beamlines/devices/spectrum.ts) against the closed forms, against direct
 * evaluation, under grid refinement, and for any number of workers.
 */
import { describe, expect, it } from 'vitest';
import { nanoterasuBeam } from '../../../beamlines/devices/beam.ts';
import * as S from '../../../beamlines/devices/spectrum.ts';
import * as U from '../../../beamlines/devices/undulator.ts';
import { runKernel } from '../../../beamlines/devices/spectrum-kernel.ts';
import { gaussLegendre } from '../../../beamlines/devices/power.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const beam = nanoterasuBeam('long');
const ell = (kx: number, ky: number) => ({ type: 'elliptical' as const, periodM: 0.05, periods: 80, kx, ky, phaseRad: Math.PI / 2 });

describe('zero emittance: the closed forms', () => {
  it('on-axis flux density at E_n equals Kim\'s α N² γ² (Δω/ω)(I/e) Fn to 1e-6 (measured ~1e-14): planar, helical, elliptical', async () => {
    const cases: [U.DeviceSetting, number[]][] = [
      [U.settingFor('planar', 0.048, 83, 1.2), [1, 3, 5, 7]],
      [U.settingFor('planar', 0.056, 70, 0.5), [1, 3, 5]],
      [U.settingFor('planar', 0.022, 180, 2.4), [1, 5, 9]],
      [U.settingFor('helical', 0.056, 70, 1.0), [1]],
      [ell(0.5, 1.5), [1, 3, 5]],
      [ell(1.2, 0.4), [1, 3, 5]],
    ];
    for (const [d, ns] of cases) for (const n of ns) {
      const en = U.resonanceEnergyEV(d, beam.energyEV, n);
      const r = await S.computeSpectrum(d, beam, { harmonic: n, energiesEV: [en], emittance: false, energySpread: false });
      expect(rel(r.onAxisFluxDensity[0], U.onAxisFluxDensity(d, beam, n))).toBeLessThan(1e-6);
    }
  });
  it('the Chebyshev-interpolated period integral equals direct evaluation at every energy and off axis (1e-10)', async () => {
    const d = U.settingFor('planar', 0.056, 70, 1.0);
    const en = U.resonanceEnergyEV(d, beam.energyEV, 3);
    const energies = Array.from({ length: 41 }, (_, i) => en * (0.9 + (0.11 * i) / 40));
    const r = await S.computeSpectrum(d, beam, { harmonic: 3, energiesEV: energies, emittance: false, energySpread: false });
    const peak = Math.max(...r.onAxisFluxDensity);
    energies.forEach((e, i) => expect(Math.abs(r.onAxisFluxDensity[i] - S.singleElectronFluxDensity(d, beam, 0, 0, e)) / peak).toBeLessThan(1e-10));
    // off axis, elliptical: the kernel's Chebyshev path (13 points over ±5 %) against one-energy calls
    const e = ell(1.2, 0.4);
    const e1 = U.resonanceEnergyEV(e, beam.energyEV, 1);
    const th = 20e-6;
    const [gl, gw] = gaussLegendre(96);
    const sOf = (x: number) => (x * e.periodM) / U.HC_EVM;
    const es = Array.from({ length: 21 }, (_, i) => e1 * (0.95 + (0.1 * i) / 20));
    const m = 13;
    const lo = sOf(es[0]);
    const hi = sOf(es[20]);
    const chebS = Float64Array.from({ length: m }, (_, c) => 0.5 * (lo + hi) + 0.5 * (hi - lo) * Math.cos((Math.PI * (c + 0.5)) / m));
    const chebW = Float64Array.from({ length: m }, (_, c) => (c % 2 === 0 ? 1 : -1) * Math.sin((Math.PI * (c + 0.5)) / m));
    const one = Float64Array.of(1);
    const out = runKernel({
      gamma: beam.energyEV / 510998.95, kx: e.kx, ky: e.ky, phaseRad: e.phaseRad, periods: e.periods,
      tauNodes: gl.map((x) => Math.PI * x), tauWeights: gw.map((w) => Math.PI * w), chebS, chebW, s: Float64Array.from(es, sOf),
      thetaX: Float64Array.of(th), weightXOnAxis: one, weightXAperture: one, thetaY: Float64Array.of(-th), weightYOnAxis: one, weightYAperture: one,
    });
    const direct = es.map((x) => S.singleElectronFluxDensity(e, beam, th, -th, x));
    const peakDirect = Math.max(...direct);
    const toDensity = (v: number) => v * 7.2973525693e-3 * 1e-3 * (beam.currentA / 1.602176634e-19) * 1e-6;
    es.forEach((_, i) => expect(Math.abs(toDensity(out[i]) - direct[i]) / peakDirect).toBeLessThan(1e-10));
  });
  it('angle-integrated flux at E_n tends to half the central-cone flux Fn as N grows (undulator.md §2.6): 1.5 % at N = 280', async () => {
    // inside ±10σr′ (further out, the ring of harmonic 2 enters at θ ≈ √(1+K²/2)/γ)
    const ratio = async (N: number) => {
      const d = U.settingFor('planar', 0.056, N, 1.0);
      const en = U.resonanceEnergyEV(d, beam.energyEV, 1);
      const srp = Math.sqrt(U.HC_EVM / en / (2 * U.lengthM(d)));
      const r = await S.computeSpectrum(d, beam, { harmonic: 1, energiesEV: [en], emittance: false, energySpread: false, apertureRad: { x: 20 * srp, y: 20 * srp }, angularStepRad: srp / 5 });
      return (2 * r.apertureFlux![0]) / U.centralConeFlux(d, beam, 1);
    };
    const r70 = await ratio(70);
    const r280 = await ratio(280);
    expect(Math.abs(1 - r280)).toBeLessThan(0.015); // measured 0.987
    expect(Math.abs(1 - r280)).toBeLessThan(Math.abs(1 - r70) / 2); // measured 0.963 at N = 70
  });
});

describe('acceleration form: no broadband background (undulator.md §2.11)', () => {
  it('U56 K = 0.5, n = 5 (where the velocity form is +75 %): flux through 0.1 × 0.1 mrad above E_n falls as the sinc² tail, < 3e-3 of the peak at 1.05 E_n', async () => {
    const d = U.settingFor('planar', 0.056, 70, 0.5);
    const n = 5;
    const en = U.resonanceEnergyEV(d, beam.energyEV, n);
    const es = [0.99, 0.995, 0.997, 0.999, 1.05].map((x) => x * en);
    const r = await S.computeSpectrum(d, beam, { harmonic: n, energiesEV: es, emittance: false, energySpread: false, apertureRad: { x: 1e-4, y: 1e-4 } });
    const peak = Math.max(...r.apertureFlux!.slice(0, 4));
    // on-axis detuning Δν = n·0.05: the grating factor's envelope 1/(πNΔν)² = 8.3e-4 of its peak
    expect(r.apertureFlux![4] / peak).toBeLessThan(3e-3);
    expect(peak).toBeLessThan(U.centralConeFlux(d, beam, n));
  });
  it('the velocity form −(is/2π)∫u e^{isφ}dτ (which differs by the end term [u/D e^{isφ}]) agrees on axis at E_n (1e-9) but adds the background above E_n', () => {
    // |A|² of one period × grating, both forms, written out here independently of the kernel
    const d = U.settingFor('planar', 0.056, 70, 0.5);
    const g = beam.energyEV / 510998.95;
    const n = 5;
    const [gl, gw] = gaussLegendre(128);
    const both = (thx: number, thy: number, e: number): [number, number] => {
      const s = (e * d.periodM) / U.HC_EVM;
      const a = (1 + d.ky * d.ky / 2 + g * g * (thx * thx + thy * thy)) / (2 * g * g);
      const phi = (t: number) => t * a + (d.ky * d.ky * Math.sin(2 * t)) / (8 * g * g) - (thx * d.ky * Math.sin(t)) / g;
      let ar = 0, ai = 0, vr = 0, vi = 0, wr = 0, wi = 0;
      for (let j = 0; j < gl.length; j++) {
        const t = Math.PI * gl[j];
        const w = Math.PI * gw[j];
        const bx = (d.ky / g) * Math.cos(t);
        const bxp = -(d.ky / g) * Math.sin(t);
        const ux = thx - bx;
        const D = 1 / (2 * g * g) + (ux * ux + thy * thy) / 2;
        const ub = ux * bxp;
        const c = Math.cos(s * phi(t));
        const sn = Math.sin(s * phi(t));
        const fx = (ux * ub - bxp * D) / (D * D);
        const fy = (thy * ub) / (D * D);
        ar += w * fx * c; ai += w * fx * sn; // x component, acceleration form
        vr += w * ux * c; vi += w * ux * sn; // x component, ∫ u e^{isφ}
        wr += w * fy * c; wi += w * fy * sn;
      }
      const nu = s * a;
      const grat = (Math.sin(70 * Math.PI * nu) / Math.sin(Math.PI * nu)) ** 2;
      const acc = ((ar * ar + ai * ai + wr * wr + wi * wi) / (4 * Math.PI * Math.PI)) * grat;
      // −is(vr + i vi)/2π → (s vi, −s vr)/2π; the y part of the velocity form is −is θy ∫e^{isφ}, small here (θy ≤ 50 µrad)
      const vel = ((s * s * (vr * vr + vi * vi)) / (4 * Math.PI * Math.PI)) * grat;
      return [acc, vel];
    };
    const en = U.resonanceEnergyEV(d, beam.energyEV, n);
    const [acc0, vel0] = both(0, 0, en * (1 + 1e-13));
    expect(Math.abs(vel0 / acc0 - 1)).toBeLessThan(1e-9);
    // 1.05 E_n, horizontal direction inside the 0.1 mrad aperture: the end term dominates the velocity form
    const [acc1, vel1] = both(40e-6, 0, en * 1.05);
    expect(vel1 / acc1).toBeGreaterThan(10);
  });
});

describe('with emittance and energy spread', () => {
  const d = U.settingFor('planar', 0.048, 83, 1.2); // BL13U's assumed device at 1.04 keV
  const aperture = { x: 1e-4, y: 1e-4 };
  it('converges under grid refinement: 2 µrad → 1 µrad changes < 1e-5 of the peak, 1 → 0.7 µrad < 1e-9', async () => {
    const run = (step: number) => S.computeSpectrum(d, beam, { harmonic: 1, points: 61, apertureRad: aperture, angularStepRad: step });
    const [a, b, c] = [await run(2e-6), await run(1e-6), await run(0.7e-6)];
    const diff = (x: Float64Array, y: Float64Array) => Math.max(...x.map((v, i) => Math.abs(v - y[i]))) / Math.max(...y);
    expect(diff(a.onAxisFluxDensity, c.onAxisFluxDensity)).toBeLessThan(1e-5);
    expect(diff(a.apertureFlux!, c.apertureFlux!)).toBeLessThan(1e-5);
    expect(diff(b.onAxisFluxDensity, c.onAxisFluxDensity)).toBeLessThan(1e-9);
    expect(diff(b.apertureFlux!, c.apertureFlux!)).toBeLessThan(1e-9);
  });
  it('peaks sit below E_n as undulator.md §2.3 says; aperture flux is 0.61–0.93 Fn; emittance lowers the on-axis peak', async () => {
    const r = await S.computeSpectrum(d, beam, { harmonic: 1, points: 201, apertureRad: aperture });
    const en = U.resonanceEnergyEV(d, beam.energyEV, 1);
    const lw = 1 / 83;
    expect(r.peakOnAxis.energyEV).toBeLessThan(en);
    expect(r.peakOnAxis.energyEV).toBeGreaterThan(en * (1 - 0.005));
    const shift = (en - r.peakAperture!.energyEV) / en / lw; // in units of 1/(nN)
    expect(shift).toBeGreaterThan(0.5);
    expect(shift).toBeLessThan(3.3);
    const ratio = r.peakAperture!.value / U.centralConeFlux(d, beam, 1);
    expect(ratio).toBeGreaterThan(0.61);
    expect(ratio).toBeLessThan(0.93);
    expect(r.peakOnAxis.value).toBeLessThan(U.onAxisFluxDensity(d, beam, 1));
  });
  it('is bit-identical whatever the number of workers (0, 1, 2)', async () => {
    const opts = { harmonic: 3, points: 41, apertureRad: aperture, angularStepRad: 2e-6 };
    const serial = await S.computeSpectrum(d, beam, opts);
    const one = await S.computeSpectrum(d, beam, { ...opts, workers: 1 });
    const two = await S.computeSpectrum(d, beam, { ...opts, workers: 2 });
    expect(Array.from(one.onAxisFluxDensity)).toEqual(Array.from(serial.onAxisFluxDensity));
    expect(Array.from(two.apertureFlux!)).toEqual(Array.from(serial.apertureFlux!));
    expect(Array.from(two.onAxisFluxDensity)).toEqual(Array.from(serial.onAxisFluxDensity));
  });
  it('energy spread lowers the on-axis peak of a filament beam by 1/Qa(ε)², ε = 2πnNσδ (Tanaka & Kitamura 2009 eq. 17), to 1e-4 (measured 1e-6)', async () => {
    const u22 = U.settingFor('planar', 0.022, 180, 1.5);
    for (const n of [1, 7]) {
      const off = await S.computeSpectrum(u22, beam, { harmonic: n, points: 301, emittance: false, energySpread: false });
      const on = await S.computeSpectrum(u22, beam, { harmonic: n, points: 301, emittance: false, energySpread: true });
      const eps = 2 * Math.PI * n * 180 * beam.energySpread;
      expect(rel(on.peakOnAxis.value / off.peakOnAxis.value, 1 / U.qa(eps) ** 2)).toBeLessThan(1e-4);
    }
  });
  it('high harmonic with energy spread is smooth (xrt#38: no sampling ripple): one maximum, where the filament spectrum has side lobes', async () => {
    const u22 = U.settingFor('planar', 0.022, 180, 1.5);
    const r = await S.computeSpectrum(u22, beam, { harmonic: 9, points: 201, angularStepRad: 2e-6 });
    const maxima = (y: Float64Array) => {
      let m = 0;
      for (let i = 1; i < y.length - 1; i++) if (y[i] > y[i - 1] && y[i] > y[i + 1]) m++;
      return m;
    };
    expect(maxima(r.onAxisFluxDensity)).toBe(1);
    const filament = await S.computeSpectrum(u22, beam, { harmonic: 9, energiesEV: r.energiesEV, emittance: false, energySpread: false });
    expect(maxima(filament.onAxisFluxDensity)).toBeGreaterThan(3);
  });
});
