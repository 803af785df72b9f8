import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { circumference } from '../../../lattice/lattice.ts';
import { formatReport, loadScenario, parseScenario, resultsBundle, runScenario, SECTIONS, writeBundle } from '../../../sim/scenario/run.ts';
import type { ScenarioSection } from '../../../sim/scenario/schema.ts';
import { ScenarioError } from '../../../sim/scenario/yaml.ts';

const BUILTIN = 'name: t\nlattice:\n  builtin: nanoterasu\n';

/** Expects parseScenario(text) to fail with a message naming file:line and the field path. */
function failsAt(text: string, line: number, path: string, msg: RegExp, sections?: ScenarioSection[]) {
  let err: unknown;
  try {
    parseScenario(text, 'bad.yaml', sections);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ScenarioError);
  const first = (err as Error).message.split('\n')[0];
  expect(first.startsWith(`bad.yaml:${line}: ${path}: `)).toBe(true);
  expect(first).toMatch(msg);
}

describe('scenario validation names the field and its YAML line', () => {
  it('unknown field', () => failsAt(`${BUILTIN}  rfVoltageMW: 3\n`, 4, 'lattice.rfVoltageMW', /unknown field; known fields here: builtin, file/));
  it('unknown top-level section', () => failsAt(`${BUILTIN}optix: {}\n`, 4, 'optix', /unknown field.*lattice/));
  it('wrong type', () => failsAt(`${BUILTIN}  rfVoltageMV: "high"\n`, 4, 'lattice.rfVoltageMV', /must be a number \(got "high"\)/));
  it('negative voltage', () => failsAt(`${BUILTIN}  rfVoltageMV: -0.5\n`, 4, 'lattice.rfVoltageMV', /must be ≥ 0 \(got -0.5\)/));
  it('unknown builtin', () => failsAt('lattice:\n  builtin: spring8\n', 2, 'lattice.builtin', /must be one of "nanoterasu"/));
  it('neither builtin nor file', () => failsAt('name: x\nlattice:\n  rfVoltageMV: 3\n', 2, 'lattice', /exactly one of `builtin` and `file`/));
  it('format without file', () => failsAt(`${BUILTIN}  format: madx\n`, 4, 'lattice.format', /applies to a `file` lattice only/));
  it('missing lattice', () => failsAt('name: x\n', 1, 'lattice', /is required/));
  it('bad name', () => failsAt('name: a b\nlattice: {builtin: nanoterasu}\n', 1, 'name', /names the results file/));
  it('straight out of range', () => failsAt(`${BUILTIN}  rfStraight: 17\n`, 4, 'lattice.rfStraight', /≤ 16/));

  it('unknown magnet family of the built-in ring, at run time', async () => {
    const sc = parseScenario(`${BUILTIN}  families:\n    QA: { k1: 2.0 }\n    QZ: { k1: 1 }\n`, 'bad.yaml');
    await expect(runScenario(sc)).rejects.toThrow(/^bad.yaml:6: lattice.families.QZ: unknown NanoTerasu magnet family/);
    failsAt(`${BUILTIN}  families:\n    BQ: { angleRad: 0.1 }\n`, 5, 'lattice.families.BQ.angleRad', /unknown field; known fields here: lengthM, k1, k2/);
  });

  it('family changes reach the ring', async () => {
    const r = await runScenario(parseScenario(`${BUILTIN}  families:\n    QC: { k1: 2.9 }\n`, 'ok.yaml'));
    const qc = r.lattice.elements.filter((e) => e.name.startsWith('QC_'));
    expect(qc).toHaveLength(32);
    for (const q of qc) expect((q as { k1: number }).k1).toBe(2.9);
  });

  it('lists every problem, one per line', () => {
    expect(() => parseScenario(`${BUILTIN}  rfVoltageMV: -1\n  rfStraight: 0.5\n`, 'bad.yaml')).toThrow(
      /bad.yaml:4: lattice.rfVoltageMV: .*\nbad.yaml:5: lattice.rfStraight: must be a whole number/,
    );
  });

  it('a voltage above the four cavities is refused at run time, naming the line', async () => {
    const sc = parseScenario(`${BUILTIN}  rfVoltageMV: 4\n`, 'bad.yaml');
    await expect(runScenario(sc)).rejects.toThrow(/^bad.yaml:4: lattice.rfVoltageMV: .*exceeds.*3.6 MV/);
  });

  it('YAML syntax errors name the line', () => {
    expect(() => parseScenario('lattice:\n  builtin: [nanoterasu\n', 'bad.yaml')).toThrow(/^bad.yaml:\d+: YAML syntax error/);
  });
});

