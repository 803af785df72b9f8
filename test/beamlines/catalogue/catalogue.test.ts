/** The beamline catalogue: contents, provenance of every number, and named errors on bad files. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_DIR, deviceSetting, findBeamline, kRangeOf, loadCatalogue, loadComparisonSource } from '../../../beamlines/catalogue/catalogue.ts';
import { criticalEnergyEV, fieldFromK, resonanceEnergyEV } from '../../../beamlines/devices/undulator.ts';

const cat = loadCatalogue();

describe('catalogue contents', () => {
  it('has the 3 public and 7 coalition beamlines of the 2026A call, on 28 ports (18 empty)', () => {
    const ids = (c: string) => cat.beamlines.filter((b) => b.class === c).map((b) => b.id).sort();
    expect(ids('public')).toEqual(['BL02U', 'BL06U', 'BL13U']);
    expect(ids('coalition')).toEqual(['BL07U', 'BL08U', 'BL08W', 'BL09U', 'BL09W', 'BL10U', 'BL14U']);
    expect(cat.ports).toHaveLength(28);
    expect(cat.ports.filter((p) => p.straight === 'long')).toHaveLength(14);
    expect(cat.ports.filter((p) => p.beamline === null)).toHaveLength(18);
  });
  it('BL08W: main 2.1–13 keV tunable, branch 1 8.0/13.1 keV, branch 2 17.5/28.5 keV, all at once', () => {
    const b = findBeamline(cat, 'bl08w')!;
    expect(b.straight.kind).toBe('short');
    const [main, b1, b2] = b.stations;
    expect(main.energyRangeEV).toEqual({ min: 2100, max: 13000 });
    expect(b1.fixedEnergiesEV).toEqual([8000, 13100]);
    expect(b2.fixedEnergiesEV).toEqual([17500, 28500]);
    for (const s of b.stations) expect(s.concurrentWith.sort()).toEqual(b.stations.map((o) => o.name).filter((n) => n !== s.name).sort());
  });
  it('every number of every beamline file carries a source or an assumption', () => {
    for (const b of cat.beamlines) {
      const text = readFileSync(b.file, 'utf8');
      const values = (text.match(/value:/g) ?? []).length;
      expect(Object.keys(b.provenance).length).toBe(values);
      for (const p of Object.values(b.provenance)) expect((p.source ?? p.assumption ?? '').length).toBeGreaterThan(3);
    }
  });
  it('BL08U (the one published range, 180–2000 eV [P]) is covered by its assumed APPLE-II in linear-horizontal mode', () => {
    const b = findBeamline(cat, 'BL08U')!;
    const { range } = kRangeOf(b.device, 'linear-horizontal');
    const e1max = resonanceEnergyEV(deviceSetting(b.device, range.kMax, 'linear-horizontal'), 3e9, 1);
    const e3min = resonanceEnergyEV(deviceSetting(b.device, range.kMin, 'linear-horizontal'), 3e9, 3);
    expect(e1max).toBeLessThanOrEqual(180);
    expect(e3min).toBeGreaterThanOrEqual(2000);
  });
  it('every assumed device covers its beamline\'s energy range: undulators with odd harmonics n ≤ 9 (first mode), wigglers up to 4 Ec', () => {
    for (const b of cat.beamlines) {
      const { mode, range } = kRangeOf(b.device, undefined);
      if (b.device.type === 'wiggler') {
        const ec = criticalEnergyEV(fieldFromK(range.kMax, b.device.periodM), 3e9);
        expect(b.energyRangeEV.max).toBeLessThanOrEqual(4 * ec);
        continue;
      }
      const intervals: [number, number][] = [];
      for (let n = 1; n <= 9; n += 2) {
        intervals.push([resonanceEnergyEV(deviceSetting(b.device, range.kMax, mode), 3e9, n), resonanceEnergyEV(deviceSetting(b.device, range.kMin, mode), 3e9, n)]);
      }
      // walk up from the lower end through overlapping harmonic ranges
      let reach = b.energyRangeEV.min;
      let covered = false;
      for (let guard = 0; guard < 10 && !covered; guard++) {
        const next = intervals.filter(([lo, hi]) => lo <= reach && hi > reach).map(([, hi]) => hi);
        if (next.length === 0) break;
        reach = Math.max(...next);
        covered = reach >= b.energyRangeEV.max;
      }
      expect(covered, `${b.id}: covered up to ${reach.toFixed(0)} eV of ${b.energyRangeEV.min}–${b.energyRangeEV.max}`).toBe(true);
    }
  });
  it('loads the SPring-8 comparison source (8 GeV, 2.4 nm rad, 100 mA)', () => {
    const s = loadComparisonSource();
    expect(s.beam.energyEV).toBe(8e9);
    expect(s.beam.currentA).toBe(0.1);
    expect(s.beam.emittanceXM + s.beam.emittanceYM).toBeCloseTo(2.4e-9, 20);
  });
});

describe('catalogue validation names file, line and field', () => {
  const broken = (file: string, from: string, to: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'cat-'));
    cpSync(CATALOGUE_DIR, dir, { recursive: true, filter: (f) => !f.endsWith('.ts') });
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text.includes(from)).toBe(true);
    writeFileSync(join(dir, file), text.replace(from, to));
    return () => loadCatalogue(dir);
  };
  it('a bare number', () => {
    expect(broken('BL13U.yaml', 'periods: {value: 83, assumption: "[NF]; 3.98 m"}', 'periods: 83')).toThrow(/BL13U\.yaml:\d+: device\.periods: a bare number/);
  });
  it('a number with neither source nor assumption', () => {
    expect(broken('BL09U.yaml', 'periods: {value: 180, assumption: "[NF]; 3.96 m"}', 'periods: {value: 180}')).toThrow(/BL09U\.yaml:\d+: device\.periods: needs a "source" or an "assumption"/);
  });
  it('a non-integer number of periods, an unknown device type, an unknown mode', () => {
    expect(broken('BL13U.yaml', 'value: 83,', 'value: 83.5,')).toThrow(/BL13U\.yaml:\d+: device\.periods\.value: must be an integer/);
    expect(broken('BL13U.yaml', 'type: planar', 'type: planer')).toThrow(/device\.type: must be one of planar, helical, elliptical, wiggler/);
    expect(broken('BL02U.yaml', 'mode: linear-vertical', 'mode: vertical')).toThrow(/BL02U\.yaml:\d+: device\.modes\.1\.mode/);
  });
  it('a one-sided concurrency rule and a station with both a range and fixed energies', () => {
    expect(broken('BL08W.yaml', 'concurrentWith: [main, branch2]', 'concurrentWith: [branch2]')).toThrow(/BL08W\.yaml:\d+: stations\.0\.concurrentWith\.0: "branch1" does not list "main" back/);
    expect(broken('BL08W.yaml', '    fixedEnergiesEV:\n      - {value: 8000', '    energyRangeEV: {min: {value: 1, source: x}, max: {value: 2, source: x}}\n    fixedEnergiesEV:\n      - {value: 8000')).toThrow(/stations\.1: give exactly one of/);
  });
  it('a station energy outside its beamline\'s range', () => {
    expect(broken('BL08W.yaml', '{value: 28500, source: "[B] planning document: branch 2 28.5 keV"}', '{value: 38500, source: "x"}')).toThrow(/BL08W\.yaml:\d+: stations\.2\.fixedEnergiesEV\.1: 38500 eV lies outside/);
  });
  it('a beamline whose straight disagrees with ports.yaml, and an inverted range', () => {
    expect(broken('BL14U.yaml', 'cell: {value: 14,', 'cell: {value: 12,')).toThrow(/BL14U\.yaml: straight: port BL14U of ports\.yaml is cell 14/);
    expect(broken('BL10U.yaml', 'max: {value: 12000, assumption: "[NF]"}', 'max: {value: 1200, assumption: "[NF]"}')).toThrow(/BL10U\.yaml:\d+: energyRangeEV\.max: must exceed min/);
  });
});
