/**
 * Element kinds of the machine description: a typed field table per kind (the schema), defaults,
 * and validation whose errors name the element and the field.
 *
 * Conventions (written here because every module relies on them):
 * - SI units: lengths and offsets in m, angles in rad, voltages in V, frequencies in Hz.
 * - Magnet strengths as in MAD-X: k1 = (1/Bρ) ∂By/∂x [m⁻²], k2 = (1/Bρ) ∂²By/∂x² [m⁻³],
 *   k3 = (1/Bρ) ∂³By/∂x³ [m⁻⁴]; positive k1 focuses horizontally. A sextupole kicks
 *   Δpx = −(k2 L/2)(x² − y²), Δpy = k2 L x y. Skew strengths k1s, k2s, k3s likewise.
 * - Thin multipoles: knl[n] = Kn·L and ksl[n] = Kn,s·L (MAD-X MULTIPOLE), n = 0 is a dipole kick.
 *   pyAT's PolynomB[n] = knl[n]/(n!·L) for thick magnets — the n! lives in the converters.
 * - sbend is a sector bend: curvature h = angle/length; k1, k2 are on top of the dipole field
 *   (combined function). e1, e2 are pole-face rotations (positive = horizontally defocusing);
 *   hgap is the HALF gap and fint/fintx the fringe-field integrals, as in MAD-X.
 * - rbend is a rectangular bend given by its straight (chord) length, as MAD-X with rbarc = true:
 *   its arc length is L·(θ/2)/sin(θ/2) and its edges are e1 + θ/2, e2 + θ/2 (see rbendAsSbend).
 * - Misalignments on every magnet: dx, dy [m] (the magnet moved by +dx), tilt [rad] (roll about s).
 */

export type ElementType =
  | 'drift'
  | 'sbend'
  | 'rbend'
  | 'quadrupole'
  | 'sextupole'
  | 'octupole'
  | 'multipole'
  | 'hkicker'
  | 'vkicker'
  | 'kicker'
  | 'rfcavity'
  | 'marker'
  | 'monitor'
  | 'aperture'
  | 'undulator';

export const ELEMENT_TYPES: readonly ElementType[] = [
  'drift', 'sbend', 'rbend', 'quadrupole', 'sextupole', 'octupole', 'multipole', 'hkicker',
  'vkicker', 'kicker', 'rfcavity', 'marker', 'monitor', 'aperture', 'undulator',
];

interface Base {
  /** Name as the facility (or the lattice file) names it. */
  name: string;
  /** Path length along the reference orbit [m] (rbend: the chord, see rbendAsSbend). */
  length: number;
  /** Free text carried through the formats (e.g. "converted from KICKER"). */
  comment?: string;
  /** Number of integrator slices for tracking (pyAT NumIntSteps); optics use exact maps. */
  nSteps?: number;
}

interface Misaligned {
  /** Horizontal offset of the magnet [m]. */
  dx: number;
  /** Vertical offset of the magnet [m]. */
  dy: number;
  /** Roll about the longitudinal axis [rad]; tilt = π/4·… makes a normal magnet skew. */
  tilt: number;
}

export interface Drift extends Base { type: 'drift' }
export interface Marker extends Base { type: 'marker' }
export interface Monitor extends Base { type: 'monitor' }

/**
 * Field components of a thick magnet (on top of the dipole field in a bend), MAD-X units:
 * normal k1 [m⁻²], k2 [m⁻³], k3 [m⁻⁴] and the skew k1s, k2s, k3s. Every thick magnet carries all
 * of them (a quadrupole with a sextupole component is common in real lattice files).
 */
interface Multipoles {
  k1: number; k2: number; k3: number;
  k1s: number; k2s: number; k3s: number;
  /** Hard-edge quadrupole fringe at the entrance/exit (pyAT FringeQuadEntrance/Exit; 0 = off, 1 = Lee-Whiting). */
  fringeQuadEntrance: number;
  fringeQuadExit: number;
}