describe('running the baseline scenario', () => {
  it('builds the built-in ring with the voltage asked, reports it and bundles the survey', async () => {
    const sc = loadScenario('scenarios/baseline.yaml');
    expect(sc.name).toBe('baseline');
    const r = await runScenario(sc);
    expect(Math.abs(r.latticeSummary.circumferenceM - 348.843)).toBeLessThan(1e-3);
    expect(r.latticeSummary.rfVoltageV).toBeCloseTo(3.39e6, 6);
    expect(r.latticeSummary.counts).toMatchObject({ sbend: 64, quadrupole: 160, sextupole: 160 });
    expect(r.latticeSummary.surveyClosureM).toBeLessThan(1e-6);
    const text = formatReport(r);
    expect(text).toMatch(/circumference\s+348\.8428\d* m/);
    expect(text).toMatch(/64 sbend/);

    const b = resultsBundle(r) as any;
    expect(b.format).toBe('nanoterasu-results/1');
    expect(b.survey.elements).toHaveLength(r.lattice.elements.length);
    expect(b.survey.points.x).toHaveLength(r.lattice.elements.length + 1);
    expect(b.survey.points.s.at(-1)).toBeCloseTo(circumference(r.lattice), 9);
    const bq = b.survey.elements.find((e: any) => e.type === 'sbend');
    expect(bq.angleRad).toBeCloseTo((2 * Math.PI) / 64, 15);

    const dir = mkdtempSync(join(tmpdir(), 'nt-run-'));
    const path = writeBundle(r, join(dir, 'sub', 'b.json'));
    const back = JSON.parse(readFileSync(path, 'utf8'));
    expect(back.lattice.name).toBe('nanoterasu');
    expect(back.survey.points.z).toEqual(Array.from(r.survey.z));
  });
});

describe('a lattice file with an RF voltage override', () => {
  it('loads it relative to the scenario and scales the cavities to the total asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nt-file-'));
    const ring = {
      format: 'ring-lattice-json/1', name: 'square', energy: 1e9, periodicity: 4,
      elements: [
        { name: 'D', type: 'drift', length: 1 },
        { name: 'RF', type: 'rfcavity', length: 0, voltage: 1e5, harmonic: 10 },
        { name: 'B', type: 'sbend', length: 1, angle: Math.PI / 2 },
      ],
    };
    writeFileSync(join(dir, 'sq.json'), JSON.stringify(ring));
    writeFileSync(join(dir, 's.yaml'), 'lattice:\n  file: sq.json\n  format: ring-lattice-json\n  rfVoltageMV: 2\n');
    const r = await runScenario(loadScenario(join(dir, 's.yaml')));
    expect(r.scenario.name).toBe('s');
    expect(r.latticeSummary.rfVoltageV).toBeCloseTo(2e6, 6);
    expect(r.latticeSummary.rfCavityCount).toBe(4);
    expect(r.latticeSummary.surveyClosureM).toBeLessThan(1e-12);
    expect(r.latticeSummary.circumferenceM).toBeCloseTo(8, 14);

    writeFileSync(join(dir, 'missing.yaml'), 'lattice:\n  file: nothere.json\n  format: ring-lattice-json\n');
    await expect(runScenario(loadScenario(join(dir, 'missing.yaml')))).rejects.toThrow(/missing.yaml:2: lattice.file: .*cannot read/);
  });
});

describe('the section table is the extension point', () => {
  // A section as a later module would write it: counts the magnets within a window of s.
  const windowSection: ScenarioSection<{ fromM: number; toM: number }, { magnets: number }> = {
    name: 'window',
    summary: 'magnets between two s positions',
    schema: z.object({ fromM: z.number().nonnegative(), toM: z.number().positive() }).strict(),
    run(cfg, ctx) {
      let n = 0;
      ctx.lattice.elements.forEach((e, i) => {
        const s = ctx.survey.s[i];
        if (s >= cfg.fromM && s < cfg.toM && ['sbend', 'quadrupole', 'sextupole'].includes(e.type)) n++;
      });
      return { magnets: n };
    },
    report: (r) => `  magnets in window  ${r.magnets}`,
  };
  const after: ScenarioSection<Record<string, never>, number> = {
    name: 'after',
    summary: 'reads the window result',
    schema: z.object({}).strict(),
    run: (_c, ctx) => 2 * ctx.resultOf<{ magnets: number }>('window').magnets,
    report: (r) => `  twice  ${r}`,
  };
  const table = [windowSection, after];

  it('a registered section is validated, run in table order, reported and bundled', async () => {
    const sc = parseScenario(`${BUILTIN}window:\n  fromM: 0\n  toM: 21.80268\nafter: {}\n`, 'x.yaml', table);
    const r = await runScenario(sc, table);
    // One cell (LS01 centre to LS02 centre): 4 bends + 10 quadrupoles + 10 sextupoles.
    expect(r.sections.map((s) => s.result)).toEqual([{ magnets: 24 }, 48]);
    expect(formatReport(r)).toMatch(/\nwindow\n------\n {2}magnets in window {2}24\n\nafter\n-----\n {2}twice {2}48/);
    expect((resultsBundle(r) as any).sections).toEqual({ window: { magnets: 24 }, after: 48 });
  });

  it("a section's own fields get the same messages with their line", () => {
    failsAt(`${BUILTIN}window:\n  fromM: -1\n  toM: 3\n`, 5, 'window.fromM', /must be ≥ 0/, table);
    failsAt(`${BUILTIN}window:\n  fromM: 1\n  toM: 3\n  extra: 1\n`, 7, 'window.extra', /unknown field; known fields here: fromM, toM/, table);
  });

  it('a section that needs an absent one says so', async () => {
    const sc = parseScenario(`${BUILTIN}after: {}\n`, 'x.yaml', table);
    await expect(runScenario(sc, table)).rejects.toThrow(/needs a 'window' section/);
  });

  it('the production table registers unique names', () => {
    expect(new Set(SECTIONS.map((s) => s.name)).size).toBe(SECTIONS.length);
  });
});
