/**
 * The capacity scenario: zod schema, loading from YAML with line numbers, and what-if overrides.
 *
 * The YAML has a top-level `capacity:` section (so the same file can later carry the other
 * sections of a whole-twin scenario). Every user mistake becomes a ScenarioError naming the file,
 * the line and the field, e.g. `scenarios/x.yaml:41: capacity.coalition.sharedFraction: must be ≤ 1`.
 */
import { z } from 'zod';
import { loadYaml, parseYaml, ScenarioError, type YamlDoc } from '../scenario/yaml.ts';

/**
 * Beamline ids known to the capacity model until `beamlines/catalogue/` exists: the ten beamlines
 * of the planning document (需要調査 table) and of the 2026A call (reference nanoterasu.md §4.1).
 * What-if beamlines are generated as `NEW01`…`NEW18` (the ring has 28 ID straights at most).
 */
export const CATALOGUE_IDS: readonly string[] = [
  'BL02U', 'BL06U', 'BL13U', 'BL07U', 'BL08U', 'BL08W', 'BL09U', 'BL09W', 'BL10U', 'BL14U',
];
/** Maximum number of ID beamlines of the ring: 14 long + 14 short straights (reference §1, "ID straights"). */
export const MAX_BEAMLINES = 28;

const int = () => z.number().int();
/** Objects are strict: an unknown (e.g. misspelt) field is an error naming its line, never silently ignored. */
const obj = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict();
const nonNeg = () => z.number().finite().nonnegative();
const prob = () => z.number().finite().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1 (a fraction)');
const shiftRange = z
  .object({ min: int().min(1), max: int().min(1) })
  .refine((r) => r.min <= r.max, { message: 'min must be ≤ max', path: ['max'] });

export const beamlineSchema = obj({
  id: z.string().min(1),
  access: z.enum(['public', 'coalition']),
  /** Stations that can take beam at once on the main branch (normally 1). */
  mainStations: int().min(1).max(4).default(1),
  /** Branch stations run at the same time as the main station (BL08W has two). */
  branchStations: int().min(0).max(8).default(0),
  survey: obj({ academicDays: nonNeg(), industrialDays: nonNeg() }),
  /** Share of the survey's demand this beamline carries (what-if copies split it); normally 1. */
  demandShare: z.number().positive().max(1).default(1),
});

export const capacitySchema = obj({
  supply: obj({
    userHoursPerYear: z.number().positive().max(8760, 'more hours than a year (8760 h)'),
    shiftHours: int().min(1).max(24).refine((h) => 24 % h === 0, 'must divide 24'),
    calendar: obj({
      daysInYear: int().min(365).max(366).default(365),
      firstWeekday: int().min(0).max(6),
      shutdowns: z.array(obj({ name: z.string(), startDay: int().min(0).max(365), days: int().min(1).max(366) })),
      maintenanceWeekday: int().min(0).max(6).nullable(),
      machineStudyShiftsPerWeek: int().min(0).max(21),
    }),
    faults: obj({ mtbfHours: z.number().positive(), mttrHours: nonNeg() }),
  }),
  survey: obj({
    usableDaysPerBeamline: z.number().positive().max(366, 'more days than a year'),
    hoursPerDay: z.number().positive().max(24, 'more hours than a day'),
  }),
  beamlines: z.array(beamlineSchema).min(1).max(MAX_BEAMLINES, `the ring has at most ${MAX_BEAMLINES} ID beamlines`),
  public: obj({
    callsPerYear: z.literal(2),
    demandFactor: nonNeg(),
    requestShifts: shiftRange,
    submissionWindowDays: int().min(0).max(365),
    deadlineDaysBeforePeriod: int().min(0).max(365),
    cancelProbability: prob(),
    noShowProbability: prob(),
  }),
  coalition: obj({
    sharedFraction: prob(),
    hoursPerUnit: z.number().positive().max(8760, 'more hours than a year (8760 h)'),
    unitPriceJPY: nonNeg(),
    contractYears: z.number().positive(),
    hourlyFeeJPY: nonNeg(),
    demandFactor: nonNeg(),
    branchDemandWeight: nonNeg(),
    bookingShifts: shiftRange,
    firstRoundShare: prob(),
    lateCancelProbability: prob(),
    rounds: obj({ firstCloseDays: int().min(0), secondCloseDays: int().min(0), thirdCloseDays: int().min(0) })
      .refine((r) => r.firstCloseDays >= r.secondCloseDays && r.secondCloseDays >= r.thirdCloseDays, {
        message: 'rounds must close in order: first ≥ second ≥ third (days before the slot)', path: ['secondCloseDays'],
      }),
    tiers: z.array(obj({ name: z.string(), members: int().min(0), unitsEach: int().min(1), secondRound: z.boolean() }))
      .min(1).max(8),
  }),
  /** Monte Carlo defaults (the command line overrides them); results do not depend on the worker count. */
  monteCarlo: obj({
    years: int().min(1).max(1000),
    runs: int().min(1).max(100000),
    seed: int().min(0).max(2 ** 53 - 1),
  }).default({ years: 10, runs: 100, seed: 2026 }),
  fees: obj({
    proprietaryJPYPerShift: nonNeg(),
    spring8: obj({ proprietaryJPYPerShift: nonNeg(), priorityJPYPerShift: nonNeg() }),
  }),
});

