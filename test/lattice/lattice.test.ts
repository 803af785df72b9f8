import { describe, expect, it } from 'vitest';
import { LatticeError, makeElement } from '../../lattice/elements.ts';
import {
  circumference, countByType, expandPeriods, flatten, line, makeLattice, repeat, reverse, sPositions, totalBendAngle,
  totalRfVoltage,
} from '../../lattice/lattice.ts';

const D = makeElement({ type: 'drift', name: 'D', length: 1.5 });
const QF = makeElement({ type: 'quadrupole', name: 'QF', length: 0.5, k1: 1.2 });
const QD = makeElement({ type: 'quadrupole', name: 'QD', length: 0.5, k1: -1.2 });
const B = makeElement({ type: 'sbend', name: 'B', length: 2, angle: Math.PI / 8 });
const M = makeElement({ type: 'marker', name: 'M' });
const RF = makeElement({ type: 'rfcavity', name: 'RF', voltage: 1e6, harmonic: 100 });

describe('lines', () => {
  it('repeat, reverse and nesting expand in beam order', () => {
    const half = line('HALF', [D, QF, B]);
    const cell = line('CELL', [half, M, reverse(half)]);
    const names = flatten(line('RING', [repeat(2, cell), QD])).map((e) => e.name);
    expect(names).toEqual(['D', 'QF', 'B', 'M', 'B', 'QF', 'D', 'D', 'QF', 'B', 'M', 'B', 'QF', 'D', 'QD']);
  });

  it('reverse of a repeated nested line reverses the whole sequence', () => {
    const ab = line('AB', [D, QF]);
    expect(flatten(reverse(repeat(2, line('X', [ab, M])))).map((e) => e.name)).toEqual(['M', 'QF', 'D', 'M', 'QF', 'D']);
  });

  it('rejects a negative or fractional repeat count and runaway nesting', () => {
    expect(() => repeat(-1, D)).toThrow(LatticeError);
    expect(() => repeat(1.5, D)).toThrow(LatticeError);
    let deep: ReturnType<typeof line> = line('L0', [D]);
    for (let i = 1; i < 205; i++) deep = line(`L${i}`, [deep]);
    expect(() => flatten(deep)).toThrow(/nested more than 200 deep/);
  });
});

describe('makeLattice', () => {
  const cell = line('CELL', [D, QF, D, B, D, QD, D, B, M]);
  const lat = makeLattice({ name: 'FODO', energyEV: 3e9, periodicity: 8, elements: cell });

  it('circumference = periodicity × period length', () => {
    // 4 drifts × 1.5 + 2 quads × 0.5 + 2 bends × 2 = 11 m per cell
    expect(circumference(lat)).toBeCloseTo(88, 12);
    expect(totalBendAngle(lat)).toBeCloseTo(2 * Math.PI, 14);
  });

  it('countByType counts the whole ring', () => {
    expect(countByType(lat)).toEqual({ drift: 32, quadrupole: 16, sbend: 16, marker: 8 });
  });

  it('sPositions are element entrances plus the end', () => {
    const s = sPositions(lat);
    expect(s.length).toBe(10);
    expect(s[1]).toBe(1.5);
    expect(s[9]).toBeCloseTo(11, 12);
  });

  it('expandPeriods keeps the circumference', () => {
    const full = expandPeriods(lat);
    expect(full.periodicity).toBe(1);
    expect(full.elements.length).toBe(72);
    expect(circumference(full)).toBeCloseTo(circumference(lat), 12);
  });

  it('total RF voltage counts every period', () => {
    const l2 = makeLattice({ name: 'R', energyEV: 3e9, periodicity: 4, elements: [D, RF] });
    expect(totalRfVoltage(l2)).toBe(4e6);
  });

  it('validates periodicity, energy, particle and emptiness', () => {
    expect(() => makeLattice({ name: 'X', energyEV: 3e9, periodicity: 0, elements: [D] })).toThrow(/periodicity/);
    expect(() => makeLattice({ name: 'X', energyEV: 3e9, periodicity: 2.5, elements: [D] })).toThrow(/periodicity/);
    expect(() => makeLattice({ name: 'X', energyEV: -1, elements: [D] })).toThrow(/energy/);
    expect(() => makeLattice({ name: 'X', energyEV: NaN, elements: [D] })).toThrow(/energy/);
    expect(() => makeLattice({ name: 'X', energyEV: 3e9, particle: 'muon' as never, elements: [D] })).toThrow(/particle/);
    expect(() => makeLattice({ name: 'X', energyEV: 3e9, elements: [] })).toThrow(/no elements/);
    expect(Object.isFrozen(lat) && Object.isFrozen(lat.elements)).toBe(true);
  });
});
