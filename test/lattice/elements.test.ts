import { describe, expect, it } from 'vitest';
import {
  arcLength, bendAngle, ELEMENT_FIELDS, ELEMENT_TYPES, isMagnet, LatticeError, makeElement, rbendAsSbend, withFields,
  type Quadrupole, type RBend,
} from '../../lattice/elements.ts';
import { latticeErrorOf as latticeError } from '../helpers.ts';

describe('makeElement', () => {
  it('fills the defaults of ELEMENT_FIELDS and freezes the element', () => {
    const q = makeElement({ type: 'quadrupole', name: 'QF', length: 0.3, k1: 2.1 });
    expect(q).toMatchObject({ type: 'quadrupole', name: 'QF', length: 0.3, k1: 2.1, k2: 0, dx: 0, tilt: 0, fringeQuadEntrance: 0 });
    expect(Object.isFrozen(q)).toBe(true);
    // every type builds from its required fields alone, and gets exactly the fields of its schema (+ type)
    for (const t of ELEMENT_TYPES) {
      const spec: Record<string, unknown> = { type: t, name: 'X' };
      for (const [k, f] of Object.entries(ELEMENT_FIELDS[t])) if (f.required && k !== 'name') spec[k] = k === 'periods' ? 10 : 1;
      if (t === 'undulator') spec.periodM = 0.1;
      const e = makeElement(spec) as unknown as Record<string, unknown>;
      const withDefault = Object.entries(ELEMENT_FIELDS[t]).filter(([, f]) => f.def !== undefined || f.required).map(([k]) => k);
      expect(Object.keys(e).sort()).toEqual(['type', ...withDefault].sort());
    }
  });

  it('names element and field for a negative length', () => {
    const e = latticeError(() => makeElement({ type: 'drift', name: 'D1', length: -0.5 }));
    expect(e.message).toContain("element 'D1'");
    expect(e.message).toContain("field 'length'");
    expect(e.where).toMatchObject({ element: 'D1', field: 'length' });
  });

  it('rejects NaN and infinities, naming the field', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const e = latticeError(() => makeElement({ type: 'quadrupole', name: 'Q', length: 0.2, k1: bad }));
      expect(e.message).toMatch(/element 'Q', field 'k1': must be a finite number/);
    }
  });

  it('rejects an unknown field, naming it and listing the known ones', () => {
    const e = latticeError(() => makeElement({ type: 'sextupole', name: 'SF', length: 0.2, k22: 1 }));
    expect(e.message).toContain("field 'k22'");
    expect(e.message).toContain('known: name, length');
  });

  it('rejects an unknown type, naming the element', () => {
    const e = latticeError(() => makeElement({ type: 'wiggler', name: 'W1', length: 1 }));
    expect(e.message).toContain("element 'W1'");
    expect(e.message).toContain('unknown element type "wiggler"');
  });

  it('rejects a marker with a length', () => {
    const e = latticeError(() => makeElement({ type: 'marker', name: 'M', length: 0.1 }));
    expect(e.message).toMatch(/element 'M', field 'length': a marker has zero length/);
  });

  it('needs a positive length for thick magnets and a name', () => {
    expect(latticeError(() => makeElement({ type: 'sbend', name: 'B', length: 0, angle: 0.1 })).message).toContain("field 'length'");
    expect(latticeError(() => makeElement({ type: 'drift', name: '', length: 1 })).message).toContain("field 'name'");
  });

  it('checks the undulator length against periods × period', () => {
    const u = makeElement({ type: 'undulator', name: 'U', length: 4.5, periodM: 0.0225, periods: 200, k: 1.5 });
    expect(u.length).toBe(4.5);
    expect(latticeError(() => makeElement({ type: 'undulator', name: 'U', length: 4.4, periodM: 0.0225, periods: 200 })).message)
      .toContain('periods × periodM');
  });

  it('keeps the origin (file, line) in the message', () => {
    const e = latticeError(() => makeElement({ type: 'drift', name: 'D', length: -1 }, { file: 'ring.lte', line: 12, column: 3 }));
    expect(e.message.startsWith('ring.lte:12:3: ')).toBe(true);
  });

  it('withFields re-validates', () => {
    const q = makeElement({ type: 'quadrupole', name: 'QF', length: 0.3, k1: 2.1 }) as Quadrupole;
    expect(withFields(q, { k1: 2.2 }).k1).toBe(2.2);
    expect(() => withFields(q, { k1: NaN })).toThrow(LatticeError);
  });
});

describe('geometry helpers', () => {
  it('rbend: arc length L·(θ/2)/sin(θ/2) and edges e + θ/2 (MAD-X rbarc)', () => {
    const r = makeElement({ type: 'rbend', name: 'R', length: 1, angle: 0.2, e1: 0.01 }) as RBend;
    const arc = 0.1 / Math.sin(0.1);
    expect(arcLength(r)).toBeCloseTo(arc, 15);
    const s = rbendAsSbend(r);
    expect(s.type).toBe('sbend');
    expect(s.length).toBeCloseTo(arc, 15);
    expect(s.e1).toBeCloseTo(0.11, 15);
    expect(s.e2).toBeCloseTo(0.1, 15);
    expect(bendAngle(r)).toBe(0.2);
    expect(isMagnet(r)).toBe(true);
    expect(isMagnet(makeElement({ type: 'marker', name: 'M' }))).toBe(false);
  });
});
