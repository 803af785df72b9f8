import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nanoterasuFallbackBeam } from '../../../sim/lifetime/nanoterasu-model.ts';
import { validate } from '../../../sim/scenario/schema.ts';
import { parseYaml } from '../../../sim/scenario/yaml.ts';
import { topupConfigSchema } from '../../../sim/topup/config.ts';
import { runTopupStudy, timelineCsv, timelinePlot, topupJson } from '../../../sim/topup/run.ts';

const text = readFileSync(new URL('../../../scenarios/topup.yaml', import.meta.url), 'utf8');

function load(t: string) {
  const doc = parseYaml(t, 'topup.yaml');
  return { doc, config: validate(doc, topupConfigSchema, (doc.data as { topup: unknown }).topup, ['topup']) };
}

function lineOf(t: string, needle: string): number {
  return t.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

describe('topup scenario section', () => {
  it('scenarios/topup.yaml is valid and equals the schema defaults (the file documents them)', () => {
    expect(load(text).config).toEqual(topupConfigSchema.parse({}));
  });

  it('a negative pressure is an error naming the field, its line and why', () => {
    const bad = text.replace('basePressurePa: 1.0e-7', 'basePressurePa: -1.0e-7');
    expect(() => load(bad)).toThrow(`topup.yaml:${lineOf(bad, 'basePressurePa')}: topup.lifetime.vacuum.basePressurePa: -1e-7 Pa: a pressure cannot be negative`);
  });

  it('an injection interval shorter than the linac allows is an error at its line', () => {
    const bad = text.replace(/    mode: threshold.*\n    belowTargetMA.*\n/, '    mode: interval\n    intervalS: 0.01\n');
    expect(() => load(bad)).toThrow(new RegExp(`topup.yaml:${lineOf(bad, 'intervalS: 0.01')}: topup.trigger.intervalS: 0.01 s is shorter than the linac allows`));
  });

  it('a shot rate above the linac repetition rate is an error', () => {
    const bad = text.replace('refillShotRateHz: 10 ', 'refillShotRateHz: 50 ');
    expect(() => load(bad)).toThrow(/topup.injector.refillShotRateHz: 50 Hz exceeds the linac's maximum repetition rate/);
  });

  it('a current above what the injector can hold is an error at targetCurrentMA', () => {
    const bad = text.replace('targetCurrentMA: 400 ', 'targetCurrentMA: 4000 ');
    const { doc, config } = load(bad);
    expect(() => runTopupStudy(config, nanoterasuFallbackBeam(), { doc })).toThrow(
      new RegExp(`topup.yaml:${lineOf(bad, 'targetCurrentMA')}: topup.targetCurrentMA: 4000 mA is above what the injector can hold`),
    );
  });

  it('an unknown field is an error naming the known ones', () => {
    const bad = text.replace('  hours: 24', '  hours: 24\n  hourz: 3');
    expect(() => load(bad)).toThrow(/topup.hourz: unknown field/);
  });

  it('a run gives the JSON fields the CLI promises, a CSV row per second and a plot JSON of equal columns', () => {
    const { config } = load(text);
    const run = runTopupStudy({ ...config, hours: 1 }, nanoterasuFallbackBeam());
    const j = topupJson(run);
    for (const k of ['touschek', 'gas', 'total'] as const) expect(j.lifetimeH[k]).toBeGreaterThan(0);
    for (const k of ['mean', 'min', 'max', 'rmsDeviation'] as const) expect(Number.isFinite(j.currentMA[k])).toBe(true);
    expect(j.shotsPerHour).toBeGreaterThan(0);
    expect(j.injectionEfficiency).toBeGreaterThan(0.8);
    expect(j.availability).toBeLessThanOrEqual(1);
    expect(Math.abs(j.injectedChargeC - j.lostChargeC - j.decayedChargeC - j.storedChargeChangeC)).toBeLessThan(1e-12 * j.injectedChargeC);
    const tl = run.result.timeline!;
    expect(timelineCsv(tl).trim().split('\n').length).toBe(3600 + 1);
    const plot = timelinePlot(tl, 60);
    expect(plot.t.length).toBe(60);
    expect(plot.currentMinMA.every((v, i) => v <= plot.currentMA[i] && plot.currentMA[i] <= plot.currentMaxMA[i])).toBe(true);
  });
});
