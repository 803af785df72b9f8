import { describe, expect, it } from 'vitest';
import { LatticeError } from '../../../lattice/elements.ts';
import {
  evalExpression, evaluate, ExprParser, MADX_CONSTANTS, references, tokenize,
} from '../../../lattice/formats/expr.ts';
import {
  C_LIGHT, E_CHARGE, ELECTRON_MASS_EV, PROTON_MASS_EV, R_ELECTRON,
} from '../../../sim/constants.ts';
import { latticeErrorOf as errorOf } from '../../helpers.ts';

/** Exact: these are the same IEEE operations in the same order. */
const ev = (s: string, vars: Record<string, number> = {}) => evalExpression(s, vars);

describe('numbers', () => {
  it('reads every MAD-X number form exactly', () => {
    expect(ev('1e-3')).toBe(1e-3);
    expect(ev('.5')).toBe(0.5);
    expect(ev('1.')).toBe(1);
    expect(ev('1.5E+2')).toBe(150);
    expect(ev('2.6513999999999998')).toBe(2.6513999999999998);
    expect(ev('0.1')).toBe(0.1);
  });
  it('rejects a number out of range', () => {
    expect(errorOf(() => ev('2 * 1e400')).message).toBe('line 1:5: number 1e400 is out of range');
  });
  it('rejects an exponent without digits, naming the column', () => {
    const e = errorOf(() => evalExpression('1 + 2e', {}, { file: 'x.madx', line: 3, column: 5 }));
    expect(e.message).toMatch(/^x\.madx:3:9: .*exponent/);
  });
});

describe('operators', () => {
  it('follows MAD-X precedence and associativity', () => {
    expect(ev('2+3*4')).toBe(14);
    expect(ev('(2+3)*4')).toBe(20);
    expect(ev('2^3^2')).toBe(512); // right associative
    expect(ev('-2^2')).toBe(-4); // unary minus binds weaker than ^
    expect(ev('2^-1')).toBe(0.5);
    expect(ev('10/4/5')).toBe(0.5); // left associative
    expect(ev('1-2-3')).toBe(-4);
    expect(ev('--3')).toBe(3);
    expect(ev('+3')).toBe(3);
    expect(ev('2*-3')).toBe(-6);
  });
  it('division by zero and overflow are errors, not Infinity', () => {
    expect(errorOf(() => ev('1/0')).message).toMatch(/division by zero/);
    expect(errorOf(() => ev('10^400')).message).toMatch(/Infinity/);
  });
});

describe('functions', () => {
  it('evaluates the MAD-X functions', () => {
    expect(ev('sqrt(16)')).toBe(4);
    expect(ev('log(e)')).toBe(1);
    expect(ev('log10(1000)')).toBe(3);
    expect(ev('exp(0)')).toBe(1);
    expect(ev('sin(0) + cos(0) + tan(0)')).toBe(1);
    expect(ev('asin(1)')).toBe(Math.PI / 2);
    expect(ev('acos(1)')).toBe(0);
    expect(ev('atan(1)')).toBe(Math.PI / 4);
    expect(ev('atan2(1, -1)')).toBe((3 * Math.PI) / 4);
    expect(ev('sinh(1)')).toBe(Math.sinh(1));
    expect(ev('cosh(1)')).toBe(Math.cosh(1));
    expect(ev('tanh(1)')).toBe(Math.tanh(1));
    expect(ev('abs(-2.5)')).toBe(2.5);
    expect(ev('floor(-1.5)')).toBe(-2);
    expect(ev('ceil(-1.5)')).toBe(-1);
    expect(ev('round(-2.5)')).toBe(-3); // C round(): halves away from zero
    expect(ev('round(2.5)')).toBe(3);
    expect(ev('max(1, 3)') + ev('min(1, 3)')).toBe(4);
    expect(ev('frac(-2.25)')).toBe(-0.25);
    expect(ev('SQRT(4)')).toBe(2); // case-insensitive
  });
  it('rejects unknown functions, wrong argument counts and non-finite results', () => {
    expect(errorOf(() => ev('foo(1)')).message).toMatch(/unknown function 'foo'/);
    expect(errorOf(() => ev('atan2(1)')).message).toMatch(/2 arguments/);
    expect(errorOf(() => ev('sqrt(-1)')).message).toMatch(/not a finite number/);
    expect(errorOf(() => ev('log(0)')).message).toMatch(/not a finite number/);
    // Random numbers and tables parse (error knobs in real files) but have no value here.
    expect(errorOf(() => ev('1e-4 * gauss()')).message).toBe('line 1:8: gauss() (random numbers or tables) is not supported in a value the lattice needs');
    expect(errorOf(() => ev('table(twiss, qf, betx)')).message).toMatch(/^line 1:1: table\(\)/);
  });
});