export interface SBend extends Base, Misaligned, Multipoles {
  type: 'sbend';
  angle: number;
  e1: number;
  e2: number;
  /** Half gap [m] (MAD-X HGAP). */
  hgap: number;
  /** Entrance fringe integral (MAD-X FINT). */
  fint: number;
  /** Exit fringe integral (MAD-X FINTX). */
  fintx: number;
}

export interface RBend extends Omit<SBend, 'type'> { type: 'rbend' }

export interface Quadrupole extends Base, Misaligned, Multipoles { type: 'quadrupole' }
export interface Sextupole extends Base, Misaligned, Multipoles { type: 'sextupole' }
export interface Octupole extends Base, Misaligned, Multipoles { type: 'octupole' }

export interface Multipole extends Base, Misaligned {
  type: 'multipole';
  /** Integrated normal strengths Kn·L [m^-n], n = 0.. (knl[0] is a horizontal kick −knl[0]). */
  knl: number[];
  /** Integrated skew strengths. */
  ksl: number[];
}

export interface HKicker extends Base, Misaligned { type: 'hkicker'; kick: number }
export interface VKicker extends Base, Misaligned { type: 'vkicker'; kick: number }
export interface Kicker extends Base, Misaligned { type: 'kicker'; hkick: number; vkick: number }

export interface RFCavity extends Base {
  type: 'rfcavity';
  /** Peak voltage of this cavity [V]. */
  voltage: number;
  /** RF frequency [Hz]; 0 = from the harmonic number and the circumference. */
  frequency: number;
  /** Harmonic number of the full ring; 0 = from the frequency. */
  harmonic: number;
  /** Phase lag as MAD-X LAG [units of 2π]; 0 for a ring above transition in pyAT's convention. */
  lag: number;
}

export interface Aperture extends Base {
  type: 'aperture';
  shape: 'rectangular' | 'elliptical';
  /** Half aperture in x [m]. */
  xLimit: number;
  /** Half aperture in y [m]. */
  yLimit: number;
}

export interface Undulator extends Base, Misaligned {
  type: 'undulator';
  /** Period length [m]. */
  periodM: number;
  /** Deflection parameter K (peak; for a helical device, of each component). */
  k: number;
  /** Number of periods; length = periods × periodM is checked. */
  periods: number;
  kind: 'planar' | 'helical';
}

export type Element =
  | Drift | Marker | Monitor | SBend | RBend | Quadrupole | Sextupole | Octupole | Multipole
  | HKicker | VKicker | Kicker | RFCavity | Aperture | Undulator;

/** Error in a machine description: names the file, line, column, element and field it concerns. */
export class LatticeError extends Error {
  constructor(
    readonly detail: string,
    readonly where: { file?: string; line?: number; column?: number; element?: string; field?: string } = {},
  ) {
    super(formatWhere(where) + detail);
    this.name = 'LatticeError';
  }
}

function formatWhere(w: LatticeError['where']): string {
  let s = '';
  if (w.file) s += w.file;
  if (w.line !== undefined) s += `${s ? ':' : 'line '}${w.line}`;
  if (w.column !== undefined) s += `:${w.column}`;
  if (s) s += ': ';
  if (w.element !== undefined) s += `element '${w.element}'`;
  if (w.field !== undefined) s += `${w.element !== undefined ? ', ' : ''}field '${w.field}'`;
  if (w.element !== undefined || w.field !== undefined) s += ': ';
  return s;
}

type FieldKind = 'number' | 'int' | 'numbers' | 'string' | 'shape' | 'idkind';
interface FieldSpec { kind: FieldKind; def?: unknown; min?: number; required?: boolean; positive?: boolean }

