/**
 * MAD-X lattice files (`.madx`, `.seq`, `.mad`): a reader of the subset that describes a machine,
 * and a writer whose output reads back to the same lattice number for number.
 *
 * Reader — what it understands (MAD-X user guide, chapters "Statements", "Elements", "Lines",
 * "Sequences", "Beam"):
 * - statements end with `;`; comments `!`, `//`, `/* *\/`; names are case-insensitive (the case
 *   of the definition is kept as the element name);
 * - `x = expr` (evaluated now), `x := expr` (deferred: evaluated when the lattice is built, in
 *   dependency order; a cycle is an error naming its variables), `const`, `real`, `int`,
 *   `QF->K1 = …`; expressions as in ./expr.ts;
 * - elements `NAME: TYPE, attr=…;`, inheritance `QF2: QF, K1=…;` (the child copies the parent's
 *   attributes at that moment, as MAD-X clones the definition), updates `NAME, K1=…;`;
 * - `NAME: LINE=(a, 2*b, -c, (x, y));`, `NAME: SEQUENCE, L=…, REFER=centre|entry|exit;`
 *   `elem, AT=…, FROM=…;` (inline definitions `Q1: QF, AT=…;` too) `ENDSEQUENCE;` — drifts are
 *   inserted between elements as MAD-X does (mad_seq.c add_drifts: a gap below 1e-6 m is
 *   ignored, a negative one below -1e-6 m is an error naming both elements);
 * - `BEAM, PARTICLE=…, ENERGY=… [GeV] | PC=… [GeV/c] | GAMMA=…;` `USE, PERIOD|SEQUENCE=…;`
 *   `CALL, FILE=…;` (through opts.readFile; a relative path is taken from the calling file's
 *   folder, where MAD-X takes the working directory — the same when MAD-X runs there), `RETURN;`
 *   (ends the current file; in the main file, the input), `EXIT;`/`STOP;`/`QUIT;`;
 * - other commands (TWISS, SELECT, MATCH … ENDMATCH, PLOT, OPTION, …) are skipped and listed
 *   once in the warnings; IF/WHILE blocks and MACRO definitions are skipped with a warning.
 *
 * Element types (MAD-X → ours): DRIFT; SBEND; RBEND (rbarc convention: L is the chord, which
 * our `rbend` keeps); QUADRUPOLE, SEXTUPOLE, OCTUPOLE (zero length → thin `multipole` with
 * knl = Kn·L); MULTIPOLE (KNL/KSL); HKICKER, VKICKER (KICK), KICKER, TKICKER (HKICK/VKICK);
 * RFCAVITY (VOLT [MV] → V, FREQ [MHz] → Hz, HARMON, LAG); MARKER; MONITOR, HMONITOR, VMONITOR,
 * INSTRUMENT → monitor; RCOLLIMATOR, ECOLLIMATOR, COLLIMATOR (APERTYPE/APERTURE or the older
 * XSIZE/YSIZE), and a MARKER or DRIFT with APERTYPE/APERTURE → aperture (APERTYPE defaults to
 * circle, as in MAD-X). A type we cannot model (SOLENOID, CRABCAVITY, BEAMBEAM, MATRIX, …) or an
 * unknown class becomes a drift (L > 0) or a marker, and every such element is listed in the
 * warnings. TILT; a TILT without value is taken as MAD-8's skew angle π/(2(n+1)), with a warning.
 * DX, DY (MAD-X 5.09 element misalignments) on magnets. FINTX defaults to FINT; FINT without a
 * value is 0.5 (mad_dict.c). A K0 different from ANGLE/L is warned. A MULTIPOLE is thin: its L
 * is ignored (MAD-X el_par_value), with a warning. Other attributes that change the optics but
 * are not modelled (H1, H2, K0S, DPSI, FRINGE, …) are counted in one warning per type.
 *
 * Undefined variables are 0, as in MAD-X (real files rely on it), each named once in the warnings
 * with file, line and column; `strict: true` makes them errors.
 *
 * Periodicity: 1, unless the used line is a single `n*LINE` (as our writer writes rings).
 *
 * Pragmas (our writer's extensions, ignored by MAD-X since they are comments):
 * - `! nanoterasu: periodicity=16`, `! nanoterasu: name="…"`, `! nanoterasu: energyEV=…`
 *   (file-level, on a line of their own);
 * - `NAME: TYPE, …; ! nanoterasu: {"type":"undulator","periodM":0.04,…}` — a JSON object on the
 *   line where the definition ends; its keys override the element's fields (`type`, `name`,
 *   dx, dy, nSteps, fringeQuadEntrance/Exit, comment, and any number MAD-X cannot carry
 *   exactly). It is how undulators and misalignments survive a round trip.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { restEnergyEV, type Particle } from '../../sim/constants.ts';
import {
  arcLength, ELEMENT_FIELDS, LatticeError, makeElement, type Element, type ElementType,
} from '../elements.ts';
import { makeLattice, type Lattice } from '../lattice.ts';
import {
  describeToken, evaluate, ExprParser, MADX_CONSTANTS, references, tokenize, type Expr, type Pragma, type Scope,
  type SourcePos, type Token,
} from './expr.ts';
import type { LatticeFormat, LoadResult, ParseOptions } from './index.ts';

// ---------------------------------------------------------------------------------------------
// Parsed definitions

type AttrValue =
  | { kind: 'expr'; expr: Expr; deferred: boolean; value?: number; pos: SourcePos }
  | { kind: 'list'; items: Expr[]; deferred: boolean; values?: number[]; pos: SourcePos }
  | { kind: 'str'; text: string; pos: SourcePos }
  | { kind: 'flag'; pos: SourcePos };

interface ElemDef {
  kind: 'elem';
  name: string;
  key: string;
  /** Lower-case MAD-X base type (`quadrupole`), or the unknown class name. */
  base: string;
  /** The class named in the definition was not defined. */
  unknownClass: boolean;
  attrs: Map<string, AttrValue>;
  pos: SourcePos;
  pragma?: Record<string, unknown>;
}

interface VarDef {
  expr: Expr;
  deferred: boolean;
  value?: number;
  pos: SourcePos;
  isConst: boolean;
}

interface LineItemAst {
  ref?: string;
  group?: LineItemAst[];
  times: number;
  reversed: boolean;
  pos: SourcePos;
}

interface LineDef {
  kind: 'line';
  name: string;
  key: string;
  items: LineItemAst[];
  pos: SourcePos;
}

interface SeqNode {
  target: string;
  at: Expr;
  from?: string;
  pos: SourcePos;
}

interface SeqDef {
  kind: 'seq';
  name: string;
  key: string;
  length: Expr;
  refer: 'centre' | 'entry' | 'exit';
  refpos?: string;
  nodes: SeqNode[];
  pos: SourcePos;
  closed: boolean;
}

type Def = ElemDef | LineDef | SeqDef;

/** MAD-X element types we convert. */
const MODELLED = new Set([
  'drift', 'sbend', 'rbend', 'quadrupole', 'sextupole', 'octupole', 'multipole', 'hkicker',
  'vkicker', 'kicker', 'tkicker', 'rfcavity', 'marker', 'monitor', 'hmonitor', 'vmonitor',
  'instrument', 'rcollimator', 'ecollimator', 'collimator',
]);
/** MAD-X element types that exist but that we cannot model (→ drift or marker, warned). */
const UNMODELLED = new Set([
  'solenoid', 'crabcavity', 'beambeam', 'matrix', 'elseparator', 'rfmultipole', 'dipedge',
  'srotation', 'xrotation', 'yrotation', 'translation', 'changeref', 'nllens', 'wire',
  'twcavity', 'hacdipole', 'vacdipole', 'placeholder', 'blmonitor', 'lcavity',
]);

/** Commands that do not change the machine description: skipped, named once in the warnings. */
const SKIPPED = new Set([
  'twiss', 'select', 'deselect', 'plot', 'setplot', 'resplot', 'option', 'savebeta', 'value',
  'print', 'printf', 'show', 'title', 'system', 'assign', 'emit', 'survey', 'write', 'save',
  'savesequence', 'help', 'set', 'exec', 'create', 'fill', 'readtable', 'readmytable', 'delete',
  'setvars', 'setvars_lin', 'fill_knob', 'shrink', 'makethin', 'dumpsequ', 'ptc_create_universe',
  'ptc_create_layout', 'ptc_twiss', 'ptc_end', 'ptc_align', 'ptc_normal', 'ptc_track',
  'ptc_setswitch', 'ptc_observe', 'ptc_start', 'ptc_track_end', 'ptc_select', 'ptc_knob',
  'ptc_script', 'ptc_printparametric', 'ptc_eplacement', 'ptc_printframes', 'ptc_varyknob',
  'ptc_setfieldcomp', 'ptc_setcavities', 'ptc_moments', 'ptc_dumpmaps', 'ptc_read_errors',
  'ptc_refresh_k', 'ptc_enforce6d', 'aperture', 'dynap', 'touschek', 'ibs', 'sodd', 'coguess',
  'correct', 'usemonitor', 'usekick', 'csave', 'sxfread', 'sxfwrite', 'resbeam', 'eoption',
  'seterr', 'esave', 'ealign', 'efcomp', 'renamefile', 'copyfile', 'removefile', 'global',
  'constraint', 'vary', 'lmdif', 'migrad', 'simplex', 'jacobian', 'weight', 'gweight',
  'track', 'start', 'run', 'observe', 'endtrack', 'sixtrack', 'beta0', 'flatten', 'cycle',
  'reflect', 'install', 'move', 'remove', 'replace', 'extract', 'setcorr', 'threader', 'tabstring',
  'nodelete', 'gc', 'endedit',
]);
/** Commands that change the lattice but are not supported: skipped with an explicit warning. */
const NOT_APPLIED: Record<string, string> = {
  ealign: 'alignment errors (EALIGN) are not applied',
  efcomp: 'field errors (EFCOMP) are not applied',
  seterr: 'errors read with SETERR are not applied',
  seqedit: 'SEQEDIT … ENDEDIT sequence edits are not applied',
  makethin: 'MAKETHIN is not applied (thick elements are kept)',
};

