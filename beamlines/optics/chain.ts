/**
 * Beamline optics chains: read from beamlines/catalogue/optics/<BL>.yaml (one file per beamline,
 * one chain per station), validated against the catalogue (beamlines/catalogue/*.yaml, read-only
 * here), and evaluated at a photon energy: photons/s at the sample, bandwidth, resolving power, spot.
 *
 * A chain is: the front-end aperture (full angles, centred on a horizontal angle) → optical
 * elements in beam order → the sample. Element kinds:
 *   window / filter  {material, thicknessM}                       transmission exp(−μt)       (filter.ts)
 *   mirror           {coatings, grazingAngleRad, slopeErrorRad, roughnessM, collimates?, focus?}  (mirror.ts)
 *   pgm              plane-grating monochromator at fixed c_ff                               (grating.ts)
 *   dcm              tunable double-crystal monochromator {crystal, reflection}               (crystal.ts)
 *   fixed-crystal    fixed-energy crystal branch {crystal, energies: [{energyEV, reflection}]}
 * Exactly one monochromator per station. Before it the beam is counted as spectral flux
 * [ph/s/0.1%bw]; the monochromator turns it into photons/s:
 *   crystal:  Φ = F · (∫R^n dθ / tan θ_B) / 10⁻³   (n crystals in the non-dispersive setting: each
 *             ray is reflected over the intrinsic band whatever its angle; R is the absorbing
 *             Darwin–Prins curve, so ∫R² ≤ (16/15) ω_D for a pair, ∫R ≤ (4/3) ω_D for one crystal —
 *             crystal.ts; the element factor shown is the absorption loss against those ideal bands)
 *   grating:  Φ = F · (Δλ_slit/λ) / 10⁻³ · efficiency
 * capped by the natural line width of an undulator harmonic 1/(nN).
 * Focusing (a mirror with `focus: {plane, sourceDistanceM, imageDistanceM}`): the spot is the
 * demagnified virtual source ⊕ the slope-error blur 2σ_s·q (rms, in quadrature); the ratio of the
 * spot without and with the blur is the loss of flux density that the slope error costs. The
 * virtual source is the photon source, or the exit slit (rms w/√12, or the source image there if
 * smaller) after a grating monochromator. Divergence at the sample: σ′ · p/q.
 *
 * Branching: stations of a beamline either run at once (the catalogue's `concurrentWith`) — then
 * their front-end apertures must be disjoint slices of the fan (checked: no photon is counted twice)
 * — or are time-shared (everything else). `endstations:` in an optics file splits one catalogue
 * station into time-shared end stations behind a switching mirror.
 *
 * Every number in an optics file is a quantity {value, source | assumption} as in the catalogue:
 * beamline optics of NanoTerasu are not published, so nearly all are assumptions.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadYaml, ScenarioError, type YamlDoc } from '../../sim/scenario/yaml.ts';
import { CATALOGUE_DIR, loadCatalogue, type Beamline, type Catalogue, type Provenance, type Station } from '../catalogue/catalogue.ts';
import { Reader, type Path } from '../catalogue/reader.ts';
import { nanoterasuBeam, type ElectronBeam } from '../devices/beam.ts';
import { resonanceEnergyEV, settingFor, type PolarisationMode } from '../devices/undulator.ts';
import { techniqueModel, throughput, type ThroughputParams, type ThroughputResult } from '../throughput.ts';
import { darwin, integratedReflectivity, passedBandwidth, reflection } from './crystal.ts';
import { OpticsError } from './errors.ts';
import { filterTransmission } from './filter.ts';
import { gratingAt, type GratingSpec } from './grating.ts';
import { material } from './materials/index.ts';
import { mirrorReflectivity, type MirrorSpec } from './mirror.ts';
import { sourceAt, type Acceptance } from './source.ts';

export const OPTICS_DIR = join(CATALOGUE_DIR, 'optics');

export interface FocusSpec {
  plane: 'horizontal' | 'vertical' | 'both';
  sourceDistanceM: number;
  imageDistanceM: number;
}

export type ElementSpec =
  | { kind: 'window' | 'filter'; name: string; material: string; thicknessM: number }
  | ({ kind: 'mirror'; collimates: boolean; focus?: FocusSpec } & MirrorSpec)
  | ({ kind: 'pgm' } & GratingSpec)
  | { kind: 'dcm'; name: string; crystal: string; reflection: string }
  | { kind: 'fixed-crystal'; name: string; crystal: string; energies: { energyEV: number; reflection: string }[]; crystals: number };

export interface StationOptics {
  /** Station name (a catalogue station, or an end station of one). */
  name: string;
  /** The catalogue station it belongs to. */
  catalogueStation: string;
  technique: string;
  energyRangeEV?: { min: number; max: number };
  fixedEnergiesEV?: number[];
  concurrentWith: string[];
  timeSharedWith: string[];
  acceptance: Acceptance;
  operatingEnergyEV: number;
  elements: ElementSpec[];
  throughputModel: string;
  throughput: ThroughputParams;
  /** How this station gets its beam (free text from the optics file). */
  branching: string;
}

