import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { capacityCommand } from '../../../sim/cli/capacity.ts';
import { main } from '../../../sim/cli/main.ts';

describe('nanoterasu capacity', () => {
  it('--json has seed, workers, per-beamline figures and facility totals; what-ifs run on the same seed', async () => {
    const out = await capacityCommand({ scenario: 'scenarios/capacity-fy2026.yaml', years: '3', runs: '2', seed: '5', workers: '1', json: true, whatIf: ['sharedFraction=0.2', 'units=100'] });
    const j = JSON.parse(out);
    expect(j.seed).toBe(5);
    expect(j.workers).toBe(1);
    expect(j.facilityYears).toBe(6);
    expect(j.beamlines).toHaveLength(10);
    for (const b of j.beamlines) {
      for (const k of ['id', 'hoursSupplied', 'hoursUsed', 'oversubscription', 'acceptanceRate', 'utilisation', 'waitDaysMedian']) expect(b).toHaveProperty(k);
      expect(b.hoursUsed).toBeLessThanOrEqual(b.hoursSupplied);
    }
    expect(j.facility.hoursSupplied).toBeCloseTo(60000, 6);
    expect(j.whatIf.map((w: { spec: string }) => w.spec)).toEqual(['sharedFraction=0.2', 'units=100']);
    // less shared time → more coalition hours supplied; fewer units → less unit-fee revenue
    const coalition = (r: any) => r.facility.classes.find((c: any) => c.access === 'coalition').hoursSupplied;
    expect(coalition(j.whatIf[0].report)).toBeGreaterThan(coalition(j));
    expect(j.whatIf[1].report.revenue.unitFeesJPY).toBe(100 * 50e6 / 10);
  }, 60_000);

  it('prints tables', async () => {
    const out = await capacityCommand({ scenario: 'scenarios/capacity-fy2026.yaml', years: '2', runs: '1', workers: '1', whatIf: ['beamlines=14'] });
    expect(out).toMatch(/BL08W\s+coalition\s+3\s+15,000/);
    expect(out).toContain('What-if');
    expect(out).toContain('beamlines=14');
  }, 60_000);

  it('a bad scenario exits with code 2 and a message naming file, line and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capacity-'));
    const file = join(dir, 'bad.yaml');
    const text = readFileSync('scenarios/capacity-fy2026.yaml', 'utf8').replace('sharedFraction: 0.4', 'sharedFraction: 2');
    writeFileSync(file, text);
    const line = text.split('\n').findIndex((l) => l.includes('sharedFraction: 2')) + 1;
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await main(['node', 'nanoterasu', 'capacity', '--scenario', file, '--runs', '1', '--years', '1']);
      expect(code).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toContain(`${file}:${line}: capacity.coalition.sharedFraction: must be ≤ 1`);
      err.mockClear();
      expect(await main(['node', 'nanoterasu', 'capacity', '--runs', 'lots'])).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toContain('--runs');
    } finally {
      err.mockRestore();
    }
  }, 60_000);
});
