/**
 * The beamline catalogue: reads and validates the YAML files of this folder (one per beamline,
 * `ports.yaml` for the straights, `spring8.yaml` for the comparison source). Every number in those
 * files is a quantity {value, source | assumption}; the loader turns them into plain numbers and
 * keeps the provenance by field path. An error names the file, the line and the field.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadYaml, ScenarioError } from '../../sim/scenario/yaml.ts';
import { beamFromTwiss, type ElectronBeam, type StraightKind } from '../devices/beam.ts';
import {
  DEVICE_TYPES, fieldFromGap, kFromField, POLARISATION_MODES, settingFor,
  type DeviceSetting, type DeviceType, type GapModel, type PolarisationMode,
} from '../devices/undulator.ts';
import { Reader, type Path, type Provenance } from './reader.ts';

export type { Provenance } from './reader.ts';

export const CATALOGUE_DIR = dirname(fileURLToPath(import.meta.url));

export interface KRange {
  kMin: number;
  kMax: number;
}

export interface CatalogueDevice {
  name: string;
  type: DeviceType;
  periodM: number;
  periods: number;
  minGapM?: number;
  gapModel?: GapModel;
  /** K range per polarisation mode ('default' for planar, helical and wiggler devices). */
  kRanges: Partial<Record<PolarisationMode | 'default', KRange>>;
}

export interface Station {
  name: string;
  technique: string;
  energyRangeEV?: { min: number; max: number };
  fixedEnergiesEV?: number[];
  /** Stations of the same beamline that can take beam at the same time as this one. */
  concurrentWith: string[];
  shifts2026A?: number;
}

export interface Beamline {
  id: string;
  title: string;
  class: 'public' | 'coalition';
  operator: string;
  straight: { kind: StraightKind; cell: number };
  energyRangeEV: { min: number; max: number };
  device: CatalogueDevice;
  stations: Station[];
  file: string;
  /** Provenance of every number, by dotted field path (e.g. "device.periodM"). */
  provenance: Record<string, Provenance>;
}

export interface Port {
  id: string;
  cell: number;
  straight: StraightKind;
  /** The beamline on this port, or null for an empty slot. */
  beamline: string | null;
}

export interface Catalogue {
  beamlines: Beamline[];
  ports: Port[];
  reserved: { cell: number; straight: StraightKind; use: string }[];
  straightLengthsM: Record<StraightKind, number>;
}

