/** `nanoterasu lattice`, spawned as a process. */
import { describe, expect, it } from 'vitest';
import { nanoterasu } from './spawn.ts';

describe('nanoterasu lattice', () => {
  it('--json on the built-in ring gives the documented keys and values', async () => {
    const r = await nanoterasu('lattice', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const key of ['name', 'energyEV', 'circumferenceM', 'totalBendAngleRad', 'surveyClosureM', 'counts', 'warnings']) {
      expect(j).toHaveProperty(key);
    }
    expect(j.name).toBe('nanoterasu');
    expect(j.energyEV).toBe(3e9);
    expect(Math.abs(j.circumferenceM - 348.843)).toBeLessThan(1e-3);
    expect(Math.abs(j.totalBendAngleRad - 2 * Math.PI)).toBeLessThan(1e-12);
    expect(j.surveyClosureM).toBeLessThan(1e-6);
    expect(j.counts).toMatchObject({ sbend: 64, quadrupole: 160, sextupole: 160 });
    expect(j.warnings).toEqual([]);
  });

  it('prints a table by default, --help on request, and a one-line error for a missing file', async () => {
    const [table, help, missing] = await Promise.all([
      nanoterasu('lattice'),
      nanoterasu('lattice', '--help'),
      nanoterasu('lattice', '--lattice', 'no/such/ring.json', '--format', 'ring-lattice-json'),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/circumference\s+348\.84\d+ m/);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--lattice <file>/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^nanoterasu: no\/such\/ring.json: cannot read the file/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });
});
