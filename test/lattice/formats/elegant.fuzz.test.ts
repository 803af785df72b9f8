/**
 * Property tests of the elegant reader: random text and random mutations of a valid file never
 * crash with anything but a LatticeError; every valid lattice survives write → read exactly.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatticeError, type Element } from '../../../lattice/elements.ts';
import { parseElegant, writeElegant } from '../../../lattice/formats/elegant.ts';
import { arbLattice } from '../../fixtures/elegant/samples.ts';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/elegant');
const MAIN = readFileSync(join(FIX, 'dba_ring.lte'), 'utf8');
const SUB = readFileSync(join(FIX, 'dba_strengths.lte'), 'utf8');

function readFile(p: string): string {
  if (p.endsWith('dba_strengths.lte')) return SUB;
  throw new Error(`no such file ${p}`);
}

/** Parses; returns 'ok' or 'LatticeError'; anything else thrown fails the property. */
function outcome(text: string): string {
  try {
    parseElegant(text, { file: 'fuzz.lte', readFile, energyEV: 3e9 });
    return 'ok';
  } catch (err) {
    if (err instanceof LatticeError) return 'LatticeError';
    throw err;
  }
}

const SYNTAX = [...'abcQFDL0123456789.,:=()*-+"!&%#_ \n\t', 'LINE', 'KQUAD', 'CSBEND', 'DRIF', 'sto', 'pi', '#include:', 'RFCA', 'MULT'];
const syntaxText = fc.array(fc.constantFrom(...SYNTAX), { maxLength: 120 }).map((a) => a.join(''));

/** Deletes, inserts or replaces a few characters of a text. */
const mutation = (base: string) =>
  fc.array(
    fc.tuple(fc.nat({ max: base.length }), fc.constantFrom('del', 'ins', 'rep'), fc.constantFrom(...SYNTAX), fc.integer({ min: 1, max: 8 })),
    { minLength: 1, maxLength: 6 },
  ).map((edits) => {
    let s = base;
    for (const [at, kind, tok, n] of edits) {
      const i = Math.min(at, s.length);
      if (kind === 'del') s = s.slice(0, i) + s.slice(i + n);
      else if (kind === 'ins') s = s.slice(0, i) + tok + s.slice(i);
      else s = s.slice(0, i) + tok + s.slice(i + tok.length);
    }
    return s;
  });

function same(a: Element, b: Element): boolean {
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  if (Object.keys(ra).sort().join() !== Object.keys(rb).sort().join()) return false;
  return Object.keys(ra).every((k) => {
    const x = ra[k];
    const y = rb[k];
    return Array.isArray(x) ? Array.isArray(y) && x.length === y.length && x.every((v, j) => Object.is(v, y[j])) : Object.is(x, y);
  });
}

describe('elegant reader under random input', () => {
  it('random text: only LatticeErrors', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (t) => { outcome(t); }), { numRuns: 300, seed: 20261129 });
    fc.assert(fc.property(syntaxText, (t) => { outcome(t); }), { numRuns: 400, seed: 1 });
  });

  it('random mutations of a valid facility-style file: only LatticeErrors', () => {
    expect(outcome(MAIN)).toBe('ok');
    fc.assert(fc.property(mutation(MAIN), (t) => { outcome(t); }), { numRuns: 300, seed: 7 });
  });

  it('every valid lattice survives write → read number for number', () => {
    fc.assert(
      fc.property(arbLattice, (lat) => {
        const back = parseElegant(writeElegant(lat), { file: 'w.lte' }).lattice;
        expect(back.name).toBe(lat.name);
        expect(Object.is(back.energyEV, lat.energyEV)).toBe(true);
        expect(back.periodicity).toBe(lat.periodicity);
        expect(back.elements.length).toBe(lat.elements.length);
        lat.elements.forEach((e, i) => {
          if (!same(e, back.elements[i])) throw new Error(`element ${i}: ${JSON.stringify(e)} read back as ${JSON.stringify(back.elements[i])}`);
        });
      }),
      { numRuns: 150, seed: 42 },
    );
  });
});