const MISALIGN: Record<string, FieldSpec> = {
  dx: { kind: 'number', def: 0 },
  dy: { kind: 'number', def: 0 },
  tilt: { kind: 'number', def: 0 },
};
const BASE: Record<string, FieldSpec> = {
  name: { kind: 'string', required: true },
  length: { kind: 'number', def: 0, min: 0 },
  comment: { kind: 'string' },
  nSteps: { kind: 'int', min: 1 },
};
const MULTIPOLES: Record<string, FieldSpec> = {
  k1: { kind: 'number', def: 0 },
  k2: { kind: 'number', def: 0 },
  k3: { kind: 'number', def: 0 },
  k1s: { kind: 'number', def: 0 },
  k2s: { kind: 'number', def: 0 },
  k3s: { kind: 'number', def: 0 },
  fringeQuadEntrance: { kind: 'int', def: 0, min: 0 },
  fringeQuadExit: { kind: 'int', def: 0, min: 0 },
};
const THICK: Record<string, FieldSpec> = {
  ...BASE, ...MISALIGN, ...MULTIPOLES,
  length: { kind: 'number', required: true, positive: true },
};
const BEND: Record<string, FieldSpec> = {
  ...THICK,
  angle: { kind: 'number', def: 0 },
  e1: { kind: 'number', def: 0 },
  e2: { kind: 'number', def: 0 },
  hgap: { kind: 'number', def: 0, min: 0 },
  fint: { kind: 'number', def: 0 },
  fintx: { kind: 'number', def: 0 },
};

/** The schema: every field each element type accepts, with its default. */
export const ELEMENT_FIELDS: Record<ElementType, Record<string, FieldSpec>> = {
  drift: { ...BASE },
  marker: { ...BASE, length: { kind: 'number', def: 0, min: 0 } },
  monitor: { ...BASE },
  sbend: BEND,
  rbend: BEND,
  quadrupole: THICK,
  sextupole: THICK,
  octupole: THICK,
  multipole: { ...BASE, ...MISALIGN, knl: { kind: 'numbers', def: [] }, ksl: { kind: 'numbers', def: [] } },
  hkicker: { ...BASE, ...MISALIGN, kick: { kind: 'number', def: 0 } },
  vkicker: { ...BASE, ...MISALIGN, kick: { kind: 'number', def: 0 } },
  kicker: { ...BASE, ...MISALIGN, hkick: { kind: 'number', def: 0 }, vkick: { kind: 'number', def: 0 } },
  rfcavity: {
    ...BASE,
    voltage: { kind: 'number', def: 0 },
    frequency: { kind: 'number', def: 0, min: 0 },
    harmonic: { kind: 'number', def: 0, min: 0 },
    lag: { kind: 'number', def: 0 },
  },
  aperture: {
    ...BASE,
    shape: { kind: 'shape', def: 'rectangular' },
    xLimit: { kind: 'number', required: true, positive: true },
    yLimit: { kind: 'number', required: true, positive: true },
  },
  undulator: {
    ...BASE, ...MISALIGN,
    length: { kind: 'number', required: true, positive: true },
    periodM: { kind: 'number', required: true, positive: true },
    k: { kind: 'number', def: 0, min: 0 },
    periods: { kind: 'int', required: true, min: 1 },
    kind: { kind: 'idkind', def: 'planar' },
  },
};

export function isElementType(t: string): t is ElementType {
  return (ELEMENT_TYPES as readonly string[]).includes(t);
}

/** Element types that are magnets (carry dx, dy, tilt). */
export function isMagnet(e: Element): boolean {
  return 'tilt' in e;
}

/** Where a spec came from, for error messages. */
export interface Origin { file?: string; line?: number; column?: number }

/**
 * Makes a validated element from a loose spec: fills defaults, rejects unknown fields, NaN,
 * infinities, negative lengths, and missing required fields, naming the element and the field.
 */