function readDevice(r: Reader, p: Path): CatalogueDevice {
  r.onlyKeys(p, ['name', 'type', 'periodM', 'periods', 'minGapM', 'gapModel', 'kMin', 'kMax', 'modes']);
  const type = r.oneOf([...p, 'type'], DEVICE_TYPES);
  const periodM = r.quantity([...p, 'periodM'], { positive: true, max: 1 });
  const periods = r.quantity([...p, 'periods'], { integer: true, min: 1 });
  const minGapM = r.has([...p, 'minGapM']) ? r.quantity([...p, 'minGapM'], { positive: true, max: 0.2 }) : undefined;
  let gapModel: GapModel | undefined;
  if (r.has([...p, 'gapModel'])) {
    const g = [...p, 'gapModel'];
    const model = r.oneOf([...g, 'model'], ['halbach', 'exp-fit'] as const);
    if (model === 'halbach') {
      r.onlyKeys(g, ['model', 'remanenceT', 'blocksPerPeriod', 'blockHeightM']);
      gapModel = {
        model,
        remanenceT: r.quantity([...g, 'remanenceT'], { positive: true, max: 2 }),
        blocksPerPeriod: r.quantity([...g, 'blocksPerPeriod'], { integer: true, min: 2 }),
        blockHeightM: r.quantity([...g, 'blockHeightM'], { positive: true }),
      };
    } else {
      r.onlyKeys(g, ['model', 'a', 'b', 'c']);
      gapModel = { model, a: r.quantity([...g, 'a']), b: r.quantity([...g, 'b']), c: r.quantity([...g, 'c']) };
    }
    if (minGapM === undefined) r.fail([...p, 'minGapM'], 'required with a gapModel (K_max is K at the minimum gap)');
  }
  const kRanges: CatalogueDevice['kRanges'] = {};
  const readRange = (q: Path, mode: PolarisationMode | 'default') => {
    const kMin = r.quantity([...q, 'kMin'], { min: 0 });
    let kMax: number;
    if (r.has([...q, 'kMax'])) kMax = r.quantity([...q, 'kMax'], { positive: true });
    else if (gapModel && minGapM !== undefined) kMax = kFromField(fieldFromGap(gapModel, minGapM, periodM), periodM);
    else r.fail([...q, 'kMax'], 'missing (give kMax, or minGapM with a gapModel)');
    if (kMax < kMin) r.fail([...q, 'kMax'], `must be ≥ kMin (${kMin}), got ${kMax}`);
    kRanges[mode] = { kMin, kMax };
  };
  if (type === 'elliptical') {
    const modes = r.list([...p, 'modes']);
    if (modes.length === 0) r.fail([...p, 'modes'], 'an elliptical device needs at least one polarisation mode');
    if (r.has([...p, 'kMin']) || r.has([...p, 'kMax'])) r.fail([...p, 'kMin'], 'an elliptical device gives kMin/kMax per mode (under modes)');
    modes.forEach((_, i) => {
      const q = [...p, 'modes', i];
      r.onlyKeys(q, ['mode', 'kMin', 'kMax']);
      const mode = r.oneOf([...q, 'mode'], POLARISATION_MODES);
      if (kRanges[mode]) r.fail([...q, 'mode'], `mode ${mode} given twice`);
      readRange(q, mode);
    });
  } else {
    if (r.has([...p, 'modes'])) r.fail([...p, 'modes'], `only an elliptical device has polarisation modes, not a ${type} one`);
    readRange(p, 'default');
  }
  return { name: r.string([...p, 'name']), type, periodM, periods, minGapM, gapModel, kRanges };
}

function readBeamline(file: string): Beamline {
  const r = new Reader(loadYaml(file));
  r.onlyKeys([], ['id', 'title', 'class', 'operator', 'source', 'straight', 'energyRangeEV', 'device', 'stations']);
  const id = r.string(['id']);
  if (id !== basename(file, '.yaml')) r.fail(['id'], `"${id}" does not match the file name ${basename(file)}`);
  r.onlyKeys(['straight'], ['kind', 'cell']);
  const straight = {
    kind: r.oneOf(['straight', 'kind'], ['long', 'short'] as const),
    cell: r.quantity(['straight', 'cell'], { integer: true, min: 1, max: 16 }),
  };
  const stationsRaw = r.list(['stations']);
  if (stationsRaw.length === 0) r.fail(['stations'], 'a beamline needs at least one station');
  const stations: Station[] = stationsRaw.map((_, i) => {
    const p: Path = ['stations', i];
    r.onlyKeys(p, ['name', 'technique', 'energyRangeEV', 'fixedEnergiesEV', 'concurrentWith', 'shifts2026A', 'assumption', 'source']);
    const hasRange = r.has([...p, 'energyRangeEV']);
    const hasFixed = r.has([...p, 'fixedEnergiesEV']);
    if (hasRange === hasFixed) r.fail(p, 'give exactly one of energyRangeEV (tunable) or fixedEnergiesEV');
    const concurrent = r.has([...p, 'concurrentWith']) ? r.list([...p, 'concurrentWith']) : [];
    concurrent.forEach((c, j) => { if (typeof c !== 'string') r.fail([...p, 'concurrentWith', j], 'must be a station name'); });
    return {
      name: r.string([...p, 'name']),
      technique: r.string([...p, 'technique']),
      energyRangeEV: hasRange ? r.range([...p, 'energyRangeEV']) : undefined,
      fixedEnergiesEV: hasFixed ? r.list([...p, 'fixedEnergiesEV']).map((_, j) => r.quantity([...p, 'fixedEnergiesEV', j], { positive: true })) : undefined,
      concurrentWith: concurrent as string[],
      shifts2026A: r.has([...p, 'shifts2026A']) ? r.quantity([...p, 'shifts2026A'], { integer: true, min: 0 }) : undefined,
    };
  });
  const names = new Set<string>();
  stations.forEach((s, i) => {
    if (names.has(s.name)) r.fail(['stations', i, 'name'], `station "${s.name}" given twice`);
    names.add(s.name);
  });
  stations.forEach((s, i) => s.concurrentWith.forEach((c, j) => {
    if (c === s.name) r.fail(['stations', i, 'concurrentWith', j], 'a station cannot list itself');
    if (!names.has(c)) r.fail(['stations', i, 'concurrentWith', j], `no station "${c}" on this beamline (stations: ${[...names].join(', ')})`);
    if (!stations.find((o) => o.name === c)!.concurrentWith.includes(s.name)) r.fail(['stations', i, 'concurrentWith', j], `"${c}" does not list "${s.name}" back: concurrency must be symmetric`);
  }));
  const device = readDevice(r, ['device']);
  const energyRangeEV = r.range(['energyRangeEV']);
  stations.forEach((st, i) => {
    const inside = (e: number) => e >= energyRangeEV.min && e <= energyRangeEV.max;
    if (st.energyRangeEV && !(inside(st.energyRangeEV.min) && inside(st.energyRangeEV.max))) {
      r.fail(['stations', i, 'energyRangeEV'], `${st.energyRangeEV.min}–${st.energyRangeEV.max} eV lies outside the beamline's ${energyRangeEV.min}–${energyRangeEV.max} eV`);
    }
    st.fixedEnergiesEV?.forEach((e, j) => {
      if (!inside(e)) r.fail(['stations', i, 'fixedEnergiesEV', j], `${e} eV lies outside the beamline's ${energyRangeEV.min}–${energyRangeEV.max} eV`);
    });
  });
  const cls = r.oneOf(['class'], ['public', 'coalition'] as const);
  return {
    id, title: r.string(['title']), class: cls, operator: r.string(['operator']), straight, energyRangeEV, device, stations, file,
    provenance: r.provenance,
  };
}

