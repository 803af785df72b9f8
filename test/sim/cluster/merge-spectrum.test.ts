/**
 * The numerical undulator spectrum cut into blocks of photon energies: in-process, the blocks of
 * `computeSpectrum(…, {energyRange})` concatenated are bit for bit the whole run's arrays (with and
 * without energy spread); as separate processes (`spectrum --shard i/N --out DIR`, one shard on 2
 * workers), `merge DIR --json` is the single-machine `--json` with tolerance 0 (run time aside).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nanoterasuBeam } from '../../../beamlines/devices/beam.ts';
import { computeSpectrum } from '../../../beamlines/devices/spectrum.ts';
import { settingFor } from '../../../beamlines/devices/undulator.ts';
import { shardRange } from '../../../sim/cluster/shard.ts';
import { nanoterasu } from '../../cli/spawn.ts';

const root = mkdtempSync(join(tmpdir(), 'nt-merge-spectrum-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SPECTRUM = ['spectrum', '--beamline', 'BL13U', '--harmonic', '1', '--k', '1.2', '--aperture', '0.05x0.05mrad', '--points', '31'];

async function ok(...args: string[]): Promise<string> {
  const r = await nanoterasu(...args);
  if (r.code !== 0) throw new Error(`nanoterasu ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe('spectrum in blocks of photon energies', () => {
  it.each([true, false])('blocks concatenate to the whole run bit for bit (energy spread %s)', async (energySpread) => {
    const d = settingFor('planar', 0.022, 100, 1.0);
    const beam = nanoterasuBeam('long');
    const opts = { harmonic: 3, points: 23, apertureRad: { x: 5e-5, y: 5e-5 }, energySpread, angularStepRad: 2e-6 };
    const whole = await computeSpectrum(d, beam, opts);
    const parts: (typeof whole)[] = [];
    for (let i = 1; i <= 4; i++) {
      const r = shardRange(23, { index: i, count: 4 });
      parts.push(await computeSpectrum(d, beam, { ...opts, energyRange: { first: r.first, count: r.count } }));
    }
    const cat = (f: (p: typeof whole) => Float64Array) => parts.flatMap((p) => Array.from(f(p)));
    expect(cat((p) => p.energiesEV)).toEqual(Array.from(whole.energiesEV));
    expect(cat((p) => p.onAxisFluxDensity)).toEqual(Array.from(whole.onAxisFluxDensity)); // tolerance 0
    expect(cat((p) => p.apertureFlux!)).toEqual(Array.from(whole.apertureFlux!));
    expect(parts[0].grid).toEqual(whole.grid);
  }, 60_000);

  it('spectrum --shard i/3 as separate processes merges to exactly the single-machine --json', async () => {
    const dir = join(root, 'spectrum');
    const [single] = await Promise.all([
      ok(...SPECTRUM, '--json'),
      ok(...SPECTRUM, '--shard', '1/3', '--out', dir),
      ok(...SPECTRUM, '--workers', '2', '--shard', '2/3', '--out', dir),
      ok(...SPECTRUM, '--shard', '3/3', '--out', dir),
    ]);
    expect(readdirSync(dir).sort()).toEqual(['shard-1-of-3.json', 'shard-2-of-3.json', 'shard-3-of-3.json']);
    const s = JSON.parse(single) as { meta: { seconds?: number }; energiesEV: number[] };
    const m = JSON.parse(await ok('merge', dir, '--json')) as typeof s;
    expect(m.meta.seconds).toBeGreaterThan(0);
    delete s.meta.seconds;
    delete m.meta.seconds;
    expect(m).toEqual(s);
    expect(s.energiesEV).toHaveLength(31);
    expect(await ok('merge', dir)).toMatch(/peak through aperture: \d\.\d{4}e\+\d+ ph\/s\/0\.1%bw/);
  }, 120_000);
});
