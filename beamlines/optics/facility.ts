/**
 * The whole facility's beamlines as plain data: for each beamline and station its energies, flux
 * at the sample against energy, operating point (spot, resolving power), concurrency and samples
 * per hour. Shared by the `beamline`/`beamlines` CLI commands and the `beamlines` scenario section;
 * this is the number set the capacity planner reads (`samplesPerHour`).
 */
import { relative, resolve } from 'node:path';
import { CATALOGUE_DIR, loadCatalogue, type Catalogue } from '../catalogue/catalogue.ts';
import { NANOTERASU } from '../devices/beam.ts';
import { beamFor, energyText, loadFacilityOptics, OPTICS_DIR, stationAt, stationSummary, type BeamlineOptics, type StationPoint } from './chain.ts';
import { OpticsError } from './errors.ts';
import { materialsSource } from './materials/index.ts';

/** Paths in the output are relative to the repository root (machine-independent JSON). */
const REPO_ROOT = resolve(CATALOGUE_DIR, '..', '..');

export interface FluxPoint {
  energyEV: number;
  photonsPerS: number;
  resolvingPower: number;
  bandwidth: number;
}

export interface StationModel {
  name: string;
  technique: string;
  catalogueStation: string;
  branching: string;
  energyRangeEV?: [number, number];
  fixedEnergiesEV?: number[];
  concurrentWith: string[];
  timeSharedWith: string[];
  fluxAtSample: FluxPoint[];
  operatingEnergyEV: number;
  operating: {
    photonsPerS: number;
    resolvingPower: number;
    bandwidth: number;
    spotFwhmUm: { horizontal: number; vertical: number };
    divergenceFwhmUrad: { horizontal: number; vertical: number };
    slopeErrorDensityFactor: number;
    source: string;
    elements: StationPoint['elements'];
  };
  samplesPerHour: number;
  timePerSampleS: number;
  deadTimeLimited: boolean;
  throughputModel: string;
}

export interface BeamlineModel {
  id: string;
  title: string;
  class: string;
  straight: { kind: string; cell: number };
  device: { name: string; type: string };
  opticsFile: string;
  stations: StationModel[];
  warnings: string[];
}

export interface FacilityModel {
  format: 'nanoterasu-beamlines/1';
  currentA: number;
  materialsSource: string;
  beamlines: BeamlineModel[];
}

export interface FacilityOptions {
  /** Stored current [A] (default: the 400 mA design current). */
  currentA?: number;
  /** Points of each tunable station's flux curve. */
  points?: number;
  /** Only these beamlines (ids, case-insensitive). */
  only?: string[];
  catalogue?: Catalogue;
  opticsDir?: string;
}

export function beamlineModel(bo: BeamlineOptics, currentA: number, points: number): BeamlineModel {
  const beam = beamFor(bo.beamline, currentA);
  const warnings: string[] = [];
  const stations = bo.stations.map((s): StationModel => {
    const sum = stationSummary(bo, s, beam, points);
    warnings.push(...sum.warnings);
    const op = sum.operating;
    return {
      name: s.name, technique: s.technique, catalogueStation: s.catalogueStation, branching: s.branching,
      energyRangeEV: s.energyRangeEV ? [s.energyRangeEV.min, s.energyRangeEV.max] : undefined,
      fixedEnergiesEV: s.fixedEnergiesEV,
      concurrentWith: s.concurrentWith, timeSharedWith: s.timeSharedWith,
      fluxAtSample: sum.curve.map((p) => ({ energyEV: p.energyEV, photonsPerS: p.photonsPerS, resolvingPower: p.resolvingPower, bandwidth: p.bandwidth })),
      operatingEnergyEV: s.operatingEnergyEV,
      operating: {
        photonsPerS: op.photonsPerS, resolvingPower: op.resolvingPower, bandwidth: op.bandwidth,
        spotFwhmUm: { horizontal: op.spotFwhmM.horizontal * 1e6, vertical: op.spotFwhmM.vertical * 1e6 },
        divergenceFwhmUrad: { horizontal: op.divergenceFwhmRad.horizontal * 1e6, vertical: op.divergenceFwhmRad.vertical * 1e6 },
        slopeErrorDensityFactor: op.slopeErrorDensityFactor, source: op.source, elements: op.elements,
      },
      samplesPerHour: sum.throughput.samplesPerHour, timePerSampleS: sum.throughput.timePerSampleS,
      deadTimeLimited: sum.throughput.deadTimeLimited, throughputModel: s.throughputModel,
    };
  });
  const b = bo.beamline;
  return {
    id: b.id, title: b.title, class: b.class, straight: b.straight, device: { name: b.device.name, type: b.device.type },
    opticsFile: relative(REPO_ROOT, bo.file), stations, warnings,
  };
}

