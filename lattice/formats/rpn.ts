/**
 * elegant's RPN calculator (the SDDS `rpn` language), as far as lattice files use it:
 * `% 0.5 sto L1` lines and quoted parameter values such as `K1="KQ 1.01 *"`.
 *
 * Semantics follow the SDDS rpn module (M. Borland, APS) and elegant's `defns.rpn` start-up file:
 * - tokens are separated by white space; a number is pushed; a stored name is pushed by value;
 * - `sto NAME` stores the top of the stack in NAME and LEAVES it on the stack;
 * - binary operators take the second-from-top as the left operand: `a b -` = a − b,
 *   `a b pow` = a^b, `x y atan2` = atan2(y, x);
 * - names are case-sensitive (elegant does not upper-case `%` lines or quoted text);
 * - `>`, `<`, `==` compare the two top numbers without popping them and push onto a logical
 *   stack; `? A : B $` executes A when the popped logical value is true, else B.
 * - The constants are those of elegant's defns.rpn (e.g. mev = 0.51099906, c_mks = 2.99792458e8),
 *   deliberately NOT sim/constants.ts: a lattice file must evaluate to the numbers elegant gets.
 *
 * Errors (undefined name, stack underflow, division by zero, square root of a negative number,
 * unbalanced conditional) are LatticeErrors carrying the caller's file/line/column.
 */
import { LatticeError, type Origin } from '../elements.ts';

/** defns.rpn constants (values as elegant's start-up file defines them). */
const DEFNS_CONSTANTS: Record<string, number> = {
  pi: 4 * Math.atan(1),
  log_10: Math.log(10),
  HUGE: Math.exp(100),
  on_div_by_zero: Math.exp(100),
  c_cgs: 2.99792458e10,
  c_mks: 2.99792458e8,
  e_cgs: 4.80325e-10,
  e_mks: 1.60217733e-19,
  me_cgs: 9.1093897e-28,
  me_mks: 9.1093897e-31,
  re_cgs: 2.81794092e-13,
  re_mks: 2.81794092e-15,
  kb_cgs: 1.380658e-16,
  kb_mks: 1.380658e-23,
  mev: 0.51099906,
  hbar_mks: 1.0545887e-34,
  hbar_MeVs: 6.582173e-22,
  mp_mks: 1.6726485e-27,
  mu_o: 4 * Math.PI * 1e-7,
  eps_o: 1e7 / 4 / Math.PI / (2.99792458e8 * 2.99792458e8),
  Kas: 191.655e-2,
  Kaq: 75.0499e-2,
};

type Fn = (s: RpnMachine) => void;

/** Names the machine knows besides stored variables (the builtin functions and defns.rpn UDFs). */
const deg = Math.PI / 180;
const UNARY: Record<string, (x: number) => number> = {
  sqr: (x) => x * x,
  sin: Math.sin, cos: Math.cos, tan: Math.tan,
  asin: Math.asin, acos: Math.acos, atan: Math.atan,
  exp: Math.exp,
  floor: Math.floor, ceil: Math.ceil, round: Math.round,
  int: Math.trunc,
  abs: Math.abs,
  chs: (x) => -x,
  rec: (x) => 1 / x,
  dsin: (x) => Math.sin(x * deg), dcos: (x) => Math.cos(x * deg), dtan: (x) => Math.tan(x * deg),
  dasin: (x) => Math.asin(x) / deg, dacos: (x) => Math.acos(x) / deg, datan: (x) => Math.atan(x) / deg,
  rtod: (x) => x / deg, dtor: (x) => x * deg,
  cosh: Math.cosh, sinh: Math.sinh, tanh: Math.tanh,
  acosh: Math.acosh, asinh: Math.asinh, atanh: Math.atanh,
  '10x': (x) => 10 ** x,
  sign: (x) => (x < 0 ? -1 : 1),
};
const BINARY: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  pow: (a, b) => a ** b,
  atan2: (x, y) => Math.atan2(y, x),
  hypot: (a, b) => Math.hypot(a, b),
  max2: (a, b) => Math.max(a, b),
  min2: (a, b) => Math.min(a, b),
};

