/**
 * The scenario runner: a YAML scenario → the lattice → every registered section → a readable
 * report and a results bundle (JSON) that the 3D view and other tools read.
 *
 * ═══ EXTENSION POINT: how a later module adds a section (optics, tracking, topup, sources, …) ═══
 *
 * 1. In your own module (e.g. `sim/optics/section.ts`) export a `ScenarioSection` (schema.ts):
 *
 *      export const opticsSection: ScenarioSection<OpticsConfig, OpticsResult> = {
 *        name: 'optics',                        // the top-level YAML key
 *        summary: 'linear optics, tunes, emittance',
 *        schema: z.object({ ... }).strict(),    // zod; unknown fields become errors with their line
 *        run(config, ctx) { ... },              // ctx.lattice, ctx.survey, ctx.resultOf('other')
 *        report(result, config) { return '...' },   // readable text for the terminal
 *        bundle(result) { return {...} },       // optional: plain JSON for results/<name>.json
 *      };
 *
 * 2. Add ONE import and ONE entry to the SECTIONS table below. Table order is run order: put a
 *    section after the ones whose results it reads with `ctx.resultOf(name)`.
 *
 * That is all: the top-level schema, the validation messages (field + YAML line), the report and
 * the bundle all follow from the table. A section runs only when its key is present in the
 * scenario (write `optics: {}` to run it with its defaults). The `lattice` section is built in and
 * always runs first.
 *
 * Bundle layout (`nanoterasu-results/1`), read by viz/:
 *   { format, scenario: {name, file, description}, lattice: LatticeSummary,
 *     survey: { points: n+1 arrays s, x, y, z, theta, phi, psi (entrance of element i = index i,
 *               its exit = i+1; floor coordinates as MAD-X SURVEY, lattice/survey.ts);
 *               elements: per element name, type, sM (entrance), lengthM, angleRad, k1, k2 },
 *     sections: { <name>: bundle(result) }, warnings: [...] }
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { LatticeError } from '../../lattice/elements.ts';
import { loadLattice } from '../../lattice/formats/index.ts';
import { withElements, type Lattice } from '../../lattice/lattice.ts';
import { nanoterasuRing, type NanoterasuOptions } from '../../lattice/nanoterasu.ts';
import { formatLatticeSummary, summarizeLattice, type LatticeSummary } from '../../lattice/summary.ts';
import { survey, type Survey } from '../../lattice/survey.ts';
import { scenarioSchema, validate, type LatticeSectionConfig, type RunContext, type ScenarioSection } from './schema.ts';
import { loadYaml, parseYaml, ScenarioError, type YamlDoc } from './yaml.ts';
import { catalogueSection } from '../../beamlines/catalogue/section.ts';
import { opticsSection } from '../optics/section.ts';
import { sourcesSection } from '../../beamlines/devices/section.ts';
import { beamlinesSection } from '../../beamlines/section.ts';
import { topupSection } from '../topup/section.ts';
import { capacitySection } from '../capacity/section.ts';

/** THE TABLE of scenario sections, in run order (see the header). One entry per module. */
export const SECTIONS: ScenarioSection[] = [
  opticsSection,
  catalogueSection,
  sourcesSection,
  beamlinesSection,
  topupSection,
  capacitySection,
];

export interface LoadedScenario {
  doc: YamlDoc;
  /**
   * Sections written as `name: { include: other.yaml }` take that file's `name:` section; errors in
   * it (at validation and at run time) name the included file and its line. Keyed by section name.
   */
  includedDocs: Record<string, YamlDoc>;
  /** Validated configuration: `lattice` plus one key per section present. */
  config: Record<string, unknown> & { name?: string; description?: string; lattice: LatticeSectionConfig };
  /** Scenario name: `name`, else the file name without extension. */
  name: string;
}

/** Reads and validates a scenario file. */
export function loadScenario(file: string, sections: readonly ScenarioSection[] = SECTIONS): LoadedScenario {
  return checkScenario(loadYaml(file), sections);
}

/** Validates a scenario given as text (tests, tools). */
export function parseScenario(text: string, file = '(scenario)', sections: readonly ScenarioSection[] = SECTIONS): LoadedScenario {
  return checkScenario(parseYaml(text, file), sections);
}

