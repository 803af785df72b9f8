/**
 * Property tests: whatever text the MAD-X reader is given, it returns a lattice or throws a
 * LatticeError (a message for the user) — never a TypeError, RangeError or stack overflow.
 * Seeds are fixed so that a failure reproduces.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatticeError } from '../../../lattice/elements.ts';
import { parseMadx } from '../../../lattice/formats/madx.ts';

const here = dirname(fileURLToPath(import.meta.url));
const FIX = resolve(here, '../../fixtures/madx');

/** A valid file that exercises most of the grammar (sequence, lines, deferred, pragmas). */
const VALID = [
  readFileSync(resolve(FIX, 'deferred.madx'), 'utf8').replace(/use, period=c;/i, ''),
  readFileSync(resolve(FIX, 'lines.madx'), 'utf8').replace(/use, period=ring;/i, ''),
  readFileSync(resolve(FIX, 'sequence.madx'), 'utf8'),
  'und: drift, l=4; ! nanoterasu: {"type":"undulator","periodM":0.04,"periods":100,"k":2}',
  'sf: sextupole, l=0.1, k2=3; mp: multipole, knl={0, 0.1, kqf}, ksl:={0, -kqd}; sk: sextupole, l=0.1, k2:=sf->k2*2, tilt;',
  'ap: rcollimator, l=0.2, apertype=rectangle, aperture={0.01, 0.02}; if (a > 1) { b = 2; }',
  'mac(x): macro = { value, x; }; match, sequence=cell; vary, name=kqf; lmdif; endmatch;',
  'l9: line=(qf, 2*(d, -half), 3*ap, und, mp, sk); use, sequence=l9;',
].join('\n');

/** Pieces that are likely to break a parser when inserted anywhere. */
const PIECES = [
  ';', ':', ':=', '=', ',', '(', ')', '{', '}', '->', '-', '*', '^', '/', '+', '!', '//', '/*', '*/',
  '"', "'", '1e308', '1e-320', '999999999', '0', '-0', '.5', 'e', 'pi', 'qf', 'd', 'line=(', 'sequence, l=',
  'endsequence', 'use, period=', 'call, file=x.madx', 'return', 'stop', 'at=', 'from=qf', 'refer=exit',
  '2*', '-(', 'beam, energy=', 'beam, pc=0', 'beam, particle=muon', 'const ', 'real ', 'shared ',
  ' ! nanoterasu: {"type":"undulator"}', ' ! nanoterasu: {"__proto__":{"x":1}}', ' ! nanoterasu: periodicity=3',
  '! nanoterasu: name=', 'qf->k1', 'tilt', 'knl={', 'sqrt(', 'atan2(1,', 'if (', 'while (', 'macro', '\n', ' ',
  'a := a;', 'a := b; b := a;', 'x: line=(x);', '1000000*', 'seqedit', 'endedit', '__proto__', 'constructor',
];

function parseOrLatticeError(text: string): void {
  try {
    parseMadx(text, {
      file: 'fuzz.madx',
      energyEV: 3e9,
      readFile: (p) => {
        if (p.endsWith('x.madx')) return 'qx: quadrupole, l=1, k1=1;';
        throw new Error(`no file ${p}`);
      },
    });
  } catch (err) {
    if (!(err instanceof LatticeError)) {
      throw new Error(`not a LatticeError: ${(err as Error)?.stack ?? String(err)}\n--- input ---\n${text}`);
    }
    expect(err.message.length).toBeGreaterThan(0);
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), piece: fc.constantFrom(...PIECES) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }), to: fc.nat() }),
  fc.record({ kind: fc.constant('char' as const), at: fc.nat(), ch: fc.string({ minLength: 1, maxLength: 1 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, muts: Mutation[]): string {
  let s = text;
  for (const m of muts) {
    const at = s.length ? m.at % (s.length + 1) : 0;
    switch (m.kind) {
      case 'delete': s = s.slice(0, at) + s.slice(at + m.len); break;
      case 'insert': s = s.slice(0, at) + m.piece + s.slice(at); break;
      case 'duplicate': {
        const to = s.length ? m.to % (s.length + 1) : 0;
        s = s.slice(0, to) + s.slice(at, at + m.len) + s.slice(to);
        break;
      }
      case 'char': s = s.slice(0, at) + m.ch + s.slice(at + 1); break;
    }
  }
  return s;
}

describe('MAD-X reader never crashes', () => {
  it('the unmutated file is valid (so mutations start from a working input)', () => {
    const r = parseMadx(VALID, { file: 'valid.madx', energyEV: 3e9 });
    expect(r.lattice.elements.length).toBeGreaterThan(10);
  });

  it('random strings of MAD-X-like characters', () => {
    const chars = fc.constantFrom(...'abcqdlkt_.$0123456789 \n;:=,(){}[]+-*/^!"\'<>&|#e'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 200 }).map((a) => a.join('')), (s) => parseOrLatticeError(s)),
      { numRuns: 400, seed: 20261129 },
    );
  });

  it('random sequences of MAD-X tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((a) => a.join(' ')), (s) => parseOrLatticeError(s)),
      { numRuns: 400, seed: 42 },
    );
  });

  it('random mutations of a valid file', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (muts) => parseOrLatticeError(mutate(VALID, muts))),
      { numRuns: 400, seed: 7 },
    );
  }, 60_000); // a guard for a loaded machine; it takes about a second
});