export type CapacityScenario = z.infer<typeof capacitySchema>;
export type BeamlineSpec = z.infer<typeof beamlineSchema>;

/** Zod issues → ScenarioError at the first issue's path, naming its YAML line. */
function zodToError(doc: YamlDoc | undefined, err: z.ZodError, prefix: (string | number)[], file: string): ScenarioError {
  const issue = err.issues[0];
  const path = [...prefix, ...issue.path];
  const msg = issue.message === 'Required' ? 'missing (required)' : issue.message;
  return doc ? doc.error(path, msg) : new ScenarioError(msg, file, undefined, path.join('.'));
}

/** Cross-field checks zod cannot express alone; `where` maps a path to an error. */
function checkConsistency(s: CapacityScenario, fail: (path: (string | number)[], msg: string) => never, catalogue: readonly string[] | null): void {
  const seen = new Set<string>();
  s.beamlines.forEach((b, i) => {
    if (catalogue && !catalogue.includes(b.id)) {
      fail(['beamlines', i, 'id'], `beamline "${b.id}" is not in the catalogue (${catalogue.join(', ')})`);
    }
    if (seen.has(b.id)) fail(['beamlines', i, 'id'], `beamline "${b.id}" is listed twice`);
    seen.add(b.id);
  });
  const cal = s.supply.calendar;
  cal.shutdowns.forEach((sd, i) => {
    if (sd.startDay + sd.days > cal.daysInYear) fail(['supply', 'calendar', 'shutdowns', i, 'days'], `shutdown runs past the end of the year (day ${cal.daysInYear})`);
  });
  if (cal.machineStudyShiftsPerWeek > 24 / s.supply.shiftHours) fail(['supply', 'calendar', 'machineStudyShiftsPerWeek'], `at most one day (${24 / s.supply.shiftHours} shifts) per week`);
  if (s.supply.userHoursPerYear > cal.daysInYear * 24) fail(['supply', 'userHoursPerYear'], `more hours than a year (${cal.daysInYear * 24} h)`);
  const avail = availableShifts(s).length * s.supply.shiftHours;
  if (s.supply.userHoursPerYear > avail) {
    fail(['supply', 'userHoursPerYear'], `${s.supply.userHoursPerYear} h do not fit in the calendar: only ${avail} h remain after shutdowns, maintenance and machine studies`);
  }
}

/**
 * Shifts of the year open to user operation before the hour target is applied: not in a shutdown,
 * not on the maintenance day, minus the weekly machine-study shifts (taken from the day after
 * maintenance, first shifts of the day). Returned as absolute shift indices (day·shiftsPerDay + k).
 */