/** Attributes whose value is a name or a string, not an expression. */
const STRING_ATTRS = new Set([
  'apertype', 'particle', 'sequence', 'period', 'file', 'refer', 'from', 'refpos', 'class',
  'pattern', 'range', 'flag', 'table', 'mad8_type', 'type', 'comments',
]);
/** Attributes that change nothing we model: ignored without a warning. */
const SILENT_ATTRS = new Set([
  'slot_id', 'assembly_id', 'mech_sep', 'v_pos', 'kmax', 'kmin', 'calib', 'polarity', 'magnet',
  'type', 'aper_tol', 'aper_offset', 'lrad', 'thick', 'comments', 'at', 'from', 'bv', 'apertype',
  'aperture', 'mad8_type', 'xsize', 'ysize',
]);
/** Numeric attributes evaluated at definition time when written with `=` (MAD-X semantics). */
const NUMERIC_ATTRS = new Set([
  'l', 'angle', 'k0', 'k1', 'k1s', 'k2', 'k2s', 'k3', 'k3s', 'e1', 'e2', 'fint', 'fintx', 'hgap',
  'tilt', 'kick', 'hkick', 'vkick', 'volt', 'freq', 'harmon', 'lag', 'knl', 'ksl', 'aperture',
  'xsize', 'ysize', 'h1', 'h2', 'k0s', 'dx', 'dy',
]);

/** MAD-X sequence drift tolerance (mad_seq.c add_drifts). */
const DRIFT_TOL_M = 1e-6;
/** Guards against runaway input. */
const MAX_CALL_DEPTH = 20;
const MAX_LINE_DEPTH = 200;
const MAX_ELEMENTS = 1_000_000;

// ---------------------------------------------------------------------------------------------
// Reader

interface FileCtx {
  file?: string;
  text: string;
  toks: Token[];
  pragmaByLine: Map<number, Pragma>;
}

class Reader implements Scope {
  private defs = new Map<string, Def>();
  private vars = new Map<string, VarDef>();
  private warnings: string[] = [];
  private skipped = new Set<string>();
  private notes = new Set<string>();
  private ignoredAttrs = new Map<string, number>();
  private beam: { energyEV?: number; particle?: Particle; pos?: SourcePos } = {};
  private useName?: { key: string; pos: SourcePos };
  private lastLineOrSeq?: string;
  private currentSeq?: SeqDef;
  private stopped = false;
  private filePragmas: Record<string, unknown> = {};
  /** Line of the ';' of the statement being read, if it is the last one on that line (pragmas). */
  private stmtEndLine = 0;
  private undefinedVars = new Set<string>();
  // deferred evaluation state
  private cache = new Map<string, number>();
  // build state
  private converted = new Map<ElemDef, Element>();

  constructor(private readonly opts: MadxOptions) {}

  // ---- statements -----------------------------------------------------------------------

  run(text: string, file: string | undefined, depth: number): void {
    if (depth > MAX_CALL_DEPTH) {
      throw new LatticeError(`CALL nested more than ${MAX_CALL_DEPTH} deep (a file that calls itself?)`, { file });
    }
    const { tokens, pragmas } = tokenize(text, file);
    const ctx: FileCtx = { file, text, toks: tokens, pragmaByLine: new Map() };
    for (const p of pragmas) {
      if (p.text.startsWith('{')) ctx.pragmaByLine.set(p.line, p);
      else this.filePragma(p, file);
    }
    let i = 0;
    let skipUntil: string | undefined;
    while (!this.stopped) {
      const t = tokens[i];
      if (t.kind === 'eof') break;
      if (t.kind === 'op' && t.text === ';') { i++; continue; }
      const lower = t.kind === 'name' ? t.text.toLowerCase() : '';
      const nxt = tokens[i + 1];
      // Blocks with braces: IF/ELSEIF/ELSE/WHILE and MACRO definitions are not executed.
      if (((lower === 'if' || lower === 'elseif' || lower === 'while') && isOp(nxt, '(')) ||
          (lower === 'else' && isOp(nxt, '{'))) {
        i = this.skipBlock(ctx, i);
        this.notes.add(`${lower.toUpperCase()} blocks are not executed (skipped)`);
        continue;
      }
      const macroEnd = this.macroDefinitionEnd(ctx, i);
      if (macroEnd >= 0) {
        this.notes.add('MACRO definitions are skipped (EXEC is not run)');
        i = macroEnd;
        continue;
      }
      const end = this.statementEnd(ctx, i);
      if (skipUntil) {
        if (lower === skipUntil) skipUntil = undefined;
        i = end + 1;
        continue;
      }
      if (lower === 'match') { skipUntil = 'endmatch'; this.skipped.add('MATCH … ENDMATCH'); i = end + 1; continue; }
      if (lower === 'seqedit') { skipUntil = 'endedit'; this.notes.add(NOT_APPLIED.seqedit); i = end + 1; continue; }
      if (lower === 'return') break; // ends this file (the whole input in the main file), as MAD-X
      if (lower === 'exit' || lower === 'stop' || lower === 'quit') { this.stopped = true; break; }
      // A JSON pragma belongs to the last statement that ends on its line.
      const nextTok = tokens[end + 1];
      this.stmtEndLine = nextTok.kind === 'eof' || nextTok.line !== tokens[end].line ? tokens[end].line : -1;
      this.statement(ctx, i, end, depth);
      i = end + 1;
    }
    if (skipUntil && depth === 0) {
      this.notes.add(`no ${skipUntil.toUpperCase()} before the end of the file`);
    }
  }

  private filePragma(p: Pragma, file?: string): void {
    const m = /^([A-Za-z]+)\s*=\s*(.*)$/.exec(p.text);
    if (!m) throw new LatticeError(`pragma '! nanoterasu: ${p.text}' is not key=value`, { file, line: p.line, column: p.column });
    let v: unknown;
    try {
      v = JSON.parse(m[2]);
    } catch {
      throw new LatticeError(`pragma value '${m[2]}' is not valid JSON`, { file, line: p.line, column: p.column });
    }
    this.filePragmas[m[1]] = v;
  }

  /** Index of the ';' that ends the statement starting at i (braces may not contain ';'). */
  private statementEnd(ctx: FileCtx, i: number): number {
    const toks = ctx.toks;
    for (let j = i; ; j++) {
      const t = toks[j];
      if (t.kind === 'eof') {
        throw new LatticeError(`statement starting with ${describeToken(toks[i])} is not ended by ';'`, this.at(ctx, toks[i]));
      }
      if (t.kind === 'op' && t.text === ';') return j;
    }
  }

  /** Skips `if (…) { … }` / `while (…) { … }` / `else { … }`: returns the index after the '}'. */
  private skipBlock(ctx: FileCtx, i: number): number {
    const toks = ctx.toks;
    let j = i + 1;
    while (toks[j].kind !== 'eof' && !isOp(toks[j], '{')) j++;
    if (toks[j].kind === 'eof') throw new LatticeError(`${toks[i].text} without a '{ … }' block`, this.at(ctx, toks[i]));
    return this.matchBrace(ctx, j);
  }

  private matchBrace(ctx: FileCtx, open: number): number {
    const toks = ctx.toks;
    let depth = 0;
    for (let j = open; ; j++) {
      const t = toks[j];
      if (t.kind === 'eof') throw new LatticeError(`'{' is never closed by '}'`, this.at(ctx, toks[open]));
      if (isOp(t, '{')) depth++;
      else if (isOp(t, '}') && --depth === 0) return j + 1;
    }
  }

  /** `name[(args)]: macro = { … }` → index after the '}', else -1. */
  private macroDefinitionEnd(ctx: FileCtx, i: number): number {
    const toks = ctx.toks;
    if (toks[i].kind !== 'name') return -1;
    let j = i + 1;
    if (isOp(toks[j], '(')) {
      while (toks[j].kind !== 'eof' && !isOp(toks[j], ')') && !isOp(toks[j], ';')) j++;
      if (!isOp(toks[j], ')')) return -1;
      j++;
    }
    if (!isOp(toks[j], ':') || toks[j + 1].kind !== 'name' || toks[j + 1].text.toLowerCase() !== 'macro') return -1;
    j += 2;
    if (!isOp(toks[j], '=') || !isOp(toks[j + 1], '{')) {
      throw new LatticeError(`expected '= {' after MACRO`, this.at(ctx, toks[j]));
    }
    return this.matchBrace(ctx, j + 1);
  }

  private at(ctx: FileCtx, t: Token): SourcePos {
    return { file: ctx.file, line: t.line, column: t.column };
  }

  private fail(ctx: FileCtx, t: Token, msg: string): never {
    throw new LatticeError(msg, this.at(ctx, t));
  }