function readPorts(file: string): Omit<Catalogue, 'beamlines'> {
  const r = new Reader(loadYaml(file));
  r.onlyKeys([], ['straightLengthsM', 'reserved', 'ports']);
  const straightLengthsM = { long: r.quantity(['straightLengthsM', 'long'], { positive: true }), short: r.quantity(['straightLengthsM', 'short'], { positive: true }) };
  const reserved = r.list(['reserved']).map((_, i) => ({
    cell: ((): number => { const c = r.at(['reserved', i, 'cell']); if (!Number.isInteger(c) || (c as number) < 1 || (c as number) > 16) r.fail(['reserved', i, 'cell'], 'must be an integer cell number 1–16'); return c as number; })(),
    straight: r.oneOf(['reserved', i, 'straight'], ['long', 'short'] as const),
    use: r.string(['reserved', i, 'use']),
  }));
  const seen = new Map<string, string>();
  const ports: Port[] = r.list(['ports']).map((_, i) => {
    const p: Path = ['ports', i];
    r.onlyKeys(p, ['id', 'cell', 'straight', 'beamline']);
    const cell = r.at([...p, 'cell']);
    if (!Number.isInteger(cell) || (cell as number) < 1 || (cell as number) > 16) r.fail([...p, 'cell'], 'must be an integer cell number 1–16');
    const straight = r.oneOf([...p, 'straight'], ['long', 'short'] as const);
    const key = `${cell}/${straight}`;
    const id = r.string([...p, 'id']);
    if (seen.has(key)) r.fail(p, `cell ${cell} ${straight} straight is already port ${seen.get(key)}`);
    if (reserved.some((x) => x.cell === cell && x.straight === straight)) r.fail(p, `cell ${cell} ${straight} straight is reserved`);
    seen.set(key, id);
    const bl = r.at([...p, 'beamline']);
    if (bl !== null && typeof bl !== 'string') r.fail([...p, 'beamline'], 'must be a beamline id or null');
    return { id, cell: cell as number, straight, beamline: bl as string | null };
  });
  return { ports, reserved, straightLengthsM };
}