function checkScenario(doc: YamlDoc, sections: readonly ScenarioSection[]): LoadedScenario {
  const isMap = doc.data !== null && typeof doc.data === 'object' && !Array.isArray(doc.data);
  const data: Record<string, unknown> = isMap ? { ...(doc.data as Record<string, unknown>) } : {};
  const included: Record<string, unknown> = {};
  const includedDocs: Record<string, YamlDoc> = {};
  for (const s of sections) {
    const v = data[s.name] as Record<string, unknown> | undefined;
    if (!v || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length !== 1 || typeof v.include !== 'string') continue;
    const incDoc = loadYaml(resolve(dirname(doc.file), v.include));
    const incData = (incDoc.data as Record<string, unknown> | null)?.[s.name];
    if (incData === undefined) throw doc.error([s.name, 'include'], `${v.include} has no '${s.name}' section`);
    included[s.name] = validate(incDoc, s.schema, incData, [s.name]);
    includedDocs[s.name] = incDoc;
    delete data[s.name];
  }
  const config = { ...(validate(doc, scenarioSchema(sections), isMap ? data : doc.data) as object), ...included } as LoadedScenario['config'];
  const name = config.name ?? basename(doc.file, extname(doc.file));
  return { doc, config, name, includedDocs };
}

export interface SectionOutcome {
  name: string;
  config: unknown;
  result: unknown;
  section: ScenarioSection;
}

export interface ScenarioResults {
  scenario: LoadedScenario;
  lattice: Lattice;
  latticeSummary: LatticeSummary;
  survey: Survey;
  sections: SectionOutcome[];
  /** Warnings raised by sections (the loader's are in latticeSummary.warnings). */
  warnings: string[];
}

/** Builds or loads the lattice of the `lattice` section; errors name the YAML field. */
export function buildLattice(cfg: LatticeSectionConfig, doc: YamlDoc): { lattice: Lattice; warnings: string[] } {
  const at = (field: string) => ['lattice', field];
  if (cfg.builtin === 'nanoterasu') {
    const opts: NanoterasuOptions = {};
    if (cfg.rfVoltageMV !== undefined) opts.rfVoltageV = cfg.rfVoltageMV * 1e6;
    if (cfg.rfStraight !== undefined) opts.rfStraight = cfg.rfStraight;
    if (cfg.injectionStraight !== undefined) opts.injectionStraight = cfg.injectionStraight;
    if (cfg.families !== undefined) opts.families = cfg.families as NanoterasuOptions['families'];
    try {
      return { lattice: nanoterasuRing(opts), warnings: [] };
    } catch (err) {
      if (!(err instanceof LatticeError)) throw err;
      const field = err.where.field === 'rfVoltageV' ? 'rfVoltageMV' : err.where.field;
      const path = field === 'families' && err.where.element ? ['lattice', 'families', err.where.element] : at(field ?? 'builtin');
      throw doc.error(path, err.detail);
    }
  }
  const file = resolve(dirname(doc.file), cfg.file!);
  let loaded;
  try {
    loaded = loadLattice(file, cfg.format ? { format: cfg.format } : {});
  } catch (err) {
    if (err instanceof LatticeError) throw doc.error(at('file'), err.message);
    throw err;
  }
  let lattice = loaded.lattice;
  if (cfg.rfVoltageMV !== undefined) {
    const cavities = lattice.elements.filter((e) => e.type === 'rfcavity');
    const now = cavities.reduce((v, e) => v + (e.type === 'rfcavity' ? e.voltage : 0), 0) * lattice.periodicity;
    if (cavities.length === 0) throw doc.error(at('rfVoltageMV'), 'the lattice has no RF cavity whose voltage could be set');
    const want = cfg.rfVoltageMV * 1e6;
    const n = cavities.length * lattice.periodicity;
    lattice = withElements(
      lattice,
      lattice.elements.map((e) => {
        if (e.type !== 'rfcavity') return e;
        // Keep the ratio between cavities when they have voltages; share equally otherwise.
        const v = now > 0 ? (e.voltage * want) / now : want / n;
        return Object.freeze({ ...e, voltage: v });
      }),
    );
  }
  return { lattice, warnings: loaded.warnings };
}