export interface BeamlineOptics {
  id: string;
  beamline: Beamline;
  file: string;
  stations: StationOptics[];
  provenance: Record<string, Provenance>;
}

/** The catalogue's reader (optics wording of quantity errors), plus material names. */
class OpticsReader extends Reader {
  constructor(doc: YamlDoc) {
    super(doc, 'optics');
  }
  materialName(path: Path): string {
    const m = this.string(path);
    try { material(m); } catch (e) { this.fail(path, (e as Error).message); }
    return m;
  }
}

function readElement(r: OpticsReader, p: Path): ElementSpec {
  const kind = r.oneOf([...p, 'kind'], ['window', 'filter', 'mirror', 'pgm', 'dcm', 'fixed-crystal'] as const);
  const name = r.string([...p, 'name']);
  switch (kind) {
    case 'window':
    case 'filter':
      r.onlyKeys(p, ['kind', 'name', 'material', 'thicknessM']);
      return { kind, name, material: r.materialName([...p, 'material']), thicknessM: r.quantity([...p, 'thicknessM'], { min: 0, max: 0.1 }) };
    case 'mirror': {
      r.onlyKeys(p, ['kind', 'name', 'coatings', 'grazingAngleRad', 'slopeErrorRad', 'roughnessM', 'collimates', 'focus']);
      const coatings = r.list([...p, 'coatings']).map((_, i) => r.materialName([...p, 'coatings', i]));
      if (coatings.length === 0) r.fail([...p, 'coatings'], 'a mirror needs at least one coating');
      let focus: FocusSpec | undefined;
      if (r.has([...p, 'focus'])) {
        const f = [...p, 'focus'];
        r.onlyKeys(f, ['plane', 'sourceDistanceM', 'imageDistanceM']);
        focus = { plane: r.oneOf([...f, 'plane'], ['horizontal', 'vertical', 'both'] as const), sourceDistanceM: r.quantity([...f, 'sourceDistanceM'], { positive: true }), imageDistanceM: r.quantity([...f, 'imageDistanceM'], { positive: true }) };
      }
      const collimates = r.at([...p, 'collimates']);
      if (collimates !== undefined && typeof collimates !== 'boolean') r.fail([...p, 'collimates'], 'must be true or false');
      return {
        kind, name, coatings,
        grazingAngleRad: r.quantity([...p, 'grazingAngleRad'], { positive: true, max: 0.2 }),
        slopeErrorRad: r.quantity([...p, 'slopeErrorRad'], { min: 0, max: 1e-4 }),
        roughnessM: r.quantity([...p, 'roughnessM'], { min: 0, max: 1e-8 }),
        collimates: collimates === true, focus,
      };
    }
    case 'pgm': {
      r.onlyKeys(p, ['kind', 'name', 'premirror', 'coatings', 'lineDensityPerM', 'order', 'cff', 'grooveEfficiency', 'slopeErrorRad', 'sourceDistanceM', 'exitSlitM', 'exitArmM']);
      const coatings = r.list([...p, 'coatings']).map((_, i) => r.materialName([...p, 'coatings', i]));
      const premirror = r.at([...p, 'premirror']);
      if (premirror !== undefined && typeof premirror !== 'boolean') r.fail([...p, 'premirror'], 'must be true or false');
      return {
        kind, name, coatings, premirror: premirror !== false,
        lineDensityPerM: r.quantity([...p, 'lineDensityPerM'], { positive: true, max: 1e7 }),
        order: r.quantity([...p, 'order'], { integer: true, min: 1 }),
        cff: r.quantity([...p, 'cff'], { positive: true }),
        grooveEfficiency: r.quantity([...p, 'grooveEfficiency'], { positive: true, max: 1 }),
        slopeErrorRad: r.quantity([...p, 'slopeErrorRad'], { min: 0, max: 1e-4 }),
        sourceDistanceM: r.quantity([...p, 'sourceDistanceM'], { positive: true }),
        exitSlitM: r.quantity([...p, 'exitSlitM'], { positive: true, max: 1e-2 }),
        exitArmM: r.quantity([...p, 'exitArmM'], { positive: true }),
      };
    }
    case 'dcm': {
      r.onlyKeys(p, ['kind', 'name', 'crystal', 'reflection']);
      const crystal = r.string([...p, 'crystal']);
      const hkl = String(r.at([...p, 'reflection']) ?? '');
      try { reflection(crystal, hkl); } catch (e) { r.fail([...p, 'reflection'], (e as Error).message); }
      return { kind, name, crystal, reflection: hkl };
    }
    case 'fixed-crystal': {
      r.onlyKeys(p, ['kind', 'name', 'crystal', 'energies', 'crystals']);
      const crystal = r.string([...p, 'crystal']);
      const energies = r.list([...p, 'energies']).map((_, i) => {
        const q = [...p, 'energies', i];
        r.onlyKeys(q, ['energyEV', 'reflection']);
        const hkl = String(r.at([...q, 'reflection']) ?? '');
        try { reflection(crystal, hkl); } catch (e) { r.fail([...q, 'reflection'], (e as Error).message); }
        return { energyEV: r.quantity([...q, 'energyEV'], { positive: true }), reflection: hkl };
      });
      if (energies.length === 0) r.fail([...p, 'energies'], 'a fixed-energy crystal needs at least one energy');
      return { kind, name, crystal, energies, crystals: r.quantity([...p, 'crystals'], { integer: true, min: 1, max: 4 }) };
    }
  }
}

