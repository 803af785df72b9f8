/**
 * Property tests of the JSON readers: random JSON, random element objects and random mutations
 * of a valid file never crash with anything but a LatticeError; valid lattices round-trip exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ELEMENT_FIELDS, ELEMENT_TYPES, LatticeError, type Element } from '../../../lattice/elements.ts';
import { parseLatticeJson, writeNativeJson } from '../../../lattice/formats/json.ts';
import { allTypesLattice, arbLattice } from '../../fixtures/elegant/samples.ts';

function outcome(text: string): string {
  try {
    parseLatticeJson(text, { file: 'fuzz.json' });
    return 'ok';
  } catch (err) {
    if (err instanceof LatticeError) return 'LatticeError';
    throw err;
  }
}

const FIELD_NAMES = [...new Set(ELEMENT_TYPES.flatMap((t) => Object.keys(ELEMENT_FIELDS[t])))];
const looseValue = fc.oneof(
  fc.double(), fc.integer(), fc.string({ maxLength: 6 }), fc.boolean(), fc.constant(null),
  fc.array(fc.oneof(fc.double(), fc.string({ maxLength: 3 })), { maxLength: 4 }), fc.constantFrom('planar', 'elliptical'),
);
const looseElement = fc.dictionary(fc.constantFrom('type', ...FIELD_NAMES, 'bogus'), looseValue, { maxKeys: 8 })
  .chain((d) => fc.constantFrom(...ELEMENT_TYPES, 'wiggler').map((t) => ({ type: t, ...d })));

const VALID = writeNativeJson(allTypesLattice(2));
const mutation = fc.array(
  fc.tuple(fc.nat({ max: VALID.length }), fc.constantFrom('del', 'ins'), fc.constantFrom(...'{}[],:"-0123456789.eE truefalsenull'), fc.integer({ min: 1, max: 6 })),
  { minLength: 1, maxLength: 5 },
).map((edits) => {
  let s = VALID;
  for (const [at, kind, ch, n] of edits) {
    const i = Math.min(at, s.length);
    s = kind === 'del' ? s.slice(0, i) + s.slice(i + n) : s.slice(0, i) + ch.repeat(n) + s.slice(i);
  }
  return s;
});

describe('JSON readers under random input', () => {
  it('random text and random JSON: only LatticeErrors', () => {
    fc.assert(fc.property(fc.string({ maxLength: 100 }), (t) => { outcome(t); }), { numRuns: 300, seed: 3 });
    fc.assert(fc.property(fc.json(), (t) => { outcome(t); }), { numRuns: 300, seed: 4 });
    fc.assert(
      fc.property(fc.json(), fc.constantFrom('nanoterasu-lattice/1', 'ring-lattice-json/1'), (j, format) => {
        const v = JSON.parse(j);
        outcome(JSON.stringify(v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...v, format } : { format, elements: [v] }));
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('random element objects: a valid element or a LatticeError', () => {
    fc.assert(
      fc.property(fc.array(looseElement, { minLength: 1, maxLength: 4 }), fc.constantFrom('nanoterasu-lattice/1', 'ring-lattice-json/1'), (els, format) => {
        const doc = format === 'ring-lattice-json/1'
          ? { format, name: 'F', energy: 3e9, elements: els }
          : { format, name: 'F', energyEV: 3e9, elements: els };
        outcome(JSON.stringify(doc));
      }),
      { numRuns: 500, seed: 6 },
    );
  });

  it('random mutations of a valid file: only LatticeErrors', () => {
    expect(outcome(VALID)).toBe('ok');
    fc.assert(fc.property(mutation, (t) => { outcome(t); }), { numRuns: 400, seed: 8 });
  });

  it('every valid lattice survives write → read number for number', () => {
    const same = (a: Element, b: Element) => {
      const ra = a as unknown as Record<string, unknown>;
      const rb = b as unknown as Record<string, unknown>;
      return Object.keys(ra).length === Object.keys(rb).length && Object.keys(ra).every((k) => {
        const x = ra[k];
        const y = rb[k];
        return Array.isArray(x) ? Array.isArray(y) && x.length === y.length && x.every((v, j) => Object.is(v, y[j])) : Object.is(x, y);
      });
    };
    fc.assert(
      fc.property(arbLattice, (lat) => {
        const back = parseLatticeJson(writeNativeJson(lat)).lattice;
        expect([back.name, back.energyEV, back.periodicity, back.elements.length]).toEqual([lat.name, lat.energyEV, lat.periodicity, lat.elements.length]);
        lat.elements.forEach((e, i) => expect(same(e, back.elements[i]), JSON.stringify(e)).toBe(true));
      }),
      { numRuns: 200, seed: 9 },
    );
  });
});
