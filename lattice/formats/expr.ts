/**
 * MAD-X expressions: the lexer shared by the MAD-X reader, a parser to a small syntax tree, and an
 * evaluator. Usable by any format whose expressions follow MAD-X (`a*sqrt(b)/2`, `2^-3`, `QF->K1`).
 *
 * Grammar (MAD-X user guide, "Expressions"), lowest precedence first:
 *   sum     = product { ('+' | '-') product }
 *   product = unary { ('*' | '/') unary }
 *   unary   = ('-' | '+') unary | power
 *   power   = atom [ '^' unary ]          (right associative: 2^3^2 = 2^9; -2^2 = -(2^2))
 *   atom    = number | name | name '->' name | name '(' args ')' | '(' sum ')'
 * Numbers: `1`, `1.`, `.5`, `1e-3`, `1.5E+2`. Names are case-insensitive and may contain
 * letters, digits, `_`, `.` and `$` (MAD-X allows `MQ.12R1.B1`).
 *
 * Constants are those MAD-X predefines (mad_dict.c), with values from sim/constants.ts:
 * masses in GeV (emass, pmass), clight [m/s], qelect [C], hbar [GeV s], erad, prad [m].
 * Every error is a LatticeError naming file, line and column.
 */
import {
  C_LIGHT, E_CHARGE, ELECTRON_MASS_EV, HBAR_C_EVM, PROTON_MASS_EV, R_ELECTRON,
} from '../../sim/constants.ts';
import { LatticeError } from '../elements.ts';

/** A place in a source file (1-based line and column). */
export interface SourcePos {
  file?: string;
  line: number;
  column: number;
}

// ---------------------------------------------------------------------------------------------
// Lexer

export type TokenKind = 'num' | 'name' | 'str' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The text as written (strings without their quotes). */
  text: string;
  /** Numeric value of a 'num' token. */
  value: number;
  line: number;
  column: number;
  /** Offsets of the token in the source text [start, end). */
  start: number;
  end: number;
}

/** A comment `! nanoterasu: ...` (the pragmas of our own writer), with the line it is on. */
export interface Pragma {
  line: number;
  column: number;
  text: string;
}

export interface LexResult {
  tokens: Token[];
  pragmas: Pragma[];
}

const OPS2 = new Set([':=', '->', '==', '<>', '>=', '<=', '&&', '||']);
const OPS1 = new Set([':', '=', ',', ';', '(', ')', '{', '}', '[', ']', '+', '-', '*', '/', '^', '<', '>', '&', '|']);