const THROUGHPUT_KEYS = ['countsPerPoint', 'detectedPerPhoton', 'points', 'minDwellS', 'overheadS'] as const;

function readThroughput(r: OpticsReader, p: Path): { model: string; params: ThroughputParams } {
  r.onlyKeys(p, ['model', ...THROUGHPUT_KEYS]);
  const model = r.string([...p, 'model']);
  let base: ThroughputParams;
  try { base = techniqueModel(model); } catch (e) { r.fail([...p, 'model'], (e as Error).message); }
  const params: ThroughputParams = { countsPerPoint: base.countsPerPoint, detectedPerPhoton: base.detectedPerPhoton, points: base.points, minDwellS: base.minDwellS, overheadS: base.overheadS };
  for (const k of THROUGHPUT_KEYS) if (r.has([...p, k])) params[k] = r.quantity([...p, k], k === 'minDwellS' || k === 'overheadS' ? { min: 0 } : { positive: true });
  return { model, params };
}

/** Reads and validates the optics file of one catalogue beamline. */
export function loadBeamlineOptics(bl: Beamline, dir = OPTICS_DIR): BeamlineOptics {
  const file = join(dir, `${bl.id}.yaml`);
  if (!existsSync(file)) throw new ScenarioError(`no optics file for beamline ${bl.id} (expected ${bl.id}.yaml in ${dir})`, file);
  const r: OpticsReader = new OpticsReader(loadYaml(file));
  r.onlyKeys([], ['beamline', 'stations']);
  if (r.string(['beamline']) !== bl.id) r.fail(['beamline'], `must be ${bl.id} (the file name)`);
  const catNames = bl.stations.map((s) => s.name);
  const seen = new Set<string>();
  const stations: StationOptics[] = [];
  r.list(['stations']).forEach((_, i) => {
    const p: Path = ['stations', i];
    r.onlyKeys(p, ['name', 'branching', 'acceptance', 'operatingEnergyEV', 'elements', 'throughput', 'endstations']);
    const name = r.string([...p, 'name']);
    const cs: Station | undefined = bl.stations.find((s) => s.name === name);
    if (!cs) r.fail([...p, 'name'], `beamline ${bl.id} has no station "${name}" in the catalogue (stations: ${catNames.join(', ')})`);
    if (seen.has(name)) r.fail([...p, 'name'], `station "${name}" given twice`);
    seen.add(name);
    r.onlyKeys([...p, 'acceptance'], ['horizontalRad', 'verticalRad', 'centreHorizontalRad']);
    const acceptance: Acceptance = {
      horizontalRad: r.quantity([...p, 'acceptance', 'horizontalRad'], { positive: true, max: 0.02 }),
      verticalRad: r.quantity([...p, 'acceptance', 'verticalRad'], { positive: true, max: 0.01 }),
      centreHorizontalRad: r.has([...p, 'acceptance', 'centreHorizontalRad']) ? r.quantity([...p, 'acceptance', 'centreHorizontalRad'], { min: -0.01, max: 0.01 }) : 0,
    };
    const elements = r.list([...p, 'elements']).map((_, j) => readElement(r, [...p, 'elements', j]));
    const monos = elements.filter((e) => e.kind === 'pgm' || e.kind === 'dcm' || e.kind === 'fixed-crystal');
    if (monos.length !== 1) r.fail([...p, 'elements'], `a station needs exactly one monochromator (pgm, dcm or fixed-crystal), found ${monos.length}`);
    const mono = monos[0];
    if (cs.fixedEnergiesEV) {
      if (mono.kind !== 'fixed-crystal') r.fail([...p, 'elements'], `station ${name} has fixed energies in the catalogue: its monochromator must be a fixed-crystal`);
      for (const e of cs.fixedEnergiesEV) {
        if (!mono.energies.some((x) => Math.abs(x.energyEV / e - 1) < 1e-6)) r.fail([...p, 'elements'], `fixed-crystal ${mono.name} has no reflection for the catalogue energy ${e} eV`);
      }
      for (const x of mono.energies) {
        if (!cs.fixedEnergiesEV.some((e) => Math.abs(x.energyEV / e - 1) < 1e-6)) r.fail([...p, 'elements'], `fixed-crystal ${mono.name} energy ${x.energyEV} eV is not one of the station's catalogue energies (${cs.fixedEnergiesEV.join(', ')})`);
      }
    } else if (mono.kind === 'fixed-crystal') {
      r.fail([...p, 'elements'], `station ${name} is tunable in the catalogue; a fixed-crystal cannot serve it`);
    }
    const operatingEnergyEV = r.quantity([...p, 'operatingEnergyEV'], { positive: true });
    const tp = readThroughput(r, [...p, 'throughput']);
    const branching = r.has([...p, 'branching']) ? r.string([...p, 'branching']) : 'the whole beamline (single station)';
    const base: StationOptics = {
      name, catalogueStation: name, technique: cs.technique, energyRangeEV: cs.energyRangeEV, fixedEnergiesEV: cs.fixedEnergiesEV,
      concurrentWith: [...cs.concurrentWith], timeSharedWith: [], acceptance, operatingEnergyEV, elements,
      throughputModel: tp.model, throughput: tp.params, branching,
    };
    if (!energyAllowed(base, operatingEnergyEV)) r.fail([...p, 'operatingEnergyEV'], `${operatingEnergyEV} eV is not an energy of station ${name} (${energyText(base)})`);
    if (r.has([...p, 'endstations'])) {
      const ends = r.list([...p, 'endstations']).map((_, j) => {
        const q = [...p, 'endstations', j];
        r.onlyKeys(q, ['name', 'technique', 'elements', 'throughput']);
        const extra = r.has([...q, 'elements']) ? r.list([...q, 'elements']).map((_, k) => readElement(r, [...q, 'elements', k])) : [];
        if (extra.some((e) => e.kind === 'pgm' || e.kind === 'dcm' || e.kind === 'fixed-crystal')) r.fail([...q, 'elements'], 'an end station shares its station\'s monochromator; add only mirrors, windows, filters');
        const t = r.has([...q, 'throughput']) ? readThroughput(r, [...q, 'throughput']) : tp;
        return { ...base, name: r.string([...q, 'name']), technique: r.string([...q, 'technique']), elements: [...elements, ...extra], throughputModel: t.model, throughput: t.params };
      });
      if (ends.length < 2) r.fail([...p, 'endstations'], 'list at least two end stations (one is the station itself)');
      stations.push(...ends);
    } else stations.push(base);
  });
  for (const n of catNames) if (!seen.has(n)) r.fail(['stations'], `catalogue station "${n}" of ${bl.id} has no optics chain`);
  // Expand concurrency to end stations; everything not concurrent is time-shared.
  const members = (catalogueName: string) => stations.filter((s) => s.catalogueStation === catalogueName).map((s) => s.name);
  for (const s of stations) s.concurrentWith = s.concurrentWith.flatMap(members);
  for (const s of stations) s.timeSharedWith = stations.filter((o) => o !== s && !s.concurrentWith.includes(o.name)).map((o) => o.name);
  const names = new Set<string>();
  for (const s of stations) {
    if (names.has(s.name)) r.fail(['stations'], `station name "${s.name}" used twice on ${bl.id}`);
    names.add(s.name);
  }
  // Photon bookkeeping: stations running at once must take disjoint slices of the fan.
  for (const a of stations) for (const b of stations) {
    if (a.name >= b.name || !a.concurrentWith.includes(b.name)) continue;
    const gap = Math.abs(a.acceptance.centreHorizontalRad - b.acceptance.centreHorizontalRad);
    if (gap < (a.acceptance.horizontalRad + b.acceptance.horizontalRad) / 2 - 1e-12) {
      r.fail(['stations'], `stations ${a.name} and ${b.name} run at once but their front-end apertures overlap horizontally: the same photons would be counted twice`);
    }
  }
  return { id: bl.id, beamline: bl, file, stations, provenance: r.provenance };
}

