/** Scenario section `beamlines`: runs in the scenario runner, report, bundle, named errors. */
import { describe, expect, it } from 'vitest';
import { beamlinesSection } from '../../beamlines/section.ts';
import { parseScenario, resultsBundle, runScenario, SECTIONS, formatReport } from '../../sim/scenario/run.ts';
import { samplesPerHourByStation, type FacilityModel } from '../../beamlines/optics/facility.ts';

const HEAD = 'name: t\nlattice:\n  builtin: nanoterasu\n';

describe('beamlines section', () => {
  it('is registered in the runner after the catalogue', () => {
    const names = SECTIONS.map((s) => s.name);
    expect(names).toContain('beamlines');
    expect(names.indexOf('beamlines')).toBeGreaterThan(names.indexOf('catalogue'));
    expect(SECTIONS.find((s) => s.name === 'beamlines')).toBe(beamlinesSection);
  });
  it('reports every station and bundles the JSON the planner reads', async () => {
    const r = await runScenario(parseScenario(`${HEAD}catalogue: {}\nbeamlines: {points: 3}\n`, 't.yaml'));
    const text = formatReport(r);
    expect(text).toMatch(/BL08W\s+branch1\s+SAXS/);
    expect(text).toMatch(/time-shared: AP-XPS/);
    const b = (resultsBundle(r) as any).sections.beamlines as FacilityModel;
    expect(b.beamlines).toHaveLength(10);
    for (const bl of b.beamlines) {
      for (const s of bl.stations) {
        expect(s.fluxAtSample.length).toBeGreaterThan(0);
        expect(s.samplesPerHour).toBeGreaterThan(0);
        expect(Boolean(s.energyRangeEV) !== Boolean(s.fixedEnergiesEV)).toBe(true);
      }
    }
    const sph = samplesPerHourByStation(b);
    expect(Object.keys(sph)).toHaveLength(b.beamlines.reduce((n, bl) => n + bl.stations.length, 0));
    expect(sph['BL08W/branch1'].concurrentWith.sort()).toEqual(['BL08W/branch2', 'BL08W/main']);
    expect(sph['BL08U/XAS'].timeSharedWith).toEqual(['BL08U/AP-XPS']);
  });
  it('flux scales with the stored current exactly (160 vs 400 mA, 1e-9)', async () => {
    const at = async (ma: number) => (await runScenario(parseScenario(`${HEAD}beamlines: {points: 2, only: [BL09U], currentMA: ${ma}}\n`, 't.yaml'))).sections.find((s) => s.name === 'beamlines')!.result as FacilityModel;
    const [a, b] = await Promise.all([at(160), at(400)]);
    const fa = a.beamlines[0].stations[0].fluxAtSample;
    const fb = b.beamlines[0].stations[0].fluxAtSample;
    for (let i = 0; i < fa.length; i++) expect(fa[i].photonsPerS / fb[i].photonsPerS).toBeCloseTo(0.4, 9);
  });
  it('an unknown beamline or field names the YAML line', async () => {
    await expect(runScenario(parseScenario(`${HEAD}beamlines:\n  only: [BL99Z]\n`, 'bad.yaml'))).rejects.toThrow(/^bad.yaml:5: beamlines.only.0: unknown beamline "BL99Z"/);
    expect(() => parseScenario(`${HEAD}beamlines:\n  curent: 3\n`, 'bad.yaml')).toThrow(/bad.yaml:5: beamlines.*curent/);
  });
});
