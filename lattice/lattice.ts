/**
 * A Lattice is an ordered list of elements (one period) with the beam energy, the particle and the
 * periodicity: the ring is `elements` repeated `periodicity` times. It is thin and immutable;
 * operations (survey, optics, tracking) live in their own modules and take a lattice.
 *
 * Lines: `line(...)` composes elements and other lines with repetition (`repeat(n, x)`, MAD-X
 * `n*x`) and reversal (`reverse(x)`, MAD-X `-x`); `flatten` expands them to elements.
 */
import type { Particle } from '../sim/constants.ts';
import { arcLength, bendAngle, LatticeError, type Element, type ElementType } from './elements.ts';

export interface Lattice {
  readonly name: string;
  /** Total energy of the reference particle [eV]. */
  readonly energyEV: number;
  readonly particle: Particle;
  /** The ring is `elements` repeated this many times. */
  readonly periodicity: number;
  /** One period, in beam order. */
  readonly elements: readonly Element[];
  /** Free text: where the lattice came from. */
  readonly source?: string;
}

/** A line item: an element, a nested line, a repetition or a reversal. */
export type LineItem = Element | Line;
export interface Line {
  readonly kind: 'line';
  readonly name: string;
  readonly items: readonly LineItem[];
  /** Repeat count (MAD-X n*); 1 by default. */
  readonly times: number;
  /** Reversed (MAD-X -line): the order of the items is reversed, recursively. */
  readonly reversed: boolean;
}

export function line(name: string, items: readonly LineItem[]): Line {
  return { kind: 'line', name, items, times: 1, reversed: false };
}
export function repeat(n: number, item: LineItem): Line {
  if (!Number.isInteger(n) || n < 0) throw new LatticeError(`repetition count must be a whole number ≥ 0 (got ${n})`);
  return { kind: 'line', name: `${n}*${item.name}`, items: [item], times: n, reversed: false };
}
export function reverse(item: LineItem): Line {
  return { kind: 'line', name: `-${item.name}`, items: [item], times: 1, reversed: true };
}

function isLine(x: LineItem): x is Line {
  return (x as Line).kind === 'line';
}

/**
 * Expands a line to its elements in beam order. Reversal reverses the order only (as MAD-X does
 * for LINE reflection; element edge angles are not swapped). Guards against runaway nesting.
 */
export function flatten(item: LineItem, depth = 0): Element[] {
  if (depth > 200) throw new LatticeError(`line '${item.name}' is nested more than 200 deep (a line that contains itself?)`);
  if (!isLine(item)) return [item];
  const once: Element[] = [];
  for (const it of item.items) once.push(...flatten(it, depth + 1));
  if (item.reversed) once.reverse();
  if (item.times === 1) return once;
  const out: Element[] = [];
  for (let i = 0; i < item.times; i++) out.push(...once);
  return out;
}

export interface LatticeSpec {
  name: string;
  energyEV: number;
  particle?: Particle;
  periodicity?: number;
  elements: readonly Element[] | Line;
  source?: string;
}

/** Makes a validated, frozen lattice. */
export function makeLattice(spec: LatticeSpec): Lattice {
  const elements = Array.isArray(spec.elements) ? [...spec.elements] : flatten(spec.elements as Line);
  const periodicity = spec.periodicity ?? 1;
  if (!Number.isInteger(periodicity) || periodicity < 1) {
    throw new LatticeError(`periodicity must be a whole number ≥ 1 (got ${periodicity})`, { field: 'periodicity' });
  }
  if (!(Number.isFinite(spec.energyEV) && spec.energyEV > 0)) {
    throw new LatticeError(`beam energy must be a positive number of eV (got ${spec.energyEV})`, { field: 'energy' });
  }
  const particle = spec.particle ?? 'electron';
  if (particle !== 'electron' && particle !== 'positron' && particle !== 'proton') {
    throw new LatticeError(`unknown particle ${JSON.stringify(particle)}`, { field: 'particle' });
  }
  if (elements.length === 0) throw new LatticeError(`lattice '${spec.name}' has no elements`);
  return Object.freeze({
    name: spec.name,
    energyEV: spec.energyEV,
    particle,
    periodicity,
    elements: Object.freeze(elements),
    ...(spec.source !== undefined ? { source: spec.source } : {}),
  });
}

/** Length of one period along the reference orbit [m]. */
export function periodLength(lat: Lattice): number {
  let s = 0;
  for (const e of lat.elements) s += arcLength(e);
  return s;
}

/** Circumference of the ring [m]. */
export function circumference(lat: Lattice): number {
  return periodLength(lat) * lat.periodicity;
}

/** Total bending angle of the ring [rad]. */
export function totalBendAngle(lat: Lattice): number {
  let a = 0;
  for (const e of lat.elements) a += bendAngle(e);
  return a * lat.periodicity;
}

/** The whole ring as one period (the elements repeated `periodicity` times). */
export function expandPeriods(lat: Lattice): Lattice {
  if (lat.periodicity === 1) return lat;
  const els: Element[] = [];
  for (let p = 0; p < lat.periodicity; p++) els.push(...lat.elements);
  return makeLattice({ ...lat, periodicity: 1, elements: els });
}

/** Element counts by type over the whole ring (all periods). */
export function countByType(lat: Lattice): Partial<Record<ElementType, number>> {
  const c: Partial<Record<ElementType, number>> = {};
  for (const e of lat.elements) c[e.type] = (c[e.type] ?? 0) + lat.periodicity;
  return c;
}

/** s at the entrance of every element of one period, plus the end (length n+1) [m]. */
export function sPositions(lat: Lattice): Float64Array {
  const s = new Float64Array(lat.elements.length + 1);
  for (let i = 0; i < lat.elements.length; i++) s[i + 1] = s[i] + arcLength(lat.elements[i]);
  return s;
}

/** A copy of the lattice with other elements (same energy, particle, periodicity). */
export function withElements(lat: Lattice, elements: readonly Element[]): Lattice {
  return makeLattice({ ...lat, elements });
}

/** Total RF voltage of the ring [V]. */
export function totalRfVoltage(lat: Lattice): number {
  let v = 0;
  for (const e of lat.elements) if (e.type === 'rfcavity') v += e.voltage;
  return v * lat.periodicity;
}
