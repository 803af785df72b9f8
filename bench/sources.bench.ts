/**
 * Undulator-source speed. Targets (issue): a tuning curve with brilliance for every harmonic in a few
 * milliseconds; a numerical spectrum of 500 energies with emittance and energy spread in under 2 s,
 * split across workers. The suite times the closed forms and one in-thread spectrum (tinybench), then
 * the 500-energy spectrum (BL13U's assumed U48 at K = 1.2, 0.1 × 0.1 mrad aperture, n = 1) on a warm
 * pool of 1 and 2 workers and cold (pool start-up included), and checks that every worker count gives
 * the identical result. `npm run bench -- sources`
 */
import { loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { loadCatalogue } from '../beamlines/catalogue/catalogue.ts';
import { nanoterasuBeam } from '../beamlines/devices/beam.ts';
import { computeSpectrum, SpectrumPool, type SpectrumResult } from '../beamlines/devices/spectrum.ts';
import { harmonicSummary, onAxisHarmonics, settingFor, tuningCurve } from '../beamlines/devices/undulator.ts';

export async function suite(): Promise<Bench> {
  const beam = nanoterasuBeam('long');
  const u22 = settingFor('planar', 0.022, 180, 2.4);
  const u48 = settingFor('planar', 0.048, 83, 1.2);
  const spectrumOpts = { harmonic: 1, points: 500, apertureRad: { x: 1e-4, y: 1e-4 } };
  const bench = new Bench({ time: 1000, iterations: 3 });
  bench.add('tuning curves with brilliance: U22, odd n = 1…15, 41 K each (closed forms)', () => {
    for (const n of onAxisHarmonics(u22, 15)) tuningCurve('planar', 0.022, 180, 0.5, 2.4, beam, n, { points: 41 });
  });
  bench.add('harmonic summary (all five brilliance conventions), U22 n = 1…9', () => {
    for (const n of [1, 3, 5, 7, 9]) harmonicSummary(u22, beam, n);
  });
  bench.add('load and validate the beamline catalogue (11 YAML files)', () => { loadCatalogue(); });
  bench.add('numerical spectrum, 500 energies, emittance + energy spread, 0.1×0.1 mrad, this thread', async () => {
    await computeSpectrum(u48, beam, spectrumOpts);
  });
  await bench.run();

  const results: SpectrumResult[] = [await computeSpectrum(u48, beam, spectrumOpts)];
  for (const workers of [1, 2]) {
    const t0 = performance.now();
    const pool = new SpectrumPool(workers);
    await computeSpectrum(u48, beam, { ...spectrumOpts, harmonic: 1, points: 2, pool }); // warm-up: workers load tsx
    const t1 = performance.now();
    const r = await computeSpectrum(u48, beam, { ...spectrumOpts, pool });
    const t2 = performance.now();
    await pool.close();
    results.push(r);
    console.log(`spectrum 500 energies, ${workers} worker(s): ${((t2 - t1) / 1e3).toFixed(2)} s on a warm pool, ` +
      `${((t2 - t0) / 1e3).toFixed(2)} s with pool start-up (target < 2 s); ${r.grid.thetaXPoints}×${r.grid.thetaYPoints} directions, ` +
      `${r.grid.internalEnergies} internal energies; load average ${loadavg()[0].toFixed(1)}`);
  }
  const same = results.every((r) => r.apertureFlux!.every((v, i) => v === results[0].apertureFlux![i]) && r.onAxisFluxDensity.every((v, i) => v === results[0].onAxisFluxDensity[i]));
  console.log(`spectrum: in-thread, 1 and 2 workers identical: ${same}`);
  return bench;
}