/** The optics of every catalogue beamline. */
export function loadFacilityOptics(cat: Catalogue = loadCatalogue(), dir = OPTICS_DIR): BeamlineOptics[] {
  return cat.beamlines.map((b) => loadBeamlineOptics(b, dir));
}

/**
 * Checks that these stations of one beamline may take beam at the same time (the branch rule a
 * schedule must respect): an OpticsError naming the first time-shared pair, or an unknown station.
 */
export function checkSimultaneous(bo: BeamlineOptics, names: string[]): void {
  for (const n of names) {
    if (!bo.stations.some((s) => s.name === n)) throw new OpticsError(`${bo.id} has no station "${n}" (stations: ${bo.stations.map((s) => s.name).join(', ')})`);
  }
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      if (names[i] === names[j]) throw new OpticsError(`${bo.id}: station ${names[i]} listed twice`);
      const a = bo.stations.find((s) => s.name === names[i])!;
      if (!a.concurrentWith.includes(names[j])) throw new OpticsError(`${bo.id}: stations ${names[i]} and ${names[j]} are time-shared: they never take beam at the same time`);
    }
  }
}

export function energyText(s: Pick<StationOptics, 'energyRangeEV' | 'fixedEnergiesEV'>): string {
  if (s.energyRangeEV) return `${s.energyRangeEV.min}–${s.energyRangeEV.max} eV`;
  return `fixed energies ${s.fixedEnergiesEV!.join(', ')} eV`;
}

