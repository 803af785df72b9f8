import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, runScenario, SECTIONS } from '../../../sim/scenario/run.ts';
import { capacitySection } from '../../../sim/capacity/section.ts';
import type { CapacityReport } from '../../../sim/capacity/metrics.ts';

// the capacity file's own section, under a whole-twin scenario with the built-in ring
const capacityYaml = readFileSync('scenarios/capacity-fy2026.yaml', 'utf8')
  .replace('monteCarlo: { years: 10, runs: 100, seed: 2026 }', 'monteCarlo: { years: 2, runs: 2, seed: 9 }');
const text = `name: capacity-test\nlattice: { builtin: nanoterasu }\n${capacityYaml.slice(capacityYaml.indexOf('capacity:'))}`;

describe('capacity section of the scenario runner', () => {
  it('is registered in the section table', () => {
    expect(SECTIONS).toContain(capacitySection);
  });
  it('runs inside a whole-twin scenario and reports', async () => {
    const sc = parseScenario(text, 'whole.yaml', [capacitySection]);
    const r = await runScenario(sc, [capacitySection]);
    const out = r.sections.find((s) => s.name === 'capacity')!;
    const rep = out.result as CapacityReport;
    expect(rep.facilityYears).toBe(4);
    expect(rep.facility.hoursSupplied).toBeCloseTo(60000, 6);
    expect(capacitySection.report(rep, sc.config.capacity as any)).toContain('BL08W');
  }, 60_000);
  it('names the line of a bad field in the whole scenario', () => {
    const bad = text.replace('sharedFraction: 0.4', 'sharedFraction: 3');
    const line = bad.split('\n').findIndex((l) => l.includes('sharedFraction: 3')) + 1;
    expect(() => parseScenario(bad, 'whole.yaml', [capacitySection])).toThrow(new RegExp(`whole.yaml:${line}: capacity.coalition.sharedFraction`));
  });
});