function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isNameChar(c: string): boolean {
  return isNameStart(c) || (c >= '0' && c <= '9') || c === '.' || c === '$';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/**
 * Splits MAD-X source text into tokens. Comments (`! …`, `// …` to the end of the line, `/* … *\/`)
 * are dropped, except `! nanoterasu: …` pragmas which are returned with their line.
 */
export function tokenize(text: string, file?: string, origin: { line?: number; column?: number } = {}): LexResult {
  const tokens: Token[] = [];
  const pragmas: Pragma[] = [];
  let i = 0;
  // `origin` places the text inside a larger file (line and column of its first character).
  let line = origin.line ?? 1;
  let lineStart = 1 - (origin.column ?? 1);
  const n = text.length;
  const err = (msg: string, at: number, l = line, ls = lineStart): never => {
    throw new LatticeError(msg, { file, line: l, column: at - ls + 1 });
  };
  while (i < n) {
    const c = text[i];
    if (c === '\n') { i++; line++; lineStart = i; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') { i++; continue; }
    if (c === '!' || (c === '/' && text[i + 1] === '/')) {
      const startCol = i - lineStart + 1;
      let j = i;
      while (j < n && text[j] !== '\n') j++;
      const body = text.slice(i + (c === '!' ? 1 : 2), j).trim();
      const m = /^nanoterasu:\s*(.*)$/i.exec(body);
      if (m) pragmas.push({ line, column: startCol, text: m[1].trim() });
      i = j;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const l0 = line;
      const ls0 = lineStart;
      const at = i;
      i += 2;
      while (i < n && !(text[i] === '*' && text[i + 1] === '/')) {
        if (text[i] === '\n') { line++; lineStart = i + 1; }
        i++;
      }
      if (i >= n) err('comment /* is never closed by */', at, l0, ls0);
      i += 2;
      continue;
    }
    const start = i;
    const column = i - lineStart + 1;
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      while (i < n && isDigit(text[i])) i++;
      if (text[i] === '.') { i++; while (i < n && isDigit(text[i])) i++; }
      if (text[i] === 'e' || text[i] === 'E') {
        let j = i + 1;
        if (text[j] === '+' || text[j] === '-') j++;
        if (!isDigit(text[j] ?? '')) err(`malformed number '${text.slice(start, j)}' (exponent without digits)`, start);
        while (j < n && isDigit(text[j])) j++;
        i = j;
      }
      const s = text.slice(start, i);
      const value = Number(s);
      if (!Number.isFinite(value)) err(`number ${s} is out of range`, start);
      tokens.push({ kind: 'num', text: s, value, line, column, start, end: i });
      continue;
    }
    if (isNameStart(c)) {
      while (i < n && isNameChar(text[i])) i++;
      tokens.push({ kind: 'name', text: text.slice(start, i), value: 0, line, column, start, end: i });
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && text[j] !== c && text[j] !== '\n') j++;
      if (text[j] !== c) err(`string starting with ${c} is not closed on this line`, start);
      tokens.push({ kind: 'str', text: text.slice(i + 1, j), value: 0, line, column, start, end: j + 1 });
      i = j + 1;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (OPS2.has(two)) {
      tokens.push({ kind: 'op', text: two, value: 0, line, column, start, end: i + 2 });
      i += 2;
      continue;
    }
    if (OPS1.has(c)) {
      tokens.push({ kind: 'op', text: c, value: 0, line, column, start, end: i + 1 });
      i++;
      continue;
    }
    // Any other character (`#` in `range=#s/#e`, `%`, `@`, …) is a token of its own: commands we
    // skip may contain it, and elsewhere the parser reports it with its position.
    tokens.push({ kind: 'op', text: c, value: 0, line, column, start, end: i + 1 });
    i++;
  }
  tokens.push({ kind: 'eof', text: '', value: 0, line, column: i - lineStart + 1, start: n, end: n });
  return { tokens, pragmas };
}

// ---------------------------------------------------------------------------------------------
// Syntax tree

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'var'; name: string; pos: SourcePos }
  | { k: 'attr'; elem: string; attr: string; pos: SourcePos }
  | { k: 'neg'; a: Expr }
  | { k: 'bin'; op: '+' | '-' | '*' | '/' | '^'; a: Expr; b: Expr; pos: SourcePos }
  | { k: 'call'; fn: string; args: Expr[]; pos: SourcePos };

/** Functions of one or two arguments (MAD-X mad_gcst.c functs, plus atan2/max/min/mod). */
const FUNCTIONS: Record<string, { arity: number; f: (...a: number[]) => number }> = {
  sqrt: { arity: 1, f: Math.sqrt },
  log: { arity: 1, f: Math.log },
  log10: { arity: 1, f: Math.log10 },
  exp: { arity: 1, f: Math.exp },
  sin: { arity: 1, f: Math.sin },
  cos: { arity: 1, f: Math.cos },
  tan: { arity: 1, f: Math.tan },
  asin: { arity: 1, f: Math.asin },
  acos: { arity: 1, f: Math.acos },
  atan: { arity: 1, f: Math.atan },
  sinh: { arity: 1, f: Math.sinh },
  cosh: { arity: 1, f: Math.cosh },
  tanh: { arity: 1, f: Math.tanh },
  abs: { arity: 1, f: Math.abs },
  floor: { arity: 1, f: Math.floor },
  ceil: { arity: 1, f: Math.ceil },
  // MAD-X round() is C round(): halves away from zero (Math.round rounds -2.5 to -2).
  round: { arity: 1, f: (x) => Math.sign(x) * Math.round(Math.abs(x)) },
  frac: { arity: 1, f: (x) => x - Math.trunc(x) },
  sinc: { arity: 1, f: (x) => (x === 0 ? 1 : Math.sin(x) / x) },
  atan2: { arity: 2, f: Math.atan2 },
  max: { arity: 2, f: Math.max },
  min: { arity: 2, f: Math.min },
  mod: { arity: 2, f: (a, b) => a % b },
};

/**
 * MAD-X functions that draw random numbers or read tables: parsed (a file that defines error
 * knobs with them still reads) but an error if a value that the lattice needs uses them.
 */
const UNSUPPORTED_FUNCTIONS = new Set(['ranf', 'gauss', 'tgauss', 'table', 'exist']);

/** Names of the functions an expression may call. */
export const MADX_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);