/** Whether a station delivers photon energy E (range, or one of its fixed energies within 10⁻⁶). */
export function energyAllowed(s: Pick<StationOptics, 'energyRangeEV' | 'fixedEnergiesEV'>, energyEV: number): boolean {
  if (s.energyRangeEV) return energyEV >= s.energyRangeEV.min * (1 - 1e-9) && energyEV <= s.energyRangeEV.max * (1 + 1e-9);
  return s.fixedEnergiesEV!.some((e) => Math.abs(energyEV / e - 1) < 1e-6);
}

/** Lowest photon energy the device reaches (first harmonic at K max); 0 for a wiggler. */
export function sourceMinimumEnergyEV(bl: Beamline, beam: ElectronBeam): number {
  const d = bl.device;
  if (d.type === 'wiggler') return 0;
  const mode = d.type === 'elliptical' ? (Object.keys(d.kRanges)[0] as PolarisationMode) : undefined;
  const range = d.type === 'elliptical' ? d.kRanges[mode!]! : d.kRanges.default!;
  return resonanceEnergyEV(settingFor(d.type, d.periodM, d.periods, range.kMax, mode), beam.energyEV, 1);
}

export interface ElementFactor {
  name: string;
  kind: ElementSpec['kind'];
  /** Transmission or reflectivity (or efficiency) of this element at the energy. */
  factor: number;
  detail: string;
}