export function availableShifts(s: CapacityScenario): number[] {
  const cal = s.supply.calendar;
  const perDay = 24 / s.supply.shiftHours;
  const off = new Uint8Array(cal.daysInYear);
  for (const sd of cal.shutdowns) for (let d = sd.startDay; d < Math.min(cal.daysInYear, sd.startDay + sd.days); d++) off[d] = 1;
  const out: number[] = [];
  for (let d = 0; d < cal.daysInYear; d++) {
    if (off[d]) continue;
    const wd = (cal.firstWeekday + d) % 7;
    if (cal.maintenanceWeekday !== null && wd === cal.maintenanceWeekday) continue;
    const studyDay = cal.maintenanceWeekday === null ? 1 : (cal.maintenanceWeekday + 1) % 7;
    const study = wd === studyDay ? Math.min(perDay, cal.machineStudyShiftsPerWeek) : 0;
    for (let k = study; k < perDay; k++) out.push(d * perDay + k);
  }
  return out;
}

/** Validate plain data (already parsed) as a capacity scenario. `doc` gives line numbers when present. */
export function validateCapacity(
  data: unknown,
  opts: { doc?: YamlDoc; file?: string; prefix?: (string | number)[]; catalogue?: readonly string[] | null } = {},
): CapacityScenario {
  const prefix = opts.prefix ?? ['capacity'];
  const file = opts.file ?? opts.doc?.file ?? '(scenario)';
  const parsed = capacitySchema.safeParse(data);
  if (!parsed.success) throw zodToError(opts.doc, parsed.error, prefix, file);
  const fail = (path: (string | number)[], msg: string): never => {
    const full = [...prefix, ...path];
    throw opts.doc ? opts.doc.error(full, msg) : new ScenarioError(msg, file, undefined, full.join('.'));
  };
  checkConsistency(parsed.data, fail, opts.catalogue === undefined ? CATALOGUE_IDS : opts.catalogue);
  return parsed.data;
}

function fromDoc(doc: YamlDoc): CapacityScenario {
  const root = doc.data as Record<string, unknown> | null;
  if (!root || typeof root !== 'object' || !('capacity' in root)) throw doc.error([], 'no `capacity:` section');
  return validateCapacity(root.capacity, { doc });
}

/** Load and validate `capacity:` from a YAML scenario file. */
export function loadCapacityScenario(file: string): CapacityScenario {
  return fromDoc(loadYaml(file));
}

/** Same, from YAML text (tests). */
export function parseCapacityScenario(text: string, file = '(scenario)'): CapacityScenario {
  return fromDoc(parseYaml(text, file));
}

// ---------------------------------------------------------------------------------------------
// What-ifs: NAME=VALUE overrides, applied to a copy of a validated scenario and validated again.

export const WHAT_IF_HELP: Record<string, string> = {
  beamlines: 'total number of beamlines (up to 28): added ones copy the existing beamlines in turn and split their demand',
  branches: 'add N branch stations, one at a time on the coalition beamlines in turn',
  sharedFraction: 'share of coalition main-station time set aside as shared (public) time, 0..1',
  hoursPerYear: 'hours of beam to beamlines per year',
  units: 'coalition units sold (general members of one unit are added or removed)',
  '<path>': 'any scenario field by its dotted path under capacity, e.g. supply.faults.mtbfHours=40',
};

function setPath(obj: any, path: string[], value: unknown, label: string): void {
  let o = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const k = /^\d+$/.test(path[i]) ? Number(path[i]) : path[i];
    if (o == null || typeof o !== 'object' || !(k in o)) throw new ScenarioError(`no field "${path.slice(0, i + 1).join('.')}" in the scenario`, '--what-if', undefined, label);
    o = o[k];
  }
  const last = path[path.length - 1];
  if (o == null || typeof o !== 'object' || !(last in o)) throw new ScenarioError(`no field "${path.join('.')}" in the scenario`, '--what-if', undefined, label);
  o[last] = value;
}