describe('constants and variables', () => {
  it('has the MAD-X constants with values from sim/constants.ts', () => {
    expect(ev('pi')).toBe(Math.PI);
    expect(ev('twopi')).toBe(2 * Math.PI);
    expect(ev('raddeg * 180')).toBe(Math.PI);
    expect(ev('degrad')).toBe(180 / Math.PI);
    expect(ev('e')).toBe(Math.E);
    expect(ev('clight')).toBe(C_LIGHT);
    expect(ev('emass')).toBe(ELECTRON_MASS_EV * 1e-9); // GeV, as MAD-X
    expect(ev('pmass')).toBe(PROTON_MASS_EV * 1e-9);
    expect(ev('qelect')).toBe(E_CHARGE);
    expect(ev('erad')).toBe(R_ELECTRON);
    expect(MADX_CONSTANTS.hbar).toBeCloseTo(6.582119569e-25, 35);
  });
  it('looks variables up case-insensitively', () => {
    expect(ev('KQF * 2', { kqf: 1.25 })).toBe(2.5);
    expect(ev('a.b_c$1 + 1', { 'A.B_C$1': 1 })).toBe(2);
  });
  it('an undefined variable names file, line and column', () => {
    const e = errorOf(() => evalExpression('1 + kqd', {}, { file: 'optics.madx', line: 12, column: 7 }));
    expect(e.message).toBe("optics.madx:12:11: undefined variable 'kqd'");
  });
});

describe('syntax', () => {
  it('parses element attribute references and reports them', () => {
    const { tokens } = tokenize('2 * QF->K1 + kqd');
    const p = new ExprParser(tokens, 0, 'f.madx');
    const e = p.parse();
    expect(tokens[p.pos].kind).toBe('eof');
    const refs = references(e);
    expect([...refs.attrs]).toEqual(['qf->k1']);
    expect([...refs.vars]).toEqual(['kqd']);
    const v = evaluate(e, {
      variable: () => 0.5,
      attribute: (el, at) => (el === 'qf' && at === 'k1' ? 1.5 : NaN),
    });
    expect(v).toBe(3.5);
  });
  it('unbalanced parentheses and trailing tokens are errors with a column', () => {
    expect(errorOf(() => ev('(1 + 2')).message).toMatch(/^line 1:7: expected '\)'/);
    expect(errorOf(() => ev('1 + 2)')).message).toMatch(/^line 1:6: unexpected '\)'/);
    expect(errorOf(() => ev('1 +')).message).toMatch(/^line 1:4: expected a number/);
    expect(errorOf(() => ev('1 # 2')).message).toBe("line 1:3: unexpected '#' after the expression");
    expect(errorOf(() => ev('@')).message).toBe("line 1:1: expected a number, a name or '(', found '@'");
  });
  it('hostile nesting is a LatticeError, not a stack overflow', () => {
    expect(errorOf(() => ev('('.repeat(5000) + '1' + ')'.repeat(5000))).message).toMatch(/nested more than/);
    expect(errorOf(() => ev('-'.repeat(5000) + '1')).message).toMatch(/nested more than/);
    expect(errorOf(() => ev('2^'.repeat(5000) + '1')).message).toMatch(/nested more than/);
  });
});

describe('tokenize', () => {
  it('drops comments, keeps nanoterasu pragmas with their line, counts lines in block comments', () => {
    const src = 'a = 1; ! note\n/* one\n two */ b = 2; // x\nc: drift, l=1; ! nanoterasu: {"nSteps":4}\n';
    const { tokens, pragmas } = tokenize(src);
    const names = tokens.filter((t) => t.kind === 'name').map((t) => `${t.text}@${t.line}:${t.column}`);
    expect(names).toEqual(['a@1:1', 'b@3:9', 'c@4:1', 'drift@4:4', 'l@4:11']);
    expect(pragmas).toEqual([{ line: 4, column: 16, text: '{"nSteps":4}' }]);
  });
  it('an unclosed block comment or string names where it starts', () => {
    expect(errorOf(() => tokenize('a=1;\n  /* never closed', 'f.madx')).message).toMatch(/^f\.madx:2:3: comment/);
    expect(errorOf(() => tokenize('call, file="x;\n', 'f.madx')).message).toMatch(/^f\.madx:1:12: string/);
  });
});