/** Loads and cross-checks the whole catalogue (beamline files against ports.yaml). */
export function loadCatalogue(dir = CATALOGUE_DIR): Catalogue {
  const portsFile = join(dir, 'ports.yaml');
  if (!existsSync(portsFile)) throw new ScenarioError('missing (the list of straights)', portsFile);
  const { ports, reserved, straightLengthsM } = readPorts(portsFile);
  const files = readdirSync(dir).filter((f) => /^BL\d\d[A-Z]\.yaml$/.test(f)).sort();
  const beamlines = files.map((f) => readBeamline(join(dir, f)));
  for (const b of beamlines) {
    const port = ports.find((p) => p.beamline === b.id);
    if (!port) throw new ScenarioError(`beamline ${b.id} has no port in ports.yaml`, b.file, undefined, 'id');
    if (port.cell !== b.straight.cell || port.straight !== b.straight.kind) {
      throw new ScenarioError(`port ${port.id} of ports.yaml is cell ${port.cell} ${port.straight}, the beamline file says cell ${b.straight.cell} ${b.straight.kind}`, b.file, undefined, 'straight');
    }
  }
  for (const p of ports) {
    if (p.beamline !== null && !beamlines.some((b) => b.id === p.beamline)) {
      throw new ScenarioError(`port ${p.id} names beamline ${p.beamline}, which has no file ${p.beamline}.yaml`, portsFile, undefined, 'ports');
    }
  }
  return { beamlines, ports, reserved, straightLengthsM };
}

export function findBeamline(cat: Catalogue, id: string): Beamline | undefined {
  return cat.beamlines.find((b) => b.id.toUpperCase() === id.toUpperCase());
}

/** The K range of a device in a mode (default: the first mode listed, or 'default'). */
export function kRangeOf(device: CatalogueDevice, mode?: PolarisationMode): { mode: PolarisationMode | undefined; range: KRange } {
  if (device.type !== 'elliptical') return { mode: undefined, range: device.kRanges.default! };
  const m = mode ?? (Object.keys(device.kRanges)[0] as PolarisationMode);
  const range = device.kRanges[m];
  if (!range) throw new Error(`device ${device.name} has no mode ${m} (modes: ${Object.keys(device.kRanges).join(', ')})`);
  return { mode: m, range };
}

/** A device setting at deflection parameter k (in the mode's convention). */
export function deviceSetting(device: CatalogueDevice, k: number, mode?: PolarisationMode): DeviceSetting {
  return settingFor(device.type, device.periodM, device.periods, k, mode);
}

/** The comparison source (SPring-8 with its standard in-vacuum undulator). */
export interface ComparisonSource {
  id: string;
  title: string;
  beam: ElectronBeam;
  device: CatalogueDevice;
  provenance: Record<string, Provenance>;
}

export function loadComparisonSource(file = join(CATALOGUE_DIR, 'spring8.yaml')): ComparisonSource {
  const r = new Reader(loadYaml(file));
  r.onlyKeys([], ['id', 'title', 'beam', 'device']);
  const b = ['beam'];
  r.onlyKeys(b, ['energyEV', 'currentA', 'naturalEmittanceM', 'coupling', 'energySpread', 'betaXM', 'betaYM']);
  const eps0 = r.quantity([...b, 'naturalEmittanceM'], { positive: true });
  const kappa = r.quantity([...b, 'coupling'], { min: 0, max: 1 });
  const beam = beamFromTwiss(
    {
      energyEV: r.quantity([...b, 'energyEV'], { positive: true }),
      currentA: r.quantity([...b, 'currentA'], { positive: true }),
      emittanceXM: eps0 / (1 + kappa),
      emittanceYM: (kappa * eps0) / (1 + kappa),
      energySpread: r.quantity([...b, 'energySpread'], { min: 0 }),
    },
    { betaXM: r.quantity([...b, 'betaXM'], { positive: true }), betaYM: r.quantity([...b, 'betaYM'], { positive: true }) },
    `${file} (see the provenance of each number)`,
  );
  return { id: r.string(['id']), title: r.string(['title']), beam, device: readDevice(r, ['device']), provenance: r.provenance };
}