export function makeElement(spec: Record<string, unknown>, origin: Origin = {}): Element {
  const name = typeof spec.name === 'string' ? spec.name : undefined;
  const where = (field?: string) => ({ ...origin, element: name ?? '(unnamed)', field });
  const type = spec.type;
  if (typeof type !== 'string' || !isElementType(type)) {
    throw new LatticeError(
      `unknown element type ${JSON.stringify(type)} (known: ${ELEMENT_TYPES.join(', ')})`,
      where('type'),
    );
  }
  if (name === undefined || name === '') throw new LatticeError('an element needs a non-empty name', where('name'));
  const fields = ELEMENT_FIELDS[type];
  const out: Record<string, unknown> = { type };
  for (const key of Object.keys(spec)) {
    if (key === 'type') continue;
    if (!(key in fields)) {
      throw new LatticeError(
        `unknown field for a ${type} (known: ${Object.keys(fields).join(', ')})`,
        where(key),
      );
    }
  }
  for (const [key, f] of Object.entries(fields)) {
    let v = spec[key];
    if (v === undefined) {
      if (f.required) throw new LatticeError(`required field of a ${type} is missing`, where(key));
      if (f.def === undefined) continue;
      v = Array.isArray(f.def) ? [...f.def] : f.def;
    }
    out[key] = checkField(type, key, f, v, where(key));
  }
  const el = out as unknown as Element;
  if (el.type === 'marker' && el.length !== 0) throw new LatticeError('a marker has zero length', where('length'));
  if (el.type === 'undulator') {
    const want = el.periods * el.periodM;
    if (Math.abs(want - el.length) > 1e-9 * Math.max(1, el.length)) {
      throw new LatticeError(`length ${el.length} m differs from periods × periodM = ${want} m`, where('length'));
    }
  }
  if (el.type === 'rbend' && el.angle !== 0 && Math.abs(el.angle) >= Math.PI) {
    throw new LatticeError('a rectangular bend needs |angle| < π', where('angle'));
  }
  return Object.freeze(el);
}

function checkField(type: string, key: string, f: FieldSpec, v: unknown, w: LatticeError['where']): unknown {
  switch (f.kind) {
    case 'string':
      if (typeof v !== 'string') throw new LatticeError(`must be a string (got ${describe(v)})`, w);
      return v;
    case 'shape':
      if (v !== 'rectangular' && v !== 'elliptical') throw new LatticeError(`must be "rectangular" or "elliptical" (got ${describe(v)})`, w);
      return v;
    case 'idkind':
      if (v !== 'planar' && v !== 'helical') throw new LatticeError(`must be "planar" or "helical" (got ${describe(v)})`, w);
      return v;
    case 'numbers': {
      if (!Array.isArray(v)) throw new LatticeError(`must be a list of numbers (got ${describe(v)})`, w);
      v.forEach((x, i) => {
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new LatticeError(`entry ${i} must be a finite number (got ${describe(x)})`, w);
      });
      return Object.freeze([...v]);
    }
    case 'number':
    case 'int': {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new LatticeError(`must be a finite number (got ${describe(v)})`, w);
      if (f.kind === 'int' && !Number.isInteger(v)) throw new LatticeError(`must be a whole number (got ${v})`, w);
      if (f.positive && !(v > 0)) throw new LatticeError(`must be positive for a ${type} (got ${v})`, w);
      if (f.min !== undefined && v < f.min) throw new LatticeError(`must be ≥ ${f.min} (got ${v})`, w);
      return v;
    }
  }
}

function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v;
}

/** Returns a copy of an element with some fields changed, validated again. */
export function withFields<E extends Element>(el: E, changes: Partial<Record<string, unknown>>): E {
  return makeElement({ ...(el as unknown as Record<string, unknown>), ...changes }) as E;
}

/** Total bending angle of an element [rad] (bends only). */
export function bendAngle(e: Element): number {
  return e.type === 'sbend' || e.type === 'rbend' ? e.angle : 0;
}

/** Path length along the reference orbit [m]: an rbend's arc is L·(θ/2)/sin(θ/2). */
export function arcLength(e: Element): number {
  if (e.type === 'rbend' && e.angle !== 0) {
    const half = e.angle / 2;
    return (e.length * half) / Math.sin(half);
  }
  return e.length;
}

/** The sector bend equivalent of a rectangular bend (MAD-X rbarc = true convention). */
export function rbendAsSbend(e: RBend): SBend {
  return Object.freeze({
    ...e,
    type: 'sbend',
    length: arcLength(e),
    e1: e.e1 + e.angle / 2,
    e2: e.e2 + e.angle / 2,
  }) as SBend;
}