export class RpnMachine {
  /** Stored variables (case-sensitive), initialised with the defns.rpn constants. */
  readonly vars = new Map<string, number>(Object.entries(DEFNS_CONSTANTS));
  stack: number[] = [];
  private logic: boolean[] = [];
  private where: Origin = {};
  private locate?: (offset: number) => Origin;
  private offsets: number[] = [];
  private current = -1;

  /**
   * Runs an RPN command line (`% ...`) on the persistent stack. `locate` maps a character offset
   * of `text` to its place in the file, so that an error names the column of the failing token.
   */
  run(text: string, where: Origin = {}, locate?: (offset: number) => Origin): void {
    this.where = where;
    this.locate = locate;
    const tokens: string[] = [];
    this.offsets = [];
    for (const m of text.matchAll(/\S+/g)) {
      tokens.push(m[0]);
      this.offsets.push(m.index ?? 0);
    }
    this.current = -1;
    this.exec(tokens, 0, tokens.length);
  }

  /** Evaluates an expression on a fresh stack and returns its top (elegant parameter values). */
  evaluate(text: string, where: Origin = {}, locate?: (offset: number) => Origin): number {
    const saved = this.stack;
    const savedLogic = this.logic;
    this.stack = [];
    this.logic = [];
    try {
      this.run(text, where, locate);
      this.current = -1;
      if (this.stack.length === 0) this.fail(`RPN expression "${text.trim()}" leaves nothing on the stack`);
      return this.stack[this.stack.length - 1];
    } finally {
      this.stack = saved;
      this.logic = savedLogic;
    }
  }

  private fail(msg: string): never {
    const at = this.current >= 0 && this.locate ? this.locate(this.offsets[this.current]) : this.where;
    throw new LatticeError(msg, at);
  }

  private pop(op: string, n = 1): number[] {
    if (this.stack.length < n) {
      this.fail(`RPN stack underflow: '${op}' needs ${n} value${n > 1 ? 's' : ''}, the stack has ${this.stack.length}`);
    }
    return this.stack.splice(this.stack.length - n, n);
  }

  private exec(tok: string[], from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const t = tok[i];
      this.current = i;
      if (t === 'sto') {
        const name = tok[i + 1];
        if (name === undefined || i + 1 >= to) this.fail(`RPN 'sto' needs a name after it`);
        if (/^[-+.\d]/.test(name)) this.fail(`RPN 'sto' needs a name (got '${name}')`);
        const [v] = this.pop('sto');
        this.stack.push(v);
        this.vars.set(name, v);
        i++;
        continue;
      }
      if (t === '?') {
        i = this.conditional(tok, i, to);
        continue;
      }
      if (t === ':' || t === '$') this.fail(`RPN '${t}' without a matching '?'`);
      this.step(t);
    }
  }

  /** `? A : B $` starting at tok[q] = '?'; returns the index of the closing '$'. */
  private conditional(tok: string[], q: number, to: number): number {
    let depth = 0;
    let colon = -1;
    let end = -1;
    for (let j = q + 1; j < to; j++) {
      if (tok[j] === '?') depth++;
      else if (tok[j] === '$') {
        if (depth === 0) { end = j; break; }
        depth--;
      } else if (tok[j] === ':' && depth === 0 && colon < 0) colon = j;
    }
    this.current = q;
    if (end < 0) this.fail(`RPN '?' without a closing '$'`);
    if (this.logic.length === 0) this.fail(`RPN '?' with an empty logical stack (compare with <, > or == first)`);
    const cond = this.logic.pop()!;
    if (cond) this.exec(tok, q + 1, colon < 0 ? end : colon);
    else if (colon >= 0) this.exec(tok, colon + 1, end);
    return end;
  }

  private step(t: string): void {
    const s = this.stack;
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) {
      s.push(Number(t));
      return;
    }
    const v = this.vars.get(t);
    if (v !== undefined) {
      s.push(v);
      return;
    }
    const u = UNARY[t];
    if (u) {
      const [x] = this.pop(t);
      s.push(u(x));
      return;
    }
    const b = BINARY[t];
    if (b) {
      const [x, y] = this.pop(t, 2);
      s.push(b(x, y));
      return;
    }
    const f = OTHER[t];
    if (f) {
      f(this);
      return;
    }
    this.fail(`undefined RPN variable or function '${t}'`);
  }

  /** For OTHER functions. */
  _pop(op: string, n = 1): number[] { return this.pop(op, n); }
  _fail(msg: string): never { return this.fail(msg); }
  _pushLogic(b: boolean): void { this.logic.push(b); }
  _popLogic(op: string): boolean {
    if (this.logic.length === 0) this.fail(`RPN '${op}' with an empty logical stack`);
    return this.logic.pop()!;
  }
}

