import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, resultsBundle, runScenario, SECTIONS } from '../../../sim/scenario/run.ts';
import { topupSection } from '../../../sim/topup/section.ts';

const text = readFileSync(new URL('../../../scenarios/topup.yaml', import.meta.url), 'utf8').replace('  hours: 24', '  hours: 1');

describe('topup scenario section', () => {
  it('is registered in the scenario runner', () => {
    expect(SECTIONS).toContain(topupSection);
  });

  it('runs scenarios/topup.yaml (1 h) through the runner: lattice optics → lifetime → top-up, bundle with summary and timeline', async () => {
    const sc = parseScenario(text, 'scenarios/topup.yaml');
    const r = await runScenario(sc);
    const out = r.sections.find((s) => s.name === 'topup')!;
    expect(out).toBeDefined();
    const b = resultsBundle(r).sections as Record<string, any>;
    expect(b.topup.summary.lifetimeH.total).toBeGreaterThan(5);
    expect(b.topup.summary.notes[0]).toMatch(/optics from sim\/optics/);
    expect(b.topup.timeline.t.length).toBe(60);
    expect(Math.abs(b.topup.summary.balanceErrorC)).toBeLessThan(1e-12 * b.topup.summary.injectedChargeC);
  }, 30_000);

  it('a bad field is reported by the runner with its YAML line', () => {
    const bad = text.replace('efficiency: 0.9 ', 'efficiency: 1.5 ');
    const line = bad.split('\n').findIndex((l) => l.includes('efficiency: 1.5')) + 1;
    expect(() => parseScenario(bad, 'topup.yaml')).toThrow(new RegExp(`topup.yaml:${line}: topup.injector.efficiency: must be ≤ 1`));
  });
});