/** MAD-X predefined constants (mad_dict.c), values from sim/constants.ts. */
export const MADX_CONSTANTS: Readonly<Record<string, number>> = Object.freeze({
  pi: Math.PI,
  twopi: 2 * Math.PI,
  degrad: 180 / Math.PI,
  raddeg: Math.PI / 180,
  e: Math.E,
  amu0: 4e-7 * Math.PI,
  emass: ELECTRON_MASS_EV * 1e-9,
  pmass: PROTON_MASS_EV * 1e-9,
  clight: C_LIGHT,
  qelect: E_CHARGE,
  hbar: (HBAR_C_EVM / C_LIGHT) * 1e-9,
  erad: R_ELECTRON,
  prad: (R_ELECTRON * ELECTRON_MASS_EV) / PROTON_MASS_EV,
});

/** Limit of nested parentheses/unary operators, so hostile input cannot overflow the stack. */
const MAX_DEPTH = 400;

/**
 * Recursive-descent parser over a token array. `stop` tokens (e.g. ',' ';' '}') end an
 * expression; the caller checks what follows.
 */
export class ExprParser {
  private depth = 0;
  constructor(
    private readonly toks: Token[],
    public pos: number,
    private readonly file?: string,
  ) {}

  private peek(): Token {
    return this.toks[this.pos];
  }
  private where(t: Token): SourcePos {
    return { file: this.file, line: t.line, column: t.column };
  }
  private fail(t: Token, msg: string): never {
    throw new LatticeError(msg, { file: this.file, line: t.line, column: t.column });
  }
  private isOp(t: Token, s: string): boolean {
    return t.kind === 'op' && t.text === s;
  }

  /** Parses one expression starting at `pos`; leaves `pos` after it. */
  parse(): Expr {
    const t = this.peek();
    if (t.kind === 'eof' || (t.kind === 'op' && (t.text === ';' || t.text === ',' || t.text === ')' || t.text === '}'))) {
      this.fail(t, `expected an expression, found ${describeToken(t)}`);
    }
    return this.sum();
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) this.fail(t, `expression nested more than ${MAX_DEPTH} deep`);
  }

  private sum(): Expr {
    let a = this.product();
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, '+') || this.isOp(t, '-')) {
        this.pos++;
        a = { k: 'bin', op: t.text as '+' | '-', a, b: this.product(), pos: this.where(t) };
      } else return a;
    }
  }

  private product(): Expr {
    let a = this.unary();
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, '*') || this.isOp(t, '/')) {
        this.pos++;
        a = { k: 'bin', op: t.text as '*' | '/', a, b: this.unary(), pos: this.where(t) };
      } else return a;
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (this.isOp(t, '-') || this.isOp(t, '+')) {
      this.pos++;
      this.enter(t);
      const a = this.unary();
      this.depth--;
      return t.text === '-' ? { k: 'neg', a } : a;
    }
    return this.power();
  }

  private power(): Expr {
    const a = this.atom();
    const t = this.peek();
    if (this.isOp(t, '^')) {
      this.pos++;
      this.enter(t);
      const b = this.unary();
      this.depth--;
      return { k: 'bin', op: '^', a, b, pos: this.where(t) };
    }
    return a;
  }

  private atom(): Expr {
    const t = this.peek();
    if (t.kind === 'num') {
      this.pos++;
      return { k: 'num', v: t.value };
    }
    if (this.isOp(t, '(')) {
      this.pos++;
      this.enter(t);
      const e = this.sum();
      this.depth--;
      const c = this.peek();
      if (!this.isOp(c, ')')) this.fail(c, `expected ')' to close the '(' at line ${t.line}, column ${t.column}, found ${describeToken(c)}`);
      this.pos++;
      return e;
    }
    if (t.kind === 'name') {
      this.pos++;
      const nxt = this.peek();
      if (this.isOp(nxt, '->')) {
        this.pos++;
        const a = this.peek();
        if (a.kind !== 'name') this.fail(a, `expected an attribute name after '->', found ${describeToken(a)}`);
        this.pos++;
        return { k: 'attr', elem: t.text.toLowerCase(), attr: a.text.toLowerCase(), pos: this.where(t) };
      }
      if (this.isOp(nxt, '(')) {
        const fn = t.text.toLowerCase();
        const spec = Object.hasOwn(FUNCTIONS, fn) ? FUNCTIONS[fn] : UNSUPPORTED_FUNCTIONS.has(fn) ? { arity: -1 } : undefined;
        if (!spec) this.fail(t, `unknown function '${t.text}' (known: ${MADX_FUNCTIONS.join(', ')})`);
        this.pos++;
        this.enter(t);
        const args: Expr[] = [];
        if (!this.isOp(this.peek(), ')')) {
          for (;;) {
            args.push(this.parse());
            const c = this.peek();
            if (this.isOp(c, ',')) { this.pos++; continue; }
            break;
          }
        }
        this.depth--;
        const c = this.peek();
        if (!this.isOp(c, ')')) this.fail(c, `expected ')' after the arguments of ${t.text}(, found ${describeToken(c)}`);
        this.pos++;
        if (spec.arity >= 0 && args.length !== spec.arity) {
          this.fail(t, `${fn}() takes ${spec.arity} argument${spec.arity > 1 ? 's' : ''} (got ${args.length})`);
        }
        return { k: 'call', fn, args, pos: this.where(t) };
      }
      return { k: 'var', name: t.text.toLowerCase(), pos: this.where(t) };
    }
    this.fail(t, `expected a number, a name or '(', found ${describeToken(t)}`);
  }
}