export interface StationPoint {
  energyEV: number;
  /** Photons/s at the sample. */
  photonsPerS: number;
  /** Spectral flux through the front-end aperture [ph/s/0.1%bw]. */
  sourceSpectralFlux: number;
  /** The same over an unlimited aperture. */
  sourceSpectralFluxUnlimited: number;
  /** Relative bandwidth ΔE/E passed by the monochromator. */
  bandwidth: number;
  /** Photons/s the source sends through the aperture within that bandwidth (before any loss). */
  sourcePhotonsInBand: number;
  resolvingPower: number;
  spotFwhmM: { horizontal: number; vertical: number };
  divergenceFwhmRad: { horizontal: number; vertical: number };
  /** Flux-density factor (≤ 1) the mirror slope errors cost at the spot. */
  slopeErrorDensityFactor: number;
  elements: ElementFactor[];
  source: string;
}

const FWHM = 2 * Math.sqrt(2 * Math.LN2);

/**
 * The station at photon energy E [eV]. Throws an OpticsError (naming beamline, station, element)
 * for an energy outside the station's range or not one of its fixed energies, for a mirror above
 * its critical angle, or an energy the source cannot reach.
 */
export function stationAt(bo: BeamlineOptics, st: StationOptics, beam: ElectronBeam, energyEV: number): StationPoint {
  const where = `${bo.id} ${st.name}`;
  if (!Number.isFinite(energyEV) || !(energyEV > 0)) throw new OpticsError(`${where}: photon energy must be a positive number, got ${energyEV}`);
  if (!energyAllowed(st, energyEV)) {
    throw new OpticsError(st.fixedEnergiesEV
      ? `${where}: a fixed-energy branch delivers only ${st.fixedEnergiesEV.map((e) => `${(e / 1e3).toFixed(2)} keV`).join(' and ')}, not ${(energyEV / 1e3).toFixed(3)} keV`
      : `${where}: ${(energyEV / 1e3).toFixed(3)} keV is outside the station's range ${(st.energyRangeEV!.min / 1e3).toFixed(3)}–${(st.energyRangeEV!.max / 1e3).toFixed(3)} keV`);
  }
  let src;
  try { src = sourceAt(bo.beamline.device, beam, energyEV, st.acceptance); } catch (e) {
    if (e instanceof OpticsError) throw new OpticsError(`${where}: ${e.message}`);
    throw e;
  }
  let spectral = src.spectralFlux;
  let photons = NaN;
  let bandwidth = NaN;
  let resolvingPower = NaN;
  let sourceInBand = NaN;
  // Virtual source (rms) and divergence (rms) per plane, as seen by the next focusing element.
  let sx = src.sizeXM;
  let sy = src.sizeYM;
  let dx = Math.min(src.divergenceXRad, st.acceptance.horizontalRad / FWHM);
  let dy = Math.min(src.divergenceYRad, st.acceptance.verticalRad / FWHM);
  let collimatedSlope: number | undefined;
  let spotX = sx;
  let spotY = sy;
  let divX = dx;
  let divY = dy;
  let densityFactor = 1;
  const factors: ElementFactor[] = [];
  const apply = (f: number) => { if (Number.isNaN(photons)) spectral *= f; else photons *= f; };
  for (const el of st.elements) {
    try {
      switch (el.kind) {
        case 'window':
        case 'filter': {
          const t = filterTransmission(el, energyEV);
          apply(t);
          factors.push({ name: el.name, kind: el.kind, factor: t, detail: `${(el.thicknessM * 1e6).toFixed(1)} µm ${el.material}` });
          break;
        }
        case 'mirror': {
          const m = mirrorReflectivity(el, energyEV);
          apply(m.reflectivity);
          factors.push({ name: el.name, kind: el.kind, factor: m.reflectivity, detail: `${m.coating} at ${(el.grazingAngleRad * 1e3).toFixed(2)} mrad (θc ${(m.criticalAngleRad * 1e3).toFixed(2)} mrad)` });
          if (el.collimates) collimatedSlope = el.slopeErrorRad;
          if (el.focus) {
            const { sourceDistanceM: p, imageDistanceM: q } = el.focus;
            const blur = 2 * el.slopeErrorRad * q;
            const focusPlane = (s: number, d: number): [number, number, number] => {
              const ideal = (s * q) / p;
              const real = Math.hypot(ideal, blur);
              return [real, (d * p) / q, ideal / real];
            };
            if (el.focus.plane !== 'vertical') { const [s, d, f] = focusPlane(sx, dx); spotX = s; divX = d; sx = s; dx = d; densityFactor *= f; }
            if (el.focus.plane !== 'horizontal') { const [s, d, f] = focusPlane(sy, dy); spotY = s; divY = d; sy = s; dy = d; densityFactor *= f; }
          }
          break;
        }
        case 'pgm': {
          const g = gratingAt(el, energyEV, FWHM * sy);
          bandwidth = Math.min(g.slitBandwidth, src.lineWidth);
          sourceInBand = src.spectralFlux * (bandwidth / 1e-3);
          photons = spectral * (bandwidth / 1e-3) * g.efficiency;
          resolvingPower = g.resolvingPower;
          factors.push({ name: el.name, kind: el.kind, factor: g.efficiency, detail: `${(el.lineDensityPerM / 1e3).toFixed(0)} l/mm order ${el.order} c_ff ${el.cff}, ${g.coating}, ΔE/E(slit) ${g.slitBandwidth.toExponential(2)}, R ${g.resolvingPower.toFixed(0)}` });
          // The exit slit becomes the vertical virtual source (the image there if smaller).
          sy = Math.min(el.exitSlitM / Math.sqrt(12), (sy * el.exitArmM) / el.sourceDistanceM);
          spotY = sy;
          break;
        }
        case 'dcm':
        case 'fixed-crystal': {
          const hkl = el.kind === 'dcm' ? el.reflection : el.energies.find((x) => Math.abs(x.energyEV / energyEV - 1) < 1e-6)?.reflection;
          if (!hkl) throw new OpticsError(`${el.name} has no reflection at ${energyEV} eV`);
          const refl = reflection(el.crystal, hkl);
          const dw = darwin(refl, energyEV);
          const nCrystals = el.kind === 'dcm' ? 2 : el.crystals;
          // band of the ideal (non-absorbing) crystals, and the absorption loss ∫R^n / ∫R^n_ideal
          const ideal = passedBandwidth(refl, energyEV, nCrystals);
          const r = integratedReflectivity(refl, energyEV, nCrystals) / Math.tan(dw.braggAngleRad) / ideal;
          bandwidth = Math.min(ideal, src.lineWidth);
          sourceInBand = src.spectralFlux * (bandwidth / 1e-3);
          photons = spectral * (bandwidth / 1e-3) * r;
          const spreadFwhm = collimatedSlope !== undefined ? FWHM * 2 * collimatedSlope : Math.min(FWHM * dy, st.acceptance.verticalRad);
          resolvingPower = Math.tan(dw.braggAngleRad) / Math.hypot(dw.fwhmRad, spreadFwhm);
          factors.push({ name: el.name, kind: el.kind, factor: r, detail: `${el.crystal}(${hkl}) θB ${(dw.braggAngleRad * 180 / Math.PI).toFixed(2)}°, Darwin ${(dw.fwhmRad / 4.84813681e-6).toFixed(2)}″, ΔE/E ${dw.relativeBandwidth.toExponential(2)}` });
          break;
        }
      }
    } catch (e) {
      if (e instanceof OpticsError) throw new OpticsError(`${where}, ${el.name}: ${e.message}`);
      throw e;
    }
  }
  return {
    energyEV, photonsPerS: photons, sourceSpectralFlux: src.spectralFlux, sourceSpectralFluxUnlimited: src.spectralFluxUnlimited,
    bandwidth, sourcePhotonsInBand: sourceInBand, resolvingPower,
    spotFwhmM: { horizontal: FWHM * spotX, vertical: FWHM * spotY },
    divergenceFwhmRad: { horizontal: FWHM * divX, vertical: FWHM * divY },
    slopeErrorDensityFactor: densityFactor, elements: factors, source: src.description,
  };
}