function parseValue(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** Apply one what-if spec "NAME=VALUE[,NAME=VALUE...]" to a copy of `base`. */
export function applyWhatIf(base: CapacityScenario, spec: string): CapacityScenario {
  const s: CapacityScenario = structuredClone(base);
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ScenarioError(`expected NAME=VALUE, got "${part}"`, '--what-if');
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    const value = parseValue(raw);
    const num = (): number => {
      if (typeof value !== 'number') throw new ScenarioError(`"${raw}" is not a number`, '--what-if', undefined, name);
      return value;
    };
    switch (name) {
      case 'beamlines': {
        const n = num();
        if (!Number.isInteger(n) || n < s.beamlines.length || n > MAX_BEAMLINES) {
          throw new ScenarioError(`must be an integer from ${s.beamlines.length} (the scenario's beamlines) to ${MAX_BEAMLINES} (the ring's ID straights)`, '--what-if', undefined, name);
        }
        const originals = s.beamlines.slice();
        const baseShare = originals.map((o) => o.demandShare);
        const copies = new Array(originals.length).fill(1);
        for (let k = 0; s.beamlines.length < n; k++) {
          const src = originals[k % originals.length];
          copies[k % originals.length]++;
          s.beamlines.push({ ...structuredClone(src), id: `NEW${String(s.beamlines.length - originals.length + 1).padStart(2, '0')}(${src.id})` });
        }
        // every copy and its original share the original's survey demand equally
        for (const b of s.beamlines) {
          const m = /\((BL\w+)\)$/.exec(b.id);
          const idx = originals.findIndex((o) => o.id === (m ? m[1] : b.id));
          b.demandShare = baseShare[idx] / copies[idx];
        }
        break;
      }
      case 'branches': {
        const n = num();
        const coal = s.beamlines.filter((b) => b.access === 'coalition');
        if (!Number.isInteger(n) || n < 0 || coal.length === 0) throw new ScenarioError('must be a non-negative integer (and the scenario needs coalition beamlines)', '--what-if', undefined, name);
        for (let k = 0; k < n; k++) coal[k % coal.length].branchStations++;
        break;
      }
      case 'sharedFraction': s.coalition.sharedFraction = num() as number; break;
      case 'hoursPerYear': s.supply.userHoursPerYear = num(); break;
      case 'units': {
        const target = num();
        const now = s.coalition.tiers.reduce((a, t) => a + t.members * t.unitsEach, 0);
        let general = -1; // the last one-unit tier without round-2 priority ("general" in the FY2026 file)
        s.coalition.tiers.forEach((t, i) => { if (t.unitsEach === 1 && !t.secondRound) general = i; });
        if (general < 0) throw new ScenarioError('the scenario has no one-unit tier without round-2 priority to scale', '--what-if', undefined, name);
        const members = s.coalition.tiers[general].members + (target - now);
        if (!Number.isInteger(target) || members < 0) throw new ScenarioError(`cannot reach ${target} units by changing the ${s.coalition.tiers[general].name} tier (now ${now} units)`, '--what-if', undefined, name);
        s.coalition.tiers[general].members = members;
        break;
      }
      default:
        setPath(s, name.split('.'), value, name);
    }
  }
  try {
    // ids: the catalogue's, or the generated NEWnn(BLxx) copies of the beamlines=N what-if
    const allowed = [...CATALOGUE_IDS, ...s.beamlines.map((b) => b.id).filter((id) => /^NEW\d\d\(BL\w+\)$/.test(id))];
    return validateCapacity(s, { file: '--what-if', prefix: [`(${spec})`], catalogue: allowed });
  } catch (err) {
    if (err instanceof ScenarioError) throw new ScenarioError(`what-if "${spec}" gives an invalid scenario: ${err.message.replace(/^--what-if: /, '')}`, '--what-if');
    throw err;
  }
}