  private statement(ctx: FileCtx, s: number, end: number, depth: number): void {
    const toks = ctx.toks;
    let i = s;
    if (toks[i].kind === 'name' && toks[i].text.toLowerCase() === 'shared' && toks[i + 1].kind === 'name') i++;
    const first = toks[i];
    if (first.kind !== 'name') this.fail(ctx, first, `a statement starts with a name, found ${describeToken(first)}`);
    // Variable declarations: [real|int] [const] name (= | :=) expr
    let isConst = false;
    let declared = false;
    while (toks[i].kind === 'name' && ['real', 'int', 'const'].includes(toks[i].text.toLowerCase()) &&
           toks[i + 1].kind === 'name') {
      if (toks[i].text.toLowerCase() === 'const') isConst = true;
      declared = true;
      i++;
    }
    const head = toks[i];
    if (head.kind !== 'name') this.fail(ctx, head, `expected a name, found ${describeToken(head)}`);
    const op = toks[i + 1];
    if (isOp(op, '=') || isOp(op, ':=') || (isOp(op, ':') && isOp(toks[i + 2], '='))) {
      const deferred = op.text === ':=' || op.text === ':';
      const exprStart = op.text === ':' ? i + 3 : i + 2;
      this.assignVariable(ctx, head, exprStart, end, deferred, isConst);
      return;
    }
    if (declared) this.fail(ctx, op, `expected '=' or ':=' after the variable name '${head.text}', found ${describeToken(op)}`);
    if (isOp(op, '->')) {
      this.assignAttribute(ctx, head, i + 2, end);
      return;
    }
    if (isOp(op, '(')) {
      this.fail(ctx, op, `'${head.text}(…)': lines with arguments and macro calls are not supported`);
    }
    if (isOp(op, ':')) {
      this.labelled(ctx, head, i + 2, end);
      return;
    }
    if (!isOp(op, ',') && i + 1 !== end) {
      this.fail(ctx, op, `expected ',', ':', '=' or ';' after '${head.text}', found ${describeToken(op)}`);
    }
    this.command(ctx, head, i + 1, end, depth);
  }

  // ---- expressions ------------------------------------------------------------------------

  /** Parses an expression in toks[i..end); returns it and the index after it. */
  private expr(ctx: FileCtx, i: number, end: number): [Expr, number] {
    const p = new ExprParser(ctx.toks, i, ctx.file);
    const e = p.parse();
    if (p.pos > end) this.fail(ctx, ctx.toks[end], `unexpected ';' inside an expression`);
    return [e, p.pos];
  }

  private wholeExpr(ctx: FileCtx, i: number, end: number): Expr {
    const [e, j] = this.expr(ctx, i, end);
    if (j !== end) this.fail(ctx, ctx.toks[j], `unexpected ${describeToken(ctx.toks[j])} after the expression`);
    return e;
  }

  private assignVariable(ctx: FileCtx, name: Token, i: number, end: number, deferred: boolean, isConst: boolean): void {
    const key = name.text.toLowerCase();
    if (Object.hasOwn(MADX_CONSTANTS, key)) this.fail(ctx, name, `'${name.text}' is a MAD-X constant and cannot be assigned`);
    const old = this.vars.get(key);
    if (old?.isConst) this.fail(ctx, name, `'${name.text}' is a constant (defined at line ${old.pos.line}) and cannot be changed`);
    const expr = this.wholeExpr(ctx, i, end);
    const pos = this.at(ctx, name);
    this.cache.clear();
    if (deferred && !isConst) {
      this.vars.set(key, { expr, deferred: true, pos, isConst: false });
    } else {
      const value = this.evalNow(expr);
      this.vars.set(key, { expr, deferred: false, value, pos, isConst });
    }
  }

  private assignAttribute(ctx: FileCtx, elemTok: Token, i: number, end: number): void {
    const attrTok = ctx.toks[i];
    if (attrTok.kind !== 'name') this.fail(ctx, attrTok, `expected an attribute name after '->'`);
    const op = ctx.toks[i + 1];
    if (!isOp(op, '=') && !isOp(op, ':=')) this.fail(ctx, op, `expected '=' or ':=' after ${elemTok.text}->${attrTok.text}`);
    const def = this.defs.get(elemTok.text.toLowerCase());
    if (!def || def.kind !== 'elem') this.fail(ctx, elemTok, `'${elemTok.text}' is not a defined element`);
    const attrs = new Map<string, AttrValue>();
    this.attrValue(ctx, attrTok.text.toLowerCase(), i + 2, end, op.text === ':=', attrs, this.at(ctx, attrTok), true);
    this.updateElement(def, attrs);
  }

  private evalNow(e: Expr): number {
    return this.guard(() => evaluate(e, this));
  }

