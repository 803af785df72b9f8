/** `nanoterasu beamline` and `nanoterasu beamlines`, spawned as a user runs them. */
import { describe, expect, it } from 'vitest';
import { nanoterasu } from '../../cli/spawn.ts';

describe('nanoterasu beamlines / beamline', () => {
  it('beamlines --json: beamlines with id and stations (name, energies, concurrentWith, fluxAtSample, samplesPerHour)', async () => {
    const r = await nanoterasu('beamlines', '--json', '--points', '3');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.beamlines).toHaveLength(10);
    for (const b of j.beamlines) {
      expect(typeof b.id).toBe('string');
      for (const s of b.stations) {
        expect(typeof s.name).toBe('string');
        if (s.energyRangeEV) expect(s.energyRangeEV).toHaveLength(2);
        else expect(s.fixedEnergiesEV.length).toBeGreaterThan(0);
        expect(Array.isArray(s.concurrentWith)).toBe(true);
        for (const p of s.fluxAtSample) expect(p.photonsPerS).toBeGreaterThan(0);
        expect(s.samplesPerHour).toBeGreaterThan(0);
      }
    }
    const w = j.beamlines.find((b: any) => b.id === 'BL08W');
    expect(w.stations.find((s: any) => s.name === 'branch1').fixedEnergiesEV).toEqual([8000, 13100]);
    expect(w.stations.find((s: any) => s.name === 'main').energyRangeEV).toEqual([2100, 13000]);
  });
  it('beamline BL08W prints stations, concurrency and flux curves; a wrong energy is a one-line error (exit 2)', async () => {
    const [table, bad, unknown] = await Promise.all([
      nanoterasu('beamline', 'bl08w', '--points', '4'),
      nanoterasu('beamline', 'BL08W', '--station', 'branch2', '--energy', '20000'),
      nanoterasu('beamline', 'BL99X'),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/branch1\s+SAXS \(fixed energies\)\s+8\.00 \/ 13\.10 keV fixed\s+main, branch2/);
    expect(table.stdout).toMatch(/flux at the sample/);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('nanoterasu: BL08W branch2: a fixed-energy branch delivers only 17.50 keV and 28.50 keV, not 20.000 keV');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown beamline "BL99X"/);
  });
});