const OTHER: Record<string, Fn> = {
  '/': (m) => {
    const [a, b] = m._pop('/', 2);
    if (b === 0) m._fail('RPN division by zero');
    m.stack.push(a / b);
  },
  fmod: (m) => {
    const [a, b] = m._pop('fmod', 2);
    if (b === 0) m._fail('RPN division by zero (fmod)');
    m.stack.push(a % b);
  },
  sqrt: (m) => {
    const [x] = m._pop('sqrt');
    if (x < 0) m._fail(`RPN square root of a negative number (${x})`);
    m.stack.push(Math.sqrt(x));
  },
  ln: (m) => {
    const [x] = m._pop('ln');
    if (!(x > 0)) m._fail(`RPN logarithm of a non-positive number (${x})`);
    m.stack.push(Math.log(x));
  },
  log: (m) => {
    const [x] = m._pop('log');
    if (!(x > 0)) m._fail(`RPN logarithm of a non-positive number (${x})`);
    m.stack.push(Math.log10(x));
  },
  swap: (m) => {
    const [a, b] = m._pop('swap', 2);
    m.stack.push(b, a);
  },
  pop: (m) => { m._pop('pop'); },
  '=': (m) => {
    const [a] = m._pop('=');
    m.stack.push(a, a);
  },
  cle: (m) => { m.stack.length = 0; },
  stlv: (m) => { m.stack.push(m.stack.length); },
  rdn: (m) => {
    // rotate down: the bottom item comes to the top (defns.rpn's `over` = `rup = rdn swap`)
    if (m.stack.length === 0) m._fail(`RPN stack underflow: 'rdn' needs 1 value, the stack has 0`);
    m.stack.push(m.stack.shift()!);
  },
  rup: (m) => {
    // rotate up: the top item goes to the bottom
    const [a] = m._pop('rup');
    m.stack.unshift(a);
  },
  sumn: (m) => {
    const [n] = m._pop('sumn');
    if (!Number.isInteger(n) || n < 0 || n > 1e6) m._fail(`RPN 'sumn' needs a whole count (got ${n})`);
    const xs = m._pop('sumn', n + 0);
    m.stack.push(xs.reduce((a, b) => a + b, 0));
  },
  '>': (m) => {
    if (m.stack.length < 2) m._pop('>', 2);
    const n = m.stack.length;
    m._pushLogic(m.stack[n - 2] > m.stack[n - 1]);
  },
  '<': (m) => {
    if (m.stack.length < 2) m._pop('<', 2);
    const n = m.stack.length;
    m._pushLogic(m.stack[n - 2] < m.stack[n - 1]);
  },
  '==': (m) => {
    if (m.stack.length < 2) m._pop('==', 2);
    const n = m.stack.length;
    m._pushLogic(m.stack[n - 2] === m.stack[n - 1]);
  },
  '!': (m) => { m._pushLogic(!m._popLogic('!')); },
  '&&': (m) => {
    const b = m._popLogic('&&');
    const a = m._popLogic('&&');
    m._pushLogic(a && b);
  },
  '||': (m) => {
    const b = m._popLogic('||');
    const a = m._popLogic('||');
    m._pushLogic(a || b);
  },
};

/** Names the calculator knows without a `sto` (for documentation and tests). */
export const RPN_BUILTINS: readonly string[] = [
  ...Object.keys(DEFNS_CONSTANTS), ...Object.keys(UNARY), ...Object.keys(BINARY), ...Object.keys(OTHER),
  'sto', '?', ':', '$',
];
