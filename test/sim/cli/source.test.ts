/**
 * `nanoterasu source` and `nanoterasu spectrum` end to end: the JSON carries the documented keys
 * with their units, agrees with the library's closed forms, honours --device/--beam files, and bad
 * input is one clear message (exit 2).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../sim/cli/main.ts';
import { totalPowerW } from '../../../beamlines/devices/power.ts';
import { centralConeFlux, onAxisFluxDensity, settingFor } from '../../../beamlines/devices/undulator.ts';
import { runCli as run } from '../../helpers.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const dir = mkdtempSync(join(tmpdir(), 'source-cli-'));
const write = (name: string, obj: unknown) => { const f = join(dir, name); writeFileSync(f, JSON.stringify(obj)); return f; };

describe('nanoterasu source', () => {
  it('--beamline BL13U --json: harmonics with the documented keys, equal to the closed forms; units in meta', async () => {
    const { code, out } = await run(['source', '--beamline', 'BL13U', '--k', '1.2', '--max-harmonic', '3', '--beam-model', 'default', '--json']);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.meta.units.brilliance).toBe('ph/s/mm²/mrad²/0.1%bw');
    expect(j.meta.conventions.default).toBe('kimEnergySpread');
    expect(j.harmonics.map((h: { n: number }) => h.n)).toEqual([1, 3]);
    const d = settingFor('planar', 0.048, 83, 1.2);
    const beam = j.meta.beam;
    for (const h of j.harmonics) {
      for (const k of ['n', 'energyEV', 'fn', 'centralConeFlux', 'onAxisFluxDensity', 'onAxisFluxDensityBeam', 'brilliance', 'coherentFraction']) expect(h).toHaveProperty(k);
      expect(h.brilliance).toHaveProperty('kim');
      expect(h.brilliance).toHaveProperty('kimEnergySpread');
      // one number: Kim's definition with the sizes of kimEnergySpread (the default convention)
      expect(typeof h.coherentFraction).toBe('number');
      expect(h.coherentFraction).toBe(h.coherentFractionByConvention.kimEnergySpread);
      expect(rel(h.centralConeFlux, centralConeFlux(d, beam, h.n))).toBeLessThan(1e-14);
      expect(rel(h.onAxisFluxDensity, onAxisFluxDensity(d, beam, h.n))).toBeLessThan(1e-14);
      // the beam's peak lies below the filament value and within 0.5 % below E_n
      expect(h.onAxisFluxDensityBeam).toBeLessThan(h.onAxisFluxDensity);
      expect(h.onAxisFluxDensityBeamEnergyEV).toBeLessThan(h.energyEV);
      expect(h.onAxisFluxDensityBeamEnergyEV).toBeGreaterThan(h.energyEV * 0.995);
    }
    expect(rel(j.totalPowerW, totalPowerW(d, beam))).toBeLessThan(1e-14);
    expect(j.meta.provenance['device.periodM'].assumption).toMatch(/NF/);
  });
  it('--device and --beam files override the catalogue and the machine', async () => {
    const dev = write('dev.json', { type: 'elliptical', periodM: 0.05, periods: 80, kx: 0.5, ky: 1.5 });
    const beam = write('beam.json', { energyEV: 3e9, currentA: 0.2, emittanceXM: 1e-9, emittanceYM: 1e-11, energySpread: 1e-3, betaXM: 10, betaYM: 3 });
    const { code, out } = await run(['source', '--device', dev, '--beam', beam, '--no-numeric', '--json']);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.meta.beam.currentA).toBe(0.2);
    expect(j.meta.beam.betaXM).toBe(10);
    expect(j.meta.device.kx).toBe(0.5);
    expect(j.harmonics[0].onAxisFluxDensityBeam).toBeNull();
    const d = { type: 'elliptical' as const, periodM: 0.05, periods: 80, kx: 0.5, ky: 1.5, phaseRad: Math.PI / 2 };
    expect(rel(j.harmonics[1].centralConeFlux, centralConeFlux(d, { currentA: 0.2 }, 3))).toBeLessThan(1e-14);
  });
  it('--compare-spring8: NanoTerasu brighter at 5 keV, SPring-8 at 20 keV (BL09U\'s assumed U22)', async () => {
    const { code, out } = await run(['source', '--beamline', 'BL09U', '--no-numeric', '--compare-spring8', '--beam-model', 'default', '--json']);
    expect(code).toBe(0);
    const c = JSON.parse(out).comparison;
    const near = (e: number) => c.rows.reduce((a: { energyEV: number }, b: { energyEV: number }) => (Math.abs(b.energyEV - e) < Math.abs(a.energyEV - e) ? b : a));
    expect(near(5000).nanoterasu.brilliance).toBeGreaterThan(near(5000).spring8.brilliance);
    expect(near(20000).spring8.brilliance).toBeGreaterThan(near(20000).nanoterasu.brilliance);
    expect(c.nanoterasuBrighter.length).toBeGreaterThan(0);
  });
  it('a wiggler beamline reports Ec and the 2N-pole spectrum', async () => {
    const { code, out } = await run(['source', '--beamline', 'BL08W', '--json']);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.harmonics).toEqual([]);
    expect(j.wiggler.criticalEnergyEV).toBeGreaterThan(9000);
    expect(j.totalPowerW).toBeGreaterThan(8000);
  });
  it('bad input: one message naming the file and field, exit 2', async () => {
    const bad = write('bad.json', { type: 'planar', periodM: 0.05, periods: 80.5, k: 1 });
    let r = await run(['source', '--device', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.json: periods: must be an integer/);
    r = await run(['source', '--beamline', 'BL99U']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no beamline "BL99U"/);
    r = await run(['source', '--beamline', 'BL13U', '--k', '9']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/outside BL13U's range/);
    r = await run(['spectrum', '--beamline', 'BL13U', '--aperture', '0.1by0.1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--aperture/);
  });
});

describe('nanoterasu spectrum', () => {
  it('--beamline BL13U --harmonic 1 --k 1.2 --aperture 0.1x0.1mrad --json: peak aperture flux 0.61–0.93 Fn, below E_n', async () => {
    const { code, out } = await run(['spectrum', '--beamline', 'BL13U', '--harmonic', '1', '--k', '1.2', '--aperture', '0.1x0.1mrad', '--points', '61', '--step', '2', '--beam-model', 'default', '--json']);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.energiesEV).toHaveLength(61);
    expect(j.apertureFlux).toHaveLength(61);
    const ratio = j.peakAperture.value / j.meta.closedForms.centralConeFlux;
    expect(ratio).toBeGreaterThan(0.61);
    expect(ratio).toBeLessThan(0.93);
    expect(j.peakAperture.energyEV).toBeLessThan(j.meta.harmonicEnergyEV);
    expect(j.meta.apertureRad).toEqual({ x: 1e-4, y: 1e-4 });
  });
});