export function describeToken(t: Token): string {
  if (t.kind === 'eof') return 'the end of the file';
  if (t.kind === 'str') return `the string "${t.text}"`;
  return `'${t.text}'`;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** How an expression finds the values of names: variables and element attributes. */
export interface Scope {
  variable(name: string, pos: SourcePos): number;
  attribute(elem: string, attr: string, pos: SourcePos): number;
}

/** Evaluates a syntax tree. Non-finite results (1/0, sqrt(-1), overflow) are errors. */
export function evaluate(e: Expr, scope: Scope): number {
  return ev(e, scope);
}

function ev(e: Expr, s: Scope): number {
  switch (e.k) {
    case 'num':
      return e.v;
    case 'var':
      return s.variable(e.name, e.pos);
    case 'attr':
      return s.attribute(e.elem, e.attr, e.pos);
    case 'neg':
      return -ev(e.a, s);
    case 'bin': {
      const a = ev(e.a, s);
      const b = ev(e.b, s);
      let r: number;
      switch (e.op) {
        case '+': r = a + b; break;
        case '-': r = a - b; break;
        case '*': r = a * b; break;
        case '/':
          if (b === 0) throw new LatticeError(`division by zero (${a} / 0)`, e.pos);
          r = a / b;
          break;
        case '^': r = a ** b; break;
      }
      if (!Number.isFinite(r)) throw new LatticeError(`'${e.op}' gives ${r} (${a} ${e.op} ${b})`, e.pos);
      return r;
    }
    case 'call': {
      if (UNSUPPORTED_FUNCTIONS.has(e.fn)) {
        throw new LatticeError(`${e.fn}() (random numbers or tables) is not supported in a value the lattice needs`, e.pos);
      }
      const args = e.args.map((x) => ev(x, s));
      const r = FUNCTIONS[e.fn].f(...args);
      if (!Number.isFinite(r)) throw new LatticeError(`${e.fn}(${args.join(', ')}) is not a finite number`, e.pos);
      return r;
    }
  }
}

/** Every variable and element attribute an expression refers to. */
export function references(e: Expr, out: { vars: Set<string>; attrs: Set<string> } = { vars: new Set(), attrs: new Set() }) {
  switch (e.k) {
    case 'var': out.vars.add(e.name); break;
    case 'attr': out.attrs.add(`${e.elem}->${e.attr}`); break;
    case 'neg': references(e.a, out); break;
    case 'bin': references(e.a, out); references(e.b, out); break;
    case 'call': for (const a of e.args) references(a, out); break;
    default: break;
  }
  return out;
}

/**
 * Parses and evaluates a stand-alone expression: `variables` (case-insensitive) are looked up
 * first, then the MAD-X constants. `at` places the text in a file for error messages.
 */
export function evalExpression(
  text: string,
  variables: Record<string, number> = {},
  at: { file?: string; line?: number; column?: number } = {},
): number {
  const { tokens } = tokenize(text, at.file, at);
  const p = new ExprParser(tokens, 0, at.file);
  const e = p.parse();
  const rest = tokens[p.pos];
  if (rest.kind !== 'eof') {
    throw new LatticeError(`unexpected ${describeToken(rest)} after the expression`, { file: at.file, line: rest.line, column: rest.column });
  }
  const vars = new Map(Object.entries(variables).map(([k, v]) => [k.toLowerCase(), v]));
  return evaluate(e, {
    variable(name, pos) {
      const v = vars.get(name) ?? (Object.hasOwn(MADX_CONSTANTS, name) ? MADX_CONSTANTS[name] : undefined);
      if (v === undefined) throw new LatticeError(`undefined variable '${name}'`, pos);
      return v;
    },
    attribute(elem, attr, pos) {
      throw new LatticeError(`element attribute ${elem}->${attr} is not available here`, pos);
    },
  });
}