  /** Turns a runaway recursion into a LatticeError. */
  private guard<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof RangeError) throw new LatticeError(`expressions nested too deeply (${err.message})`);
      throw err;
    }
  }

  variable(name: string, pos: SourcePos): number {
    const v = this.vars.get(name);
    if (v) {
      if (!v.deferred) return v.value!;
      return this.deferred(name, v.expr, v.pos);
    }
    if (Object.hasOwn(MADX_CONSTANTS, name)) return MADX_CONSTANTS[name];
    if (this.opts.strict) throw new LatticeError(`undefined variable '${name}'`, pos);
    // MAD-X takes a variable that was never assigned as 0 (real files rely on it): say so once.
    if (!this.undefinedVars.has(name)) {
      this.undefinedVars.add(name);
      this.warnings.push(`${where(pos)}undefined variable '${name}' taken as 0 (as MAD-X does)`);
    }
    return 0;
  }

  attribute(elem: string, attr: string, pos: SourcePos): number {
    const def = this.defs.get(elem);
    if (!def) throw new LatticeError(`'${elem}->${attr}': no element named '${elem}'`, pos);
    if (def.kind === 'seq') {
      if (attr === 'l') return this.deferred(`${elem}->l`, def.length, def.pos);
      throw new LatticeError(`'${elem}->${attr}': a sequence has only L`, pos);
    }
    if (def.kind === 'line') throw new LatticeError(`'${elem}->${attr}': '${elem}' is a line, not an element`, pos);
    const a = def.attrs.get(attr);
    if (!a) return 0; // MAD-X: an attribute not given has its default, 0 for every numeric one
    return this.attrNumber(def, attr, a, pos);
  }

  private attrNumber(def: ElemDef, attr: string, a: AttrValue, pos: SourcePos): number {
    switch (a.kind) {
      case 'expr':
        if (a.value !== undefined) return a.value;
        return this.deferred(`${def.key}->${attr}`, a.expr, a.pos);
      case 'flag':
        throw new LatticeError(`'${def.name}->${attr}' is given without a value`, pos);
      case 'str':
        throw new LatticeError(`'${def.name}->${attr}' is the name '${a.text}', not a number`, pos);
      case 'list':
        throw new LatticeError(`'${def.name}->${attr}' is a list {…}, not a number`, pos);
    }
  }

  /** Value of a deferred expression (cached until the next assignment). */
  private deferred(key: string, e: Expr, defPos: SourcePos): number {
    const c = this.cache.get(key);
    if (c !== undefined) return c;
    this.resolveInOrder(key, e, defPos);
    return this.cache.get(key)!;
  }

  /**
   * Evaluates a deferred expression after everything it depends on, in dependency order, with an
   * explicit stack (a chain of thousands of `a_i := a_{i-1} + …` does not recurse). A dependency
   * already on the current path is a cycle, reported with its variables.
   */
  private resolveInOrder(rootKey: string, rootExpr: Expr, rootPos: SourcePos): void {
    interface Item { key: string; expr: Expr; pos: SourcePos; expanded: boolean }
    const stack: Item[] = [{ key: rootKey, expr: rootExpr, pos: rootPos, expanded: false }];
    const onPath = new Set<string>();
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.expanded) {
        this.cache.set(top.key, evaluate(top.expr, this)); // every dependency is cached by now
        onPath.delete(top.key);
        stack.pop();
        continue;
      }
      if (this.cache.has(top.key)) { stack.pop(); continue; }
      top.expanded = true;
      onPath.add(top.key);
      const refs = references(top.expr);
      for (const dep of [...refs.vars, ...refs.attrs]) {
        if (this.cache.has(dep)) continue;
        const d = this.deferredDefinition(dep);
        if (!d) continue;
        if (onPath.has(dep)) {
          const path = stack.filter((it) => it.expanded).map((it) => it.key);
          const cycle = [...path.slice(path.indexOf(dep)), dep];
          throw new LatticeError(`deferred expressions form a cycle: ${cycle.join(' → ')}`, d.pos);
        }
        stack.push({ key: dep, expr: d.expr, pos: d.pos, expanded: false });
      }
    }
  }

  /** The deferred expression behind a variable name or `elem->attr`, if it is one. */
  private deferredDefinition(key: string): { expr: Expr; pos: SourcePos } | undefined {
    const arrow = key.indexOf('->');
    if (arrow < 0) {
      const v = this.vars.get(key);
      return v?.deferred ? { expr: v.expr, pos: v.pos } : undefined;
    }
    const def = this.defs.get(key.slice(0, arrow));
    const attr = key.slice(arrow + 2);
    if (def?.kind === 'seq' && attr === 'l') return { expr: def.length, pos: def.pos };
    if (def?.kind !== 'elem') return undefined;
    const a = def.attrs.get(attr);
    return a?.kind === 'expr' && a.value === undefined ? { expr: a.expr, pos: a.pos } : undefined;
  }

  // ---- attribute lists ----------------------------------------------------------------------

  /**
   * Parses `, attr [= | := value]` items from toks[i..end). `evalImmediate` evaluates numeric
   * attributes written with `=` now (element definitions and updates).
   */
  private attrList(ctx: FileCtx, i: number, end: number, evalImmediate: boolean): Map<string, AttrValue> {
    const toks = ctx.toks;
    const out = new Map<string, AttrValue>();
    while (i < end) {
      if (!isOp(toks[i], ',')) this.fail(ctx, toks[i], `expected ',' or ';', found ${describeToken(toks[i])}`);
      i++;
      let t = toks[i];
      if (isOp(t, '-') && toks[i + 1].kind === 'name') { i++; t = toks[i]; } // option flags `-echo`
      if (t.kind !== 'name') this.fail(ctx, t, `expected an attribute name, found ${describeToken(t)}`);
      const attr = t.text.toLowerCase();
      const pos = this.at(ctx, t);
      const op = toks[i + 1];
      if (isOp(op, '=') || isOp(op, ':=')) {
        i = this.attrValue(ctx, attr, i + 2, end, op.text === ':=', out, pos, evalImmediate);
      } else {
        out.set(attr, { kind: 'flag', pos });
        i++;
      }
    }
    return out;
  }

  /** Parses one attribute value at toks[i]; returns the index after it. */
  private attrValue(
    ctx: FileCtx, attr: string, i: number, end: number, deferred: boolean,
    out: Map<string, AttrValue>, pos: SourcePos, evalImmediate: boolean,
  ): number {
    const toks = ctx.toks;
    const v = toks[i];
    const after = toks[i + 1];
    const endsHere = i + 1 === end || isOp(after, ',');
    if (v.kind === 'str' || (v.kind === 'name' && endsHere &&
        (STRING_ATTRS.has(attr) || ['true', 'false'].includes(v.text.toLowerCase())))) {
      out.set(attr, { kind: 'str', text: v.text, pos: this.at(ctx, v) });
      return i + 1;
    }
    if (isOp(v, '{')) {
      const items: Expr[] = [];
      let j = i + 1;
      if (!isOp(toks[j], '}')) {
        for (;;) {
          const [e, k] = this.expr(ctx, j, end);
          items.push(e);
          j = k;
          if (isOp(toks[j], ',')) { j++; continue; }
          break;
        }
      }
      if (!isOp(toks[j], '}')) this.fail(ctx, toks[j], `expected '}' to close the list of ${attr}, found ${describeToken(toks[j])}`);
      const val: AttrValue = { kind: 'list', items, deferred, pos };
      if (!deferred && evalImmediate && NUMERIC_ATTRS.has(attr)) val.values = items.map((e) => this.evalNow(e));
      out.set(attr, val);
      return j + 1;
    }
    const [e, j] = this.expr(ctx, i, end);
    if (j !== end && !isOp(toks[j], ',')) this.fail(ctx, toks[j], `unexpected ${describeToken(toks[j])} in the value of ${attr}`);
    const val: AttrValue = { kind: 'expr', expr: e, deferred, pos };
    if (!deferred && evalImmediate && NUMERIC_ATTRS.has(attr)) val.value = this.evalNow(e);
    out.set(attr, val);
    return j;
  }

  private str(a: AttrValue | undefined, what: string): string | undefined {
    if (!a) return undefined;
    if (a.kind === 'str') return a.text;
    if (a.kind === 'expr' && a.expr.k === 'var') return a.expr.name;
    throw new LatticeError(`${what} must be a name`, a.pos);
  }

  // ---- definitions ------------------------------------------------------------------------

  private labelled(ctx: FileCtx, label: Token, i: number, end: number): void {
    const toks = ctx.toks;
    const cls = toks[i];
    if (cls.kind !== 'name') this.fail(ctx, cls, `expected a type or class after '${label.text}:', found ${describeToken(cls)}`);
    const clsKey = cls.text.toLowerCase();
    const key = label.text.toLowerCase();
    const pos = this.at(ctx, label);
    if (clsKey === 'line') {
      if (!isOp(toks[i + 1], '=') || !isOp(toks[i + 2], '(')) this.fail(ctx, toks[i + 1], `expected '= (' after LINE`);
      const [items, j] = this.lineItems(ctx, i + 3, end, 0);
      if (j !== end) this.fail(ctx, toks[j], `unexpected ${describeToken(toks[j])} after the line`);
      this.cache.clear();
      this.defs.set(key, { kind: 'line', name: label.text, key, items, pos });
      this.lastLineOrSeq = key;
      return;
    }
    if (clsKey === 'sequence') {
      if (this.currentSeq) this.fail(ctx, label, `sequence '${label.text}' starts inside sequence '${this.currentSeq.name}' (missing ENDSEQUENCE)`);
      const attrs = this.attrList(ctx, i + 1, end, false);
      const l = attrs.get('l');
      if (!l || l.kind !== 'expr') this.fail(ctx, label, `SEQUENCE '${label.text}' needs L=…`);
      const referText = (this.str(attrs.get('refer'), 'REFER') ?? 'centre').toLowerCase();
      const refer = referText === 'center' ? 'centre' : referText;
      if (refer !== 'centre' && refer !== 'entry' && refer !== 'exit') {
        throw new LatticeError(`REFER must be centre, entry or exit (got '${referText}')`, attrs.get('refer')!.pos);
      }
      const seq: SeqDef = {
        kind: 'seq', name: label.text, key, length: l.expr, refer, nodes: [], pos, closed: false,
        refpos: this.str(attrs.get('refpos'), 'REFPOS')?.toLowerCase(),
      };
      this.cache.clear();
      this.defs.set(key, seq);
      this.currentSeq = seq;
      this.lastLineOrSeq = key;
      return;
    }
    if (SKIPPED.has(clsKey) || Object.hasOwn(NOT_APPLIED, clsKey)) {
      this.skipCommand(clsKey);
      return;
    }
    const attrs = this.attrList(ctx, i + 1, end, true);
    const def = this.defineElement(ctx, label, cls, attrs, pos);
    if (this.currentSeq) this.place(ctx, label, def.key, attrs);
    else if (attrs.has('at')) this.notes.add(`AT outside a sequence is ignored (${label.text})`);
  }

  private defineElement(ctx: FileCtx, label: Token, cls: Token, attrs: Map<string, AttrValue>, pos: SourcePos): ElemDef {
    const key = label.text.toLowerCase();
    const clsKey = cls.text.toLowerCase();
    const own = new Map([...attrs].filter(([k]) => k !== 'at' && k !== 'from'));
    const pragma = this.pragmaFor(ctx);
    this.cache.clear();
    const parent = this.defs.get(clsKey);
    if (clsKey === key && parent?.kind === 'elem') {
      this.updateElement(parent, own);
      return parent;
    }
    let def: ElemDef;
    if (MODELLED.has(clsKey) || UNMODELLED.has(clsKey)) {
      def = { kind: 'elem', name: label.text, key, base: clsKey, unknownClass: false, attrs: own, pos };
    } else if (parent?.kind === 'elem') {
      const inherited = new Map(parent.attrs);
      for (const [k, v] of own) inherited.set(k, v);
      def = { kind: 'elem', name: label.text, key, base: parent.base, unknownClass: parent.unknownClass, attrs: inherited, pos };
    } else if (parent) {
      this.fail(ctx, cls, `'${cls.text}' is a ${parent.kind === 'line' ? 'line' : 'sequence'}, not an element class`);
    } else {
      def = { kind: 'elem', name: label.text, key, base: clsKey, unknownClass: true, attrs: own, pos };
    }
    if (pragma) def.pragma = pragma;
    this.defs.set(key, def);
    return def;
  }

  /** The JSON pragma on the line where the current statement ends, if any. */
  private pragmaFor(ctx: FileCtx): Record<string, unknown> | undefined {
    const line = this.stmtEndLine;
    const p = ctx.pragmaByLine.get(line);
    if (!p) return undefined;
    let v: unknown;
    try {
      v = JSON.parse(p.text);
    } catch (err) {
      throw new LatticeError(`pragma is not valid JSON (${(err as Error).message})`, { file: ctx.file, line: p.line, column: p.column });
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      throw new LatticeError('pragma must be a JSON object', { file: ctx.file, line: p.line, column: p.column });
    }
    return v as Record<string, unknown>;
  }

  private updateElement(def: ElemDef, attrs: Map<string, AttrValue>): void {
    this.cache.clear();
    for (const [k, v] of attrs) {
      if (k === 'at' || k === 'from') continue;
      def.attrs.set(k, v);
    }
  }

  private lineItems(ctx: FileCtx, i: number, end: number, depth: number): [LineItemAst[], number] {
    const toks = ctx.toks;
    if (depth > MAX_LINE_DEPTH) this.fail(ctx, toks[i], `line nested more than ${MAX_LINE_DEPTH} deep`);
    const items: LineItemAst[] = [];
    if (isOp(toks[i], ')')) this.fail(ctx, toks[i], 'empty line ()');
    for (;;) {
      const start = toks[i];
      let reversed = false;
      let times = 1;
      if (isOp(toks[i], '-')) { reversed = true; i++; }
      if (toks[i].kind === 'num' && isOp(toks[i + 1], '*')) {
        const n = toks[i].value;
        if (!Number.isInteger(n) || n < 0) this.fail(ctx, toks[i], `repetition count must be a whole number ≥ 0 (got ${toks[i].text})`);
        times = n;
        i += 2;
        if (isOp(toks[i], '-')) { reversed = !reversed; i++; }
      }
      const t = toks[i];
      const pos = this.at(ctx, start);
      if (t.kind === 'name') {
        items.push({ ref: t.text.toLowerCase(), times, reversed, pos });
        i++;
      } else if (isOp(t, '(')) {
        const [group, j] = this.lineItems(ctx, i + 1, end, depth + 1);
        items.push({ group, times, reversed, pos });
        i = j;
      } else {
        this.fail(ctx, t, `expected an element or line name in the line, found ${describeToken(t)}`);
      }
      if (i >= end) this.fail(ctx, toks[end], `line is not closed by ')'`);
      if (isOp(toks[i], ',')) { i++; continue; }
      if (isOp(toks[i], ')')) return [items, i + 1];
      this.fail(ctx, toks[i], `expected ',' or ')' in the line, found ${describeToken(toks[i])}`);
    }
  }

  // ---- commands -----------------------------------------------------------------------------

  private command(ctx: FileCtx, head: Token, i: number, end: number, depth: number): void {
    const key = head.text.toLowerCase();
    if (this.currentSeq) {
      if (key === 'endsequence') {
        this.currentSeq.closed = true;
        this.currentSeq = undefined;
        return;
      }
      const def = this.defs.get(key);
      if (def && def.kind !== 'line') {
        const attrs = this.attrList(ctx, i, end, false);
        this.place(ctx, head, key, attrs);
        const extra = [...attrs.keys()].filter((k) => k !== 'at' && k !== 'from');
        if (extra.length) {
          this.warnings.push(`${where(this.at(ctx, head))}${extra.join(', ').toUpperCase()} given where '${head.text}' is placed in sequence '${this.currentSeq.name}' is ignored (define a new element to change it)`);
        }
        return;
      }
    }
    switch (key) {
      case 'endsequence':
        this.fail(ctx, head, 'ENDSEQUENCE without SEQUENCE');
      case 'beam':
        this.beamCommand(ctx, this.attrList(ctx, i, end, false));
        return;
      case 'use':
        this.useCommand(ctx, head, this.attrList(ctx, i, end, false));
        return;
      case 'call':
        this.callCommand(ctx, head, i, end, depth);
        return;
      default:
        break;
    }
    if (Object.hasOwn(NOT_APPLIED, key)) {
      this.notes.add(NOT_APPLIED[key]);
      return;
    }
    if (SKIPPED.has(key) || key.startsWith('ptc_')) {
      this.skipCommand(key);
      return;
    }
    const def = this.defs.get(key);
    if (def?.kind === 'elem') {
      this.updateElement(def, this.attrList(ctx, i, end, true));
      return;
    }
    if (def) this.fail(ctx, head, `'${head.text}' is a ${def.kind === 'line' ? 'line' : 'sequence'}; expected a command or an element`);
    this.fail(ctx, head, `unknown command or element '${head.text}' (not defined before this statement)`);
  }

  private skipCommand(key: string): void {
    this.skipped.add(key.toUpperCase());
  }

  private place(ctx: FileCtx, head: Token, target: string, attrs: Map<string, AttrValue>): void {
    const seq = this.currentSeq!;
    const at = attrs.get('at');
    if (!at) this.fail(ctx, head, `'${head.text}' in sequence '${seq.name}' needs AT=…`);
    if (at.kind !== 'expr') throw new LatticeError('AT must be a number or an expression', at.pos);
    const from = this.str(attrs.get('from'), 'FROM')?.toLowerCase();
    seq.nodes.push({ target, at: at.expr, from, pos: this.at(ctx, head) });
  }

  private beamCommand(ctx: FileCtx, attrs: Map<string, AttrValue>): void {
    const num = (k: string): number | undefined => {
      const a = attrs.get(k);
      if (!a) return undefined;
      if (a.kind !== 'expr') throw new LatticeError(`BEAM ${k.toUpperCase()} must be a number`, a.pos);
      return this.evalNow(a.expr);
    };
    const pa = attrs.get('particle');
    let particle = this.beam.particle;
    if (pa) {
      const p = (this.str(pa, 'PARTICLE') ?? '').toLowerCase();
      if (p !== 'electron' && p !== 'positron' && p !== 'proton') {
        throw new LatticeError(`particle '${p}' is not supported (electron, positron or proton)`, pa.pos);
      }
      particle = p;
    } else if (particle === undefined) {
      particle = 'positron'; // MAD-X default particle
    }
    const restGeV = restEnergyEV(particle) * 1e-9;
    const energy = num('energy');
    const pc = num('pc');
    const gamma = num('gamma');
    const given = [energy, pc, gamma].filter((x) => x !== undefined).length;
    const pos = (attrs.get('energy') ?? attrs.get('pc') ?? attrs.get('gamma') ?? pa)?.pos;
    if (given > 1) throw new LatticeError('BEAM: give only one of ENERGY, PC, GAMMA', pos);
    let eGeV: number | undefined;
    if (energy !== undefined) eGeV = energy;
    else if (pc !== undefined) eGeV = Math.sqrt(pc * pc + restGeV * restGeV);
    else if (gamma !== undefined) eGeV = gamma * restGeV;
    if (eGeV !== undefined && !(eGeV > restGeV)) {
      throw new LatticeError(`BEAM energy ${eGeV} GeV is not above the rest energy ${restGeV} GeV`, pos);
    }
    this.beam = {
      particle,
      energyEV: eGeV !== undefined ? eGeV * 1e9 : this.beam.energyEV,
      pos: pos ?? this.beam.pos,
    };
    void ctx;
  }

  private useCommand(ctx: FileCtx, head: Token, attrs: Map<string, AttrValue>): void {
    let name: string | undefined;
    let pos = this.at(ctx, head);
    for (const k of ['period', 'sequence']) {
      const a = attrs.get(k);
      if (a) { name = this.str(a, k.toUpperCase()); pos = a.pos; }
    }
    if (name === undefined) {
      for (const [k, a] of attrs) if (a.kind === 'flag') { name = k; pos = a.pos; }
    }
    if (name === undefined) this.fail(ctx, head, 'USE needs PERIOD=… or SEQUENCE=…');
    const key = name.toLowerCase();
    const def = this.defs.get(key);
    if (!def || def.kind === 'elem') throw new LatticeError(`USE: no line or sequence named '${name}'`, pos);
    this.useName = { key, pos };
  }

  private callCommand(ctx: FileCtx, head: Token, i: number, end: number, depth: number): void {
    const toks = ctx.toks;
    // The file name is taken verbatim: `call, file="a/b.madx";` or `call, file=a/b.madx;`
    if (!(isOp(toks[i], ',') && toks[i + 1].kind === 'name' && toks[i + 1].text.toLowerCase() === 'file' && isOp(toks[i + 2], '='))) {
      this.fail(ctx, head, 'CALL needs FILE=…');
    }
    const v = toks[i + 3];
    let path: string;
    if (v.kind === 'str' && i + 4 === end) path = v.text;
    else path = ctx.text.slice(v.start, toks[end].start).trim();
    if (!path) this.fail(ctx, head, 'CALL: empty file name');
    const full = ctx.file && !path.startsWith('/') ? join(dirname(ctx.file), path) : path;
    let text: string;
    try {
      text = (this.opts.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(full);
    } catch (err) {
      throw new LatticeError(`CALL: cannot read '${full}' (${(err as Error).message})`, this.at(ctx, head));
    }
    if (typeof text !== 'string') throw new LatticeError(`CALL: cannot read '${full}'`, this.at(ctx, head));
    this.load(text, full, depth + 1);
  }

  load(text: string, file: string | undefined, depth: number): void {
    this.run(text, file, depth);
  }

  // ---- building the lattice -----------------------------------------------------------------

  finish(): LoadResult {
    if (this.currentSeq) {
      throw new LatticeError(`sequence '${this.currentSeq.name}' has no ENDSEQUENCE`, this.currentSeq.pos);
    }
    let key: string;
    let usePos: SourcePos | undefined;
    if (this.useName) {
      key = this.useName.key;
      usePos = this.useName.pos;
    } else if (this.opts.use) {
      key = this.opts.use.toLowerCase();
      const d = this.defs.get(key);
      if (!d || d.kind === 'elem') {
        throw new LatticeError(`no line or sequence named '${this.opts.use}' to use`, { file: this.opts.file });
      }
    } else if (this.lastLineOrSeq) {
      key = this.lastLineOrSeq;
    } else {
      throw new LatticeError('the file defines no LINE or SEQUENCE', { file: this.opts.file });
    }
    const def = this.defs.get(key);
    if (!def || def.kind === 'elem') {
      throw new LatticeError(`no line or sequence named '${key}' (redefined as an element after USE?)`, usePos ?? { file: this.opts.file });
    }
    let periodicity = 1;
    let elements: Element[];
    if (def.kind === 'line' && def.items.length === 1 && def.items[0].times > 1 && !def.items[0].reversed) {
      periodicity = def.items[0].times;
      elements = this.guard(() => this.expandItems([{ ...def.items[0], times: 1 }], [def.key]));
    } else {
      elements = this.guard(() => (def.kind === 'line' ? this.expandItems(def.items, [def.key]) : this.expandSequence(def, [])));
    }
    const pPer = this.filePragmas.periodicity;
    if (pPer !== undefined && pPer !== periodicity) {
      this.warnings.push(`pragma periodicity=${JSON.stringify(pPer)} does not match the used line (${periodicity}×); ${periodicity} used`);
    }
    let energyEV = this.beam.energyEV ?? this.opts.energyEV;
    if (typeof this.filePragmas.energyEV === 'number') energyEV = this.filePragmas.energyEV;
    if (energyEV === undefined) {
      throw new LatticeError('no BEAM energy: the file has no BEAM, ENERGY=… (GeV) and no energy was given in the options', { file: this.opts.file });
    }
    if (this.skipped.size) this.warnings.push(`skipped MAD-X commands (not needed for the lattice): ${[...this.skipped].join(', ')}`);
    for (const n of this.notes) this.warnings.push(n);
    for (const [k, n] of this.ignoredAttrs) this.warnings.push(`attribute ${k} is not modelled and was ignored (${n} element${n > 1 ? 's' : ''})`);
    const name = typeof this.filePragmas.name === 'string' ? this.filePragmas.name : def.name;
    const lattice = makeLattice({
      name,
      energyEV,
      particle: this.beam.particle ?? 'electron',
      periodicity,
      elements,
      ...(typeof this.filePragmas.source === 'string' ? { source: this.filePragmas.source } : {}),
    });
    return { lattice, warnings: this.warnings };
  }

  private countItems(items: LineItemAst[], stack: string[], memo: Map<string, number>): number {
    let total = 0;
    for (const it of items) {
      let n: number;
      if (it.group) n = this.countItems(it.group, stack, memo);
      else n = this.countRef(it, stack, memo);
      total += n * it.times;
      if (total > MAX_ELEMENTS) throw new LatticeError(`the line expands to more than ${MAX_ELEMENTS} elements`, it.pos);
    }
    return total;
  }

  private countRef(it: LineItemAst, stack: string[], memo: Map<string, number>): number {
    const key = it.ref!;
    const m = memo.get(key);
    if (m !== undefined) return m;
    const d = this.defs.get(key);
    if (!d) throw new LatticeError(`line refers to '${key}', which is not defined`, it.pos);
    if (d.kind !== 'line') return d.kind === 'elem' ? 1 : 1; // sequences are counted when expanded
    if (stack.includes(key)) throw new LatticeError(`line '${d.name}' contains itself (${[...stack, key].join(' → ')})`, it.pos);
    if (stack.length > MAX_LINE_DEPTH) throw new LatticeError(`lines nested more than ${MAX_LINE_DEPTH} deep`, it.pos);
    const n = this.countItems(d.items, [...stack, key], memo);
    memo.set(key, n);
    return n;
  }

  private expandItems(items: LineItemAst[], stack: string[]): Element[] {
    this.countItems(items, stack, new Map());
    const out: Element[] = [];
    this.expandInto(items, stack, out);
    return out;
  }

  private expandInto(items: LineItemAst[], stack: string[], out: Element[]): void {
    for (const it of items) {
      const once: Element[] = [];
      if (it.group) {
        this.expandInto(it.group, stack, once);
      } else {
        const d = this.defs.get(it.ref!)!;
        if (d.kind === 'elem') once.push(this.element(d));
        else if (d.kind === 'line') this.expandInto(d.items, [...stack, d.key], once);
        else once.push(...this.expandSequence(d, stack));
      }
      if (it.reversed) once.reverse();
      for (let k = 0; k < it.times; k++) {
        for (const e of once) out.push(e);
        if (out.length > MAX_ELEMENTS) throw new LatticeError(`the line expands to more than ${MAX_ELEMENTS} elements`, it.pos);
      }
    }
  }

  /** Flattens a sequence (with sub-sequences) into placed elements, then inserts the drifts. */
  private expandSequence(seq: SeqDef, stack: string[]): Element[] {
    const placed: { el: Element; name: string; centre: number; len: number; pos: SourcePos }[] = [];
    this.placeNodes(seq, 0, [...stack, seq.key], placed);
    const total = this.deferred(`${seq.key}->l`, seq.length, seq.pos);
    const out: Element[] = [];
    let prev: { name: string; centre: number; len: number; pos?: SourcePos } = { name: `the start of sequence '${seq.name}'`, centre: 0, len: 0 };
    let nDrift = 0;
    const endMark = { el: undefined as unknown as Element, name: `the end of sequence '${seq.name}' (L = ${total} m)`, centre: total, len: 0, pos: seq.pos };
    for (const p of [...placed, endMark]) {
      const begin = prev.centre + prev.len / 2;
      const stop = p.centre - p.len / 2;
      const gap = stop - begin;
      if (Math.abs(gap + total) < DRIFT_TOL_M) {
        // MAD-X: a drift of exactly minus the ring length is the wrap-around; nothing inserted
      } else if (gap < -DRIFT_TOL_M) {
        if (p === endMark) {
          throw new LatticeError(`${prev.name} ends at s = ${begin} m, beyond ${p.name}`, prev.pos ?? seq.pos);
        }
        throw new LatticeError(
          `${p.name} (from s = ${stop} m) overlaps ${prev.name} (up to s = ${begin} m) by ${-gap} m`,
          p.pos,
        );
      } else if (gap > DRIFT_TOL_M) {
        out.push(makeElement({ type: 'drift', name: `DRIFT_${nDrift++}`, length: gap }));
      }
      if (p !== endMark) out.push(p.el);
      prev = p;
    }
    return out;
  }

  private placeNodes(
    seq: SeqDef, offset: number, stack: string[],
    out: { el: Element; name: string; centre: number; len: number; pos: SourcePos }[],
  ): void {
    if (stack.length > MAX_LINE_DEPTH) throw new LatticeError('sequences nested too deeply', seq.pos);
    const fact = seq.refer === 'entry' ? 0.5 : seq.refer === 'exit' ? -0.5 : 0;
    const centres = new Map<SeqNode, number>();
    const busy = new Set<SeqNode>();
    const lengthOf = (n: SeqNode): number => {
      const d = this.defs.get(n.target);
      if (!d) throw new LatticeError(`'${n.target}' in sequence '${seq.name}' is not defined`, n.pos);
      if (d.kind === 'elem') return arcLength(this.element(d));
      if (d.kind === 'seq') return this.deferred(`${d.key}->l`, d.length, d.pos);
      throw new LatticeError(`'${d.name}' is a line; a sequence holds elements and sequences`, n.pos);
    };
    const centreOf = (n: SeqNode): number => {
      const c = centres.get(n);
      if (c !== undefined) return c;
      if (busy.has(n)) throw new LatticeError(`FROM references form a cycle at '${n.target}'`, n.pos);
      busy.add(n);
      let pos = this.deferred(`${seq.key}@${seq.nodes.indexOf(n)}`, n.at, n.pos);
      pos += fact * lengthOf(n);
      if (n.from) {
        const ref = seq.nodes.find((m) => m.target === n.from);
        if (!ref) throw new LatticeError(`FROM='${n.from}' is not an element of sequence '${seq.name}'`, n.pos);
        pos += centreOf(ref);
      }
      busy.delete(n);
      centres.set(n, pos);
      return pos;
    };
    for (const n of seq.nodes) {
      const d = this.defs.get(n.target)!;
      const centre = centreOf(n);
      if (d.kind === 'seq') {
        if (stack.includes(d.key)) throw new LatticeError(`sequence '${d.name}' contains itself`, n.pos);
        const subLen = lengthOf(n);
        let refpos = subLen / 2;
        if (d.refpos) {
          const inner: typeof out = [];
          this.placeNodes(d, 0, [...stack, d.key], inner);
          const r = inner.find((x) => x.name.toLowerCase() === d.refpos);
          if (!r) throw new LatticeError(`REFPOS='${d.refpos}' is not an element of sequence '${d.name}'`, d.pos);
          refpos = r.centre;
        }
        this.placeNodes(d, offset + centre - refpos, [...stack, d.key], out);
      } else {
        const el = this.element(d as ElemDef);
        out.push({ el, name: el.name, centre: offset + centre, len: arcLength(el), pos: n.pos });
      }
    }
  }

  // ---- element conversion ---------------------------------------------------------------------

  private element(def: ElemDef): Element {
    const done = this.converted.get(def);
    if (done) return done;
    const el = this.convert(def);
    this.converted.set(def, el);
    return el;
  }

  private convert(def: ElemDef): Element {
    const used = new Set<string>(['at', 'from']);
    const num = (k: string, dflt = 0): number => {
      used.add(k);
      const a = def.attrs.get(k);
      if (!a) return dflt;
      return this.attrNumber(def, k, a, a.pos);
    };
    const has = (k: string) => def.attrs.has(k);
    const list = (k: string): number[] => {
      used.add(k);
      const a = def.attrs.get(k);
      if (!a) return [];
      if (a.kind === 'list') {
        if (a.values) return [...a.values];
        return a.items.map((e, idx) => this.deferred(`${def.key}->${k}[${idx}]`, e, a.pos));
      }
      if (a.kind === 'expr') return [this.attrNumber(def, k, a, a.pos)];
      throw new LatticeError(`${k.toUpperCase()} of '${def.name}' must be a list {…}`, a.pos);
    };
    /** TILT; a flag without value is MAD-X's skew angle π/(2(n+1)) for a multipole of order n. */
    const tilt = (order: number): number => {
      used.add('tilt');
      const a = def.attrs.get('tilt');
      if (a?.kind === 'flag') {
        this.warnings.push(`${where(def.pos)}element '${def.name}': TILT without a value taken as π/${2 * (order + 1)} (the MAD-8 convention; MAD-X wants a value)`);
        return Math.PI / (2 * (order + 1));
      }
      return num('tilt');
    };
    /** MAD-X 5.09 element misalignments DX, DY (same sign as ours: the magnet moved by +dx). */
    const misalign = () => ({ dx: num('dx'), dy: num('dy') });
    const typeName = def.base.toUpperCase();
    const spec: Record<string, unknown> = { name: def.name };
    const length = num('l');
    const base = def.unknownClass ? '?' : def.base;
    switch (base) {
      case 'drift':
        Object.assign(spec, { type: 'drift', length });
        if (has('apertype') || has('aperture')) this.aperture(def, spec, length, used, 'rectangular');
        break;
      case 'marker':
        Object.assign(spec, { type: 'marker', length });
        if (has('apertype') || has('aperture')) this.aperture(def, spec, length, used, 'rectangular');
        break;
      case 'monitor': case 'hmonitor': case 'vmonitor': case 'instrument':
        Object.assign(spec, { type: 'monitor', length });
        break;
      case 'rcollimator': case 'ecollimator': case 'collimator':
        if (!this.aperture(def, spec, length, used, base === 'ecollimator' ? 'elliptical' : 'rectangular')) {
          Object.assign(spec, { type: length > 0 ? 'drift' : 'marker', length, comment: `${typeName} without an aperture` });
          this.warnings.push(`${where(def.pos)}element '${def.name}': ${typeName} gives no aperture; it became a ${spec.type as string}${length > 0 ? ` of ${length} m` : ''}`);
        }
        break;
      case 'sbend': case 'rbend': {
        const angle = num('angle');
        Object.assign(spec, {
          type: base, length, angle, k1: num('k1'), k1s: num('k1s'), k2: num('k2'), k2s: num('k2s'),
          k3: num('k3'), k3s: num('k3s'), e1: num('e1'), e2: num('e2'), hgap: num('hgap'),
          fint: def.attrs.get('fint')?.kind === 'flag' ? 0.5 : num('fint'), tilt: tilt(0), ...misalign(),
        });
        used.add('fint');
        spec.fintx = has('fintx') ? num('fintx') : spec.fint; // MAD-X: FINTX defaults to FINT
        if (has('k0')) {
          const k0 = num('k0');
          // Curvature along the arc (an rbend's L is its chord: arc = L·(θ/2)/sin(θ/2)).
          const arc = base === 'rbend' && angle !== 0 ? (length * angle) / 2 / Math.sin(angle / 2) : length;
          const h = arc > 0 ? angle / arc : NaN;
          if (!(Math.abs(k0 - h) <= 1e-12 * Math.max(Math.abs(k0), Math.abs(h)))) {
            this.warnings.push(`${where(def.pos)}element '${def.name}': K0 = ${k0} differs from ANGLE/L = ${h}${base === 'rbend' ? ' (L of the arc)' : ''}; the bend uses ANGLE (K0 − ANGLE/L is a field error not modelled)`);
          }
        }
        break;
      }
      case 'quadrupole': case 'sextupole': case 'octupole': {
        const order = base === 'quadrupole' ? 1 : base === 'sextupole' ? 2 : 3;
        const k = { k1: num('k1'), k1s: num('k1s'), k2: num('k2'), k2s: num('k2s'), k3: num('k3'), k3s: num('k3s') };
        const t = tilt(order);
        if (length > 0) {
          Object.assign(spec, { type: base, length, ...k, tilt: t, ...misalign() });
        } else {
          // A zero-length magnet is a thin multipole with knl[n] = Kn·L (= 0 for L = 0, as in MAD-X).
          Object.assign(spec, {
            type: 'multipole', length: 0, tilt: t, ...misalign(), comment: `zero-length ${typeName}`,
            knl: [0, k.k1 * length, k.k2 * length, k.k3 * length].slice(0, order + 1),
            ksl: [0, k.k1s * length, k.k2s * length, k.k3s * length].slice(0, order + 1),
          });
        }
        break;
      }
      case 'multipole':
        // MAD-X multipoles are thin: el_par_value returns L = 0 whatever is given.
        if (length !== 0) this.warnings.push(`${where(def.pos)}element '${def.name}': a MULTIPOLE is thin; L = ${length} m ignored (as MAD-X does)`);
        Object.assign(spec, { type: 'multipole', length: 0, knl: list('knl'), ksl: list('ksl'), tilt: tilt(0), ...misalign() });
        break;
      case 'hkicker':
        Object.assign(spec, { type: 'hkicker', length, kick: has('kick') ? num('kick') : num('hkick'), tilt: tilt(0), ...misalign() });
        break;
      case 'vkicker':
        Object.assign(spec, { type: 'vkicker', length, kick: has('kick') ? num('kick') : num('vkick'), tilt: tilt(0), ...misalign() });
        break;
      case 'kicker': case 'tkicker':
        Object.assign(spec, { type: 'kicker', length, hkick: num('hkick'), vkick: num('vkick'), tilt: tilt(0), ...misalign() });
        break;
      case 'rfcavity':
        Object.assign(spec, {
          type: 'rfcavity', length, voltage: num('volt') * 1e6, frequency: num('freq') * 1e6,
          harmonic: num('harmon'), lag: num('lag'),
        });
        break;
      default: {
        // Types we cannot model, and unknown classes: a drift (or a marker) in the right place.
        const what = def.unknownClass ? `unknown class ${typeName}` : typeName;
        const type = length > 0 ? 'drift' : 'marker';
        Object.assign(spec, { type, length, comment: `MAD-X ${what} (not modelled)` });
        this.warnings.push(`${where(def.pos)}element '${def.name}': ${what} is not modelled; it became a ${type}${length > 0 ? ` of ${length} m` : ''}`);
        for (const k of def.attrs.keys()) used.add(k);
      }
    }
    for (const k of def.attrs.keys()) {
      if (used.has(k) || SILENT_ATTRS.has(k)) continue;
      const label = `${typeName} ${k.toUpperCase()}`;
      this.ignoredAttrs.set(label, (this.ignoredAttrs.get(label) ?? 0) + 1);
    }
    if (def.pragma) this.applyPragma(def, spec);
    return makeElement(spec, def.pos);
  }

  /** Fills an aperture from APERTYPE/APERTURE (or XSIZE/YSIZE); false if none is given. */
  private aperture(def: ElemDef, spec: Record<string, unknown>, length: number, used: Set<string>, dflt: 'rectangular' | 'elliptical'): boolean {
    for (const k of ['apertype', 'aperture', 'xsize', 'ysize']) used.add(k);
    const typeAttr = def.attrs.get('apertype');
    let shape = dflt;
    let limits: number[] | undefined;
    if (typeAttr) {
      const t = (this.str(typeAttr, 'APERTYPE') ?? '').toLowerCase();
      if (t === 'rectangle') shape = 'rectangular';
      else if (t === 'ellipse' || t === 'circle') shape = 'elliptical';
      else throw new LatticeError(`APERTYPE '${t}' is not modelled (rectangle, ellipse or circle)`, typeAttr.pos);
      const ap = def.attrs.get('aperture');
      if (ap) {
        if (ap.kind !== 'list') throw new LatticeError('APERTURE must be a list {…}', ap.pos);
        limits = ap.values ? [...ap.values] : ap.items.map((e, i) => this.deferred(`${def.key}->aperture[${i}]`, e, ap.pos));
        if (t === 'circle') limits = [limits[0], limits[0]];
        if (limits.length < 2 || limits[0] === undefined) throw new LatticeError(`APERTURE needs ${t === 'circle' ? 1 : 2} values`, ap.pos);
      }
    } else if (def.attrs.has('xsize') || def.attrs.has('ysize')) {
      const get = (k: string) => {
        const a = def.attrs.get(k);
        return a ? this.attrNumber(def, k, a, a.pos) : 0;
      };
      limits = [get('xsize'), get('ysize')];
    } else if (def.attrs.has('aperture')) {
      // APERTYPE defaults to circle in MAD-X (mad_dict.c).
      const ap = def.attrs.get('aperture')!;
      if (ap.kind !== 'list') throw new LatticeError('APERTURE must be a list {…}', ap.pos);
      const r = ap.values ? ap.values[0] : ap.items.length ? this.deferred(`${def.key}->aperture[0]`, ap.items[0], ap.pos) : undefined;
      if (r === undefined) throw new LatticeError('APERTURE needs a radius', ap.pos);
      shape = 'elliptical';
      limits = [r, r];
    }
    if (!limits) return false;
    for (const k of Object.keys(spec)) if (k !== 'name') delete spec[k];
    Object.assign(spec, { type: 'aperture', length, shape, xLimit: limits[0], yLimit: limits[1] });
    return true;
  }

  private applyPragma(def: ElemDef, spec: Record<string, unknown>): void {
    const p = def.pragma!;
    const type = p.type ?? spec.type;
    if (typeof type !== 'string' || !Object.hasOwn(ELEMENT_FIELDS, type)) {
      throw new LatticeError(`pragma type ${JSON.stringify(type)} is not an element type`, { ...def.pos, element: def.name, field: 'type' });
    }
    if (type !== spec.type) {
      // Keep only the fields the new type has (the MAD-X stand-in may carry others).
      const fields = ELEMENT_FIELDS[type as ElementType];
      for (const k of Object.keys(spec)) if (!(k in fields)) delete spec[k];
    }
    for (const [k, v] of Object.entries(p)) {
      if (k === '__proto__') throw new LatticeError('pragma key __proto__ is not a field', { ...def.pos, element: def.name });
      spec[k] = v;
    }
    spec.type = type;
  }
}