export interface StationSummary {
  optics: StationOptics;
  /** Flux against energy: the tunable range (log-spaced) or the fixed energies. */
  curve: StationPoint[];
  operating: StationPoint;
  throughput: ThroughputResult;
  warnings: string[];
}

/** Energies of a station's curve: `points` log-spaced over the reachable range, or its fixed energies. */
export function curveEnergies(bo: BeamlineOptics, st: StationOptics, beam: ElectronBeam, points: number, warnings: string[]): number[] {
  if (st.fixedEnergiesEV) return [...st.fixedEnergiesEV];
  const { min, max } = st.energyRangeEV!;
  const reach = sourceMinimumEnergyEV(bo.beamline, beam);
  let lo = min;
  if (reach > min) {
    warnings.push(`${bo.id} ${st.name}: the (assumed) device reaches only ≥ ${reach.toFixed(1)} eV (first harmonic at K max), not the station's ${min} eV; the curve starts there`);
    lo = reach * (1 + 1e-9);
  }
  if (!(lo < max)) return [];
  return Array.from({ length: points }, (_, i) => lo * Math.pow(max / lo, i / (points - 1)));
}

/** Flux curve, operating point and throughput of one station. */
export function stationSummary(bo: BeamlineOptics, st: StationOptics, beam: ElectronBeam, points = 25): StationSummary {
  const warnings: string[] = [];
  const curve = curveEnergies(bo, st, beam, points, warnings).map((e) => stationAt(bo, st, beam, e));
  const operating = stationAt(bo, st, beam, st.operatingEnergyEV);
  return { optics: st, curve, operating, throughput: throughput(st.throughput, operating.photonsPerS), warnings };
}

/** The beam a beamline sees: NanoTerasu at its straight (long/short), at a stored current. */
export function beamFor(bl: Beamline, currentA?: number): ElectronBeam {
  return nanoterasuBeam(bl.straight.kind, currentA === undefined ? {} : { currentA });
}