/** Runs a validated scenario: the lattice, then every registered section present in it. */
export async function runScenario(sc: LoadedScenario, sections: readonly ScenarioSection[] = SECTIONS): Promise<ScenarioResults> {
  const { doc, config } = sc;
  const { lattice, warnings: loaderWarnings } = buildLattice(config.lattice, doc);
  const sv = survey(lattice);
  const latticeSummary = summarizeLattice(lattice, loaderWarnings, sv);
  const warnings: string[] = [];
  const results = new Map<string, unknown>();
  const ctx: RunContext = {
    file: doc.file,
    dir: dirname(resolve(doc.file)),
    doc,
    lattice,
    latticeSummary,
    survey: sv,
    results,
    resultOf<T>(name: string): T {
      if (!results.has(name)) {
        throw new ScenarioError(`this scenario needs a '${name}' section (it must come before the sections that use it)`, doc.file);
      }
      return results.get(name) as T;
    },
    warn: (m) => warnings.push(m),
  };
  const outcomes: SectionOutcome[] = [];
  for (const section of sections) {
    if (config[section.name] === undefined) continue;
    const inc = sc.includedDocs?.[section.name];
    const sctx: RunContext = inc ? { ...ctx, file: inc.file, dir: dirname(resolve(inc.file)), doc: inc } : ctx;
    const result = await section.run(config[section.name], sctx);
    results.set(section.name, result);
    outcomes.push({ name: section.name, config: config[section.name], result, section });
  }
  return { scenario: sc, lattice, latticeSummary, survey: sv, sections: outcomes, warnings };
}

/** The readable report: the lattice summary, then each section's report under its name. */
export function formatReport(r: ScenarioResults): string {
  const out: string[] = [];
  const title = `Scenario ${r.scenario.name} (${r.scenario.doc.file})`;
  out.push(title, '='.repeat(title.length));
  if (r.scenario.config.description) out.push(r.scenario.config.description.trim());
  out.push('', 'lattice', '-------', formatLatticeSummary(r.latticeSummary));
  for (const s of r.sections) {
    out.push('', s.name, '-'.repeat(s.name.length), s.section.report(s.result, s.config));
  }
  if (r.warnings.length) out.push('', 'warnings', '--------', ...r.warnings.map((w) => `  - ${w}`));
  return out.join('\n') + '\n';
}

/** Survey as columns for the bundle: point arrays (n+1) and per-element descriptions (n). */
function surveyBundle(sv: Survey): unknown {
  const elements = sv.elements.map((e, i) => ({
    name: e.name,
    type: e.type,
    sM: sv.s[i],
    lengthM: e.length,
    ...(e.type === 'sbend' || e.type === 'rbend' ? { angleRad: e.angle } : {}),
    ...('k1' in e && e.k1 !== 0 ? { k1: e.k1 } : {}),
    ...('k2' in e && e.k2 !== 0 ? { k2: e.k2 } : {}),
  }));
  return {
    points: {
      s: Array.from(sv.s), x: Array.from(sv.x), y: Array.from(sv.y), z: Array.from(sv.z),
      theta: Array.from(sv.theta), phi: Array.from(sv.phi), psi: Array.from(sv.psi),
    },
    elements,
    closure: sv.closure,
  };
}

/** Typed arrays → plain arrays (JSON.stringify would write them as objects). */
function plain(_key: string, v: unknown): unknown {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v;
}

/** The results bundle as plain data. */
export function resultsBundle(r: ScenarioResults): Record<string, unknown> {
  const sections: Record<string, unknown> = {};
  for (const s of r.sections) sections[s.name] = s.section.bundle ? s.section.bundle(s.result, s.config) : s.result;
  return {
    format: 'nanoterasu-results/1',
    scenario: {
      name: r.scenario.name,
      file: r.scenario.doc.file,
      ...(r.scenario.config.description ? { description: r.scenario.config.description } : {}),
    },
    lattice: r.latticeSummary,
    survey: surveyBundle(r.survey),
    sections,
    warnings: [...r.latticeSummary.warnings, ...r.warnings],
  };
}

/** Writes the bundle as JSON (creating the folder); returns the path written. */
export function writeBundle(r: ScenarioResults, path = `results/${r.scenario.name}.json`): string {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, JSON.stringify(resultsBundle(r), plain) + '\n');
  return path;
}