/** The facility model (all beamlines, or `only` some). */
export function facilityModel(opts: FacilityOptions = {}): FacilityModel {
  const currentA = opts.currentA ?? NANOTERASU.designCurrentA;
  const cat = opts.catalogue ?? loadCatalogue();
  const only = opts.only?.map((x) => x.toUpperCase());
  const sel = only ? { ...cat, beamlines: cat.beamlines.filter((b) => only.includes(b.id.toUpperCase())) } : cat;
  const optics = loadFacilityOptics(sel, opts.opticsDir ?? OPTICS_DIR);
  return { format: 'nanoterasu-beamlines/1', currentA, materialsSource: materialsSource(), beamlines: optics.map((bo) => beamlineModel(bo, currentA, opts.points ?? 25)) };
}

const e3 = (x: number) => x.toExponential(2);
const kev = (ev: number) => (ev / 1e3).toFixed(ev < 1000 ? 3 : 2);

function energiesText(s: StationModel): string {
  return s.energyRangeEV ? `${kev(s.energyRangeEV[0])}–${kev(s.energyRangeEV[1])} keV` : `${s.fixedEnergiesEV!.map(kev).join(' / ')} keV fixed`;
}

function pad(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd()).join('\n');
}

/** One table for the whole facility: a row per station. */
export function formatFacility(f: FacilityModel): string {
  const rows = [['beamline', 'station', 'technique', 'energies', 'runs with', 'photons/s @ E0', 'E/ΔE', 'spot h×v [µm]', 'samples/h']];
  for (const b of f.beamlines) {
    for (const s of b.stations) {
      rows.push([
        b.id, s.name, s.technique.length > 38 ? `${s.technique.slice(0, 37)}…` : s.technique, energiesText(s),
        s.concurrentWith.length ? s.concurrentWith.join(',') : s.timeSharedWith.length ? `(time-shared: ${s.timeSharedWith.join(',')})` : '—',
        `${e3(s.operating.photonsPerS)} @ ${kev(s.operatingEnergyEV)} keV`, s.operating.resolvingPower.toFixed(0),
        `${s.operating.spotFwhmUm.horizontal.toPrecision(3)}×${s.operating.spotFwhmUm.vertical.toPrecision(3)}`, s.samplesPerHour.toFixed(2),
      ]);
    }
  }
  const warn = f.beamlines.flatMap((b) => b.warnings);
  return `NanoTerasu beamlines at ${(f.currentA * 1e3).toFixed(0)} mA (all optics assumed: beamlines/catalogue/optics/*.yaml)\n` + pad(rows) +
    (warn.length ? `\n\nwarnings:\n${warn.map((w) => `  ${w}`).join('\n')}` : '');
}