function where(p: SourcePos): string {
  return `${p.file ? `${p.file}:` : 'line '}${p.line}:${p.column}: `;
}

function isOp(t: Token | undefined, s: string): boolean {
  return t !== undefined && t.kind === 'op' && t.text === s;
}

export interface MadxOptions extends ParseOptions {
  /**
   * An undefined variable is an error. By default it is 0 with a warning naming where it is used,
   * as MAD-X does (real lattice files rely on it, e.g. SLS 2.0's unset corrector knobs).
   */
  strict?: boolean;
}

/**
 * Reads MAD-X text into a lattice. `opts.file` names the file in messages and anchors CALL;
 * `opts.use` picks the line/sequence when the file has no USE; `opts.energyEV` is the energy when
 * the file has no BEAM energy.
 */
export function parseMadx(text: string, opts: MadxOptions = {}): LoadResult {
  const r = new Reader(opts);
  try {
    r.load(text, opts.file, 0);
    return r.finish();
  } catch (err) {
    if (err instanceof RangeError) {
      throw new LatticeError(`input too deeply nested (${err.message})`, { file: opts.file });
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Writer

/** Shortest text that reads back to the same double (keeps the sign of −0). */
function num(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

/** True if `String(x / scale)` read back and multiplied by scale gives x exactly. */
function scalesExactly(x: number, scale: number): boolean {
  return Number(num(x / scale)) * scale === x;
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_.]*$/;
const RESERVED = new Set([
  ...MODELLED, ...UNMODELLED, ...SKIPPED, ...Object.keys(NOT_APPLIED), ...Object.keys(MADX_CONSTANTS),
  'line', 'sequence', 'endsequence', 'beam', 'use', 'call', 'return', 'exit', 'stop', 'quit', 'if',
  'else', 'elseif', 'while', 'macro', 'match', 'endmatch', 'seqedit', 'endedit', 'shared', 'real',
  'int', 'const', 'true', 'false',
]);

/** Fields of each type that are written as MAD-X attributes (the rest goes to the pragma). */
function madxAttrs(e: Element): { type: string; attrs: [string, string][]; pragma: Record<string, unknown> } {
  const attrs: [string, string][] = [];
  const pragma: Record<string, unknown> = {};
  const rec = e as unknown as Record<string, unknown>;
  const handled = new Set(['name', 'type']);
  const put = (attr: string, field: string, opts: { scale?: number; keepZero?: boolean } = {}) => {
    handled.add(field);
    const v = rec[field] as number;
    if (v === 0 && !Object.is(v, -0) && !opts.keepZero) return;
    if (opts.scale && !scalesExactly(v, opts.scale)) { pragma[field] = v; return; }
    attrs.push([attr, num(opts.scale ? v / opts.scale : v)]);
  };
  let type: string;
  switch (e.type) {
    case 'drift': type = 'DRIFT'; put('L', 'length', { keepZero: true }); break;
    case 'marker': type = 'MARKER'; handled.add('length'); break;
    case 'monitor': type = 'MONITOR'; put('L', 'length'); break;
    case 'sbend': case 'rbend':
      type = e.type.toUpperCase();
      put('L', 'length'); put('ANGLE', 'angle'); put('K1', 'k1'); put('K1S', 'k1s'); put('K2', 'k2');
      put('E1', 'e1'); put('E2', 'e2'); put('HGAP', 'hgap'); put('FINT', 'fint');
      handled.add('fintx');
      if (e.fintx !== e.fint || Object.is(e.fintx, -0) !== Object.is(e.fint, -0)) attrs.push(['FINTX', num(e.fintx)]);
      put('TILT', 'tilt');
      break;
    case 'quadrupole': type = 'QUADRUPOLE'; put('L', 'length'); put('K1', 'k1'); put('K1S', 'k1s'); put('TILT', 'tilt'); break;
    case 'sextupole': type = 'SEXTUPOLE'; put('L', 'length'); put('K2', 'k2'); put('K2S', 'k2s'); put('TILT', 'tilt'); break;
    case 'octupole': type = 'OCTUPOLE'; put('L', 'length'); put('K3', 'k3'); put('K3S', 'k3s'); put('TILT', 'tilt'); break;
    case 'multipole':
      type = 'MULTIPOLE'; // thin in MAD-X: a length of ours goes to the pragma
      handled.add('knl'); handled.add('ksl');
      if (e.knl.length) attrs.push(['KNL', `{${e.knl.map(num).join(', ')}}`]);
      if (e.ksl.length) attrs.push(['KSL', `{${e.ksl.map(num).join(', ')}}`]);
      put('TILT', 'tilt');
      break;
    case 'hkicker': case 'vkicker':
      type = e.type.toUpperCase(); put('L', 'length'); put('KICK', 'kick'); put('TILT', 'tilt'); break;
    case 'kicker':
      type = 'KICKER'; put('L', 'length'); put('HKICK', 'hkick'); put('VKICK', 'vkick'); put('TILT', 'tilt'); break;
    case 'rfcavity':
      type = 'RFCAVITY'; put('L', 'length'); put('VOLT', 'voltage', { scale: 1e6 }); put('FREQ', 'frequency', { scale: 1e6 });
      put('HARMON', 'harmonic'); put('LAG', 'lag');
      break;
    case 'aperture':
      type = 'COLLIMATOR'; put('L', 'length');
      handled.add('shape'); handled.add('xLimit'); handled.add('yLimit');
      attrs.push(['APERTYPE', e.shape === 'rectangular' ? 'RECTANGLE' : 'ELLIPSE']);
      attrs.push(['APERTURE', `{${num(e.xLimit)}, ${num(e.yLimit)}}`]);
      break;
    case 'undulator':
      // MAD-X has no undulator: a drift of the same length, the device in the pragma.
      type = 'DRIFT'; put('L', 'length', { keepZero: true });
      pragma.type = 'undulator';
      break;
  }
  // Everything not written as a MAD-X attribute, and not at its default, goes to the pragma.
  const fields = ELEMENT_FIELDS[e.type];
  for (const [k, spec] of Object.entries(fields)) {
    if (handled.has(k) || rec[k] === undefined) continue;
    const v = rec[k];
    if (spec.def !== undefined && v === spec.def && !Object.is(v, -0)) continue;
    pragma[k] = v;
  }
  return { type, attrs, pragma };
}

function elementKey(e: Element): string {
  const rec = e as unknown as Record<string, unknown>;
  return JSON.stringify(Object.keys(rec).sort().map((k) => [k, Array.isArray(rec[k]) ? (rec[k] as number[]).map(num) : typeof rec[k] === 'number' ? num(rec[k] as number) : rec[k]]));
}

/**
 * Writes a lattice as MAD-X: each distinct element defined once, one LINE for the period, and the
 * ring as `periodicity*period`. Numbers are written with String(x) (shortest round trip).
 */
export function writeMadx(lat: Lattice): string {
  // Distinct elements, in order of first appearance.
  const distinct = new Map<string, { el: Element; madName: string }>();
  const order: string[] = [];
  for (const e of lat.elements) {
    const k = elementKey(e);
    if (!distinct.has(k)) { distinct.set(k, { el: e, madName: '' }); order.push(k); }
  }
  // Names: an element keeps its own name if MAD-X can read it and nobody else took it.
  const taken = new Set<string>([...RESERVED]);
  for (const k of order) {
    const d = distinct.get(k)!;
    const lower = d.el.name.toLowerCase();
    if (NAME_RE.test(d.el.name) && d.el.name.length <= 40 && !taken.has(lower)) {
      d.madName = d.el.name;
      taken.add(lower);
    }
  }
  for (const k of order) {
    const d = distinct.get(k)!;
    if (d.madName) continue;
    let stem = d.el.name.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, 36);
    if (!/^[A-Za-z]/.test(stem)) stem = `E_${stem}`;
    let n = 1;
    let cand = stem;
    while (taken.has(cand.toLowerCase())) cand = `${stem}_${++n}`;
    d.madName = cand;
    taken.add(cand.toLowerCase());
  }
  const fresh = (stem: string) => {
    let cand = stem;
    let n = 2;
    while (taken.has(cand.toLowerCase())) cand = `${stem}_${n++}`;
    taken.add(cand.toLowerCase());
    return cand;
  };
  const cellName = fresh('CELL');
  const ringName = fresh('RING');

  const out: string[] = [];
  out.push(`! ${lat.name}: MAD-X lattice written by nanoterasu`);
  out.push('! Lines "! nanoterasu: …" are pragmas: nanoterasu reads them back, MAD-X ignores them.');
  out.push(`! nanoterasu: periodicity=${lat.periodicity}`);
  out.push(`! nanoterasu: name=${JSON.stringify(lat.name)}`);
  if (lat.source !== undefined) out.push(`! nanoterasu: source=${JSON.stringify(lat.source)}`);
  const eGeV = lat.energyEV / 1e9;
  if (!scalesExactly(lat.energyEV, 1e9)) out.push(`! nanoterasu: energyEV=${num(lat.energyEV)}`);
  out.push(`BEAM, PARTICLE=${lat.particle.toUpperCase()}, ENERGY=${num(eGeV)};`);
  out.push('');
  for (const k of order) {
    const d = distinct.get(k)!;
    const { type, attrs, pragma } = madxAttrs(d.el);
    if (d.madName !== d.el.name) pragma.name = d.el.name;
    let line = `${d.madName}: ${type}`;
    for (const [a, v] of attrs) line += `, ${a}=${v}`;
    line += ';';
    if (Object.keys(pragma).length) line += ` ! nanoterasu: ${JSON.stringify(pragma)}`;
    out.push(line);
  }
  out.push('');
  const names = lat.elements.map((e) => distinct.get(elementKey(e))!.madName);
  const rows: string[] = [];
  for (let i = 0; i < names.length; i += 8) rows.push(names.slice(i, i + 8).join(', '));
  out.push(`${cellName}: LINE=(${rows.join(',\n  ')});`);
  out.push(lat.periodicity > 1 ? `${ringName}: LINE=(${lat.periodicity}*${cellName});` : `${ringName}: LINE=(${cellName});`);
  out.push(`USE, PERIOD=${ringName};`);
  return `${out.join('\n')}\n`;
}

export const madxFormat: LatticeFormat = {
  name: 'madx',
  extensions: ['.madx', '.seq', '.mad'],
  parse: parseMadx,
  write: writeMadx,
};