/** One beamline in detail: stations, flux curves, operating points, element by element. */
export function formatBeamline(b: BeamlineModel, currentA: number): string {
  const out: string[] = [];
  out.push(`${b.id} — ${b.title}`);
  out.push(`${b.class}, ${b.straight.kind} straight of cell ${b.straight.cell}; source ${b.device.name} (${b.device.type}); ${(currentA * 1e3).toFixed(0)} mA`);
  out.push(`optics (assumed): ${b.opticsFile}`);
  out.push('');
  const rows = [['station', 'technique', 'energies', 'runs at once with', 'time-shared with', 'E0 [keV]', 'photons/s', 'E/ΔE', 'spot h×v [µm]', 'samples/h']];
  for (const s of b.stations) {
    rows.push([s.name, s.technique, energiesText(s), s.concurrentWith.join(', ') || '—', s.timeSharedWith.join(', ') || '—', kev(s.operatingEnergyEV),
      e3(s.operating.photonsPerS), s.operating.resolvingPower.toFixed(0),
      `${s.operating.spotFwhmUm.horizontal.toPrecision(3)}×${s.operating.spotFwhmUm.vertical.toPrecision(3)}`, s.samplesPerHour.toFixed(2)]);
  }
  out.push(pad(rows));
  for (const s of b.stations) {
    out.push('');
    out.push(`${s.name}: ${s.branching}; throughput model ${s.throughputModel}: ${s.timePerSampleS.toFixed(0)} s per sample${s.deadTimeLimited ? ' (dead-time limited)' : ''}`);
    out.push(`  flux at the sample [photons/s] and E/ΔE:`);
    const fr = [['  E [keV]', 'photons/s', 'E/ΔE', 'ΔE/E']];
    for (const p of s.fluxAtSample) fr.push([`  ${kev(p.energyEV)}`, e3(p.photonsPerS), p.resolvingPower.toFixed(0), p.bandwidth.toExponential(2)]);
    out.push(pad(fr));
    out.push(`  at ${kev(s.operatingEnergyEV)} keV: ${s.operating.source}`);
    for (const e of s.operating.elements) out.push(`    ${e.name.padEnd(42)} ${e.factor.toFixed(3)}  ${e.detail}`);
    out.push(`    spot ${s.operating.spotFwhmUm.horizontal.toPrecision(3)} × ${s.operating.spotFwhmUm.vertical.toPrecision(3)} µm FWHM, divergence ${s.operating.divergenceFwhmUrad.horizontal.toPrecision(3)} × ${s.operating.divergenceFwhmUrad.vertical.toPrecision(3)} µrad, slope-error flux-density factor ${s.operating.slopeErrorDensityFactor.toFixed(2)}`);
  }
  if (b.warnings.length) out.push('', 'warnings:', ...b.warnings.map((w) => `  ${w}`));
  return out.join('\n');
}

/** One station at one energy (the CLI's --station/--energy), with a clear error if not allowed. */
export function stationPointAt(id: string, station: string, energyEV: number, currentA: number = NANOTERASU.designCurrentA, opticsDir = OPTICS_DIR): { beamline: string; station: string; point: StationPoint } {
  const cat = loadCatalogue();
  const bl = cat.beamlines.find((b) => b.id.toUpperCase() === id.toUpperCase());
  if (!bl) throw new OpticsError(`unknown beamline ${id}`);
  const [bo] = loadFacilityOptics({ ...cat, beamlines: [bl] }, opticsDir);
  const st = bo.stations.find((s) => s.name === station);
  if (!st) throw new OpticsError(`${bl.id} has no station "${station}" (stations: ${bo.stations.map((s) => s.name).join(', ')}; energies ${bo.stations.map((s) => `${s.name}: ${energyText(s)}`).join('; ')})`);
  return { beamline: bl.id, station: st.name, point: stationAt(bo, st, beamFor(bl, currentA), energyEV) };
}

/**
 * Samples per hour of every station, keyed "<beamline>/<station>" (e.g. "BL08W/branch1"): the
 * number the capacity planner consumes, with the stations each one may run alongside.
 */
export function samplesPerHourByStation(f: FacilityModel): Record<string, { samplesPerHour: number; concurrentWith: string[]; timeSharedWith: string[] }> {
  const out: Record<string, { samplesPerHour: number; concurrentWith: string[]; timeSharedWith: string[] }> = {};
  for (const b of f.beamlines) {
    for (const s of b.stations) {
      out[`${b.id}/${s.name}`] = { samplesPerHour: s.samplesPerHour, concurrentWith: s.concurrentWith.map((n) => `${b.id}/${n}`), timeSharedWith: s.timeSharedWith.map((n) => `${b.id}/${n}`) };
    }
  }
  return out;
}
