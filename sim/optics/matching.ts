/**
 * Matching: fit magnet families to optics targets by Levenberg–Marquardt least squares
 * (K. Levenberg, Q. Appl. Math. 2 (1944) 164; D. Marquardt, SIAM J. Appl. Math. 11 (1963) 431;
 * Marquardt's diagonal scaling, λ adapted ×1/3 on success, ×4 on failure), with a forward-difference
 * Jacobian and optional bounds (steps projected into the box).
 *
 * A variable is a family: every element whose name matches (exact name, a glob with * and ?, or
 * /regex/) is powered together. The variable's value is the strength of the first member; the
 * other members keep their ratio to it (identical magnets in series have equal strengths, and a
 * family with different lengths scales together as one power supply would).
 * Targets: full tunes (with the integer part), chromaticities, β, α, η, η' at the entrance of a
 * named element (first occurrence in the period; 'END' = end of the period).
 * The result lists every target with its value and residual; targets not met within their
 * tolerance are listed in `missed` with the amount.
 */
import { withFields, type Element } from '../../lattice/elements.ts';
import { makeLattice, type Lattice } from '../../lattice/lattice.ts';
import { chromaticityFromOrbits } from './chromaticity.ts';
import { compileLattice, OpticsError } from './maps.ts';
import { linearOptics, type LinearOptics } from './twiss.ts';

export type StrengthField = 'k1' | 'k2' | 'k3' | 'k1s' | 'k2s' | 'k3s';

export interface MatchVariable {
  /** Element name, glob (QF*, Q?1) or /regex/. */
  family: string;
  /** Strength to vary; default k1 (k2 when every member is a sextupole, k3 for octupoles). */
  field?: StrengthField;
  min?: number;
  max?: number;
}

export type TargetKind = 'tune' | 'chromaticity' | 'beta' | 'alpha' | 'eta' | 'etap';

export interface MatchTarget {
  kind: TargetKind;
  plane: 'x' | 'y';
  /** Element name for β, α, η, η' (entrance of its first occurrence; 'END' = end of the period). */
  at?: string;
  value: number;
  weight?: number;
  /** Accepted |value − goal|; default: tunes 1e-9, chromaticity 1e-6 (above its finite-difference noise), others 1e-9 · max(1, |goal|). */
  tolerance?: number;
}

export interface MatchOptions {
  maxIterations?: number;
}

export interface TargetResult {
  target: MatchTarget;
  label: string;
  achieved: number;
  residual: number;
  met: boolean;
}

export interface MatchResult {
  lattice: Lattice;
  variables: Array<{ family: string; field: StrengthField; members: number; initial: number; final: number }>;
  targets: TargetResult[];
  missed: TargetResult[];
  iterations: number;
  evaluations: number;
  /** Σ (weight · residual)². */
  cost: number;
}

/** Compiles a family pattern to a predicate on names. */
export function familyMatcher(pattern: string): (name: string) => boolean {
  if (pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/')) {
    let re: RegExp;
    try {
      re = new RegExp(pattern.slice(1, -1));
    } catch (err) {
      throw new OpticsError(`family pattern ${pattern} is not a valid regular expression (${(err as Error).message})`, { field: 'family' });
    }
    return (n) => re.test(n);
  }
  if (/[*?]/.test(pattern)) {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    return (n) => re.test(n);
  }
  return (n) => n === pattern;
}

interface ResolvedVariable {
  family: string;
  field: StrengthField;
  indices: number[];
  /** Original strengths of the members. */
  base: number[];
  initial: number;
  min: number;
  max: number;
}

function resolveVariables(lat: Lattice, vars: readonly MatchVariable[]): ResolvedVariable[] {
  const taken = new Map<number, string>();
  return vars.map((v) => {
    const test = familyMatcher(v.family);
    const indices: number[] = [];
    lat.elements.forEach((e, i) => { if (test(e.name)) indices.push(i); });
    if (indices.length === 0) throw new OpticsError(`family '${v.family}' matches no element of lattice '${lat.name}'`, { field: 'family' });
    const first = lat.elements[indices[0]];
    const field: StrengthField = v.field ?? (first.type === 'sextupole' ? 'k2' : first.type === 'octupole' ? 'k3' : 'k1');
    const base = indices.map((i) => {
      const e = lat.elements[i] as unknown as Record<string, unknown>;
      if (typeof e[field] !== 'number') {
        throw new OpticsError(`family '${v.family}': a ${lat.elements[i].type} has no field ${field}`, { element: lat.elements[i].name, field });
      }
      const other = taken.get(i);
      if (other !== undefined) throw new OpticsError(`element belongs to two variable families ('${other}' and '${v.family}')`, { element: lat.elements[i].name });
      taken.set(i, v.family);
      return e[field] as number;
    });
    if (base[0] === 0 && base.some((b) => b !== 0)) {
      throw new OpticsError(`family '${v.family}': the first member has ${field} = 0 but others do not (cannot scale together)`, { element: first.name, field });
    }
    const min = v.min ?? -Infinity, max = v.max ?? Infinity;
    if (!(min <= max)) throw new OpticsError(`family '${v.family}': min ${min} is above max ${max}`, { field: 'min' });
    return { family: v.family, field, indices, base, initial: base[0], min, max };
  });
}

function applyValues(lat: Lattice, vars: readonly ResolvedVariable[], x: readonly number[]): Lattice {
  const els: Element[] = [...lat.elements];
  vars.forEach((v, j) => {
    v.indices.forEach((i, m) => {
      const value = v.base[0] === 0 ? x[j] : (v.base[m] / v.base[0]) * x[j];
      els[i] = withFields(lat.elements[i], { [v.field]: value });
    });
  });
  return makeLattice({ ...lat, elements: els });
}

function labelOf(t: MatchTarget): string {
  const sym = { tune: 'Q', chromaticity: 'ξ', beta: 'β', alpha: 'α', eta: 'η', etap: "η'" }[t.kind];
  return `${sym}${t.plane}${t.at !== undefined ? ` at ${t.at}` : ''}`;
}

function locate(opt: LinearOptics, at: string | undefined, t: MatchTarget): number {
  if (at === undefined) throw new OpticsError(`target ${labelOf(t)} needs 'at' (an element name)`, { field: 'at' });
  const i = opt.twiss.names.indexOf(at);
  if (i < 0) throw new OpticsError(`target ${labelOf(t)}: no element named '${at}'`, { field: 'at' });
  return i;
}

/** Evaluates every target on a lattice. */
export function evaluateTargets(lat: Lattice, targets: readonly MatchTarget[]): number[] {
  const ring = compileLattice(lat);
  const opt = linearOptics(ring);
  const needChrom = targets.some((t) => t.kind === 'chromaticity');
  const chrom = needChrom ? chromaticityFromOrbits(ring, opt.orbits.plus, opt.orbits.minus) : [0, 0];
  const tw = opt.twiss;
  return targets.map((t) => {
    const p = t.plane === 'x' ? 0 : 1;
    switch (t.kind) {
      case 'tune': return opt.tunes[p];
      case 'chromaticity': return chrom[p];
      case 'beta': return (p ? tw.betaY : tw.betaX)[locate(opt, t.at, t)];
      case 'alpha': return (p ? tw.alphaY : tw.alphaX)[locate(opt, t.at, t)];
      case 'eta': return (p ? tw.etaY : tw.etaX)[locate(opt, t.at, t)];
      case 'etap': return (p ? tw.etaPY : tw.etaPX)[locate(opt, t.at, t)];
      default: throw new OpticsError(`unknown target kind '${(t as MatchTarget).kind}'`);
    }
  });
}

/** Solves A x = b (n×n, partial pivoting); null if singular. */
function solveN(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = A.map((row, r) => [...row, b[r]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (!(Math.abs(m[p][c]) > 0)) return null;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

/** Fits the variables to the targets. Throws if the starting lattice itself has no stable optics. */
export function match(lat: Lattice, variables: readonly MatchVariable[], targets: readonly MatchTarget[], opts: MatchOptions = {}): MatchResult {
  if (variables.length === 0) throw new OpticsError('a matching problem needs at least one variable');
  if (targets.length === 0) throw new OpticsError('a matching problem needs at least one target');
  for (const t of targets) {
    if (!Number.isFinite(t.value)) throw new OpticsError(`target ${labelOf(t)}: value must be a finite number`, { field: 'value' });
  }
  const vars = resolveVariables(lat, variables);
  const weights = targets.map((t) => t.weight ?? 1);
  const tol = targets.map((t) => t.tolerance ?? (t.kind === 'tune' ? 1e-9 : t.kind === 'chromaticity' ? 1e-6 : 1e-9 * Math.max(1, Math.abs(t.value))));
  const clamp = (x: number[]) => x.map((v, j) => Math.min(vars[j].max, Math.max(vars[j].min, v)));
  let evaluations = 0;
  const residuals = (x: number[]): number[] | null => {
    evaluations++;
    try {
      const f = evaluateTargets(applyValues(lat, vars, x), targets);
      const r = f.map((v, i) => weights[i] * (v - targets[i].value));
      return r.every(Number.isFinite) ? r : null;
    } catch (err) {
      if (err instanceof OpticsError) return null; // unstable trial point: rejected
      throw err;
    }
  };
  const cost = (r: number[]) => r.reduce((s, v) => s + v * v, 0);
  let x = clamp(vars.map((v) => v.initial));
  let r = residuals(x);
  if (!r) {
    // the starting point itself: report its error
    evaluateTargets(applyValues(lat, vars, x), targets);
    throw new OpticsError('the starting lattice has no valid optics');
  }
  let c = cost(r);
  let lambda = 1e-3;
  const maxIt = opts.maxIterations ?? 100;
  const n = vars.length, m = targets.length;
  let it = 0;
  const metAll = (res: number[]) => res.every((v, i) => Math.abs(v / weights[i]) <= tol[i]);
  for (; it < maxIt && !metAll(r); it++) {
    // forward-difference Jacobian
    const J: number[][] = Array.from({ length: m }, () => new Array<number>(n).fill(0));
    for (let j = 0; j < n; j++) {
      let h = 1e-7 * Math.max(1, Math.abs(x[j]));
      if (x[j] + h > vars[j].max) h = -h;
      const xj = [...x];
      xj[j] += h;
      let rj = residuals(xj);
      if (!rj && x[j] - h >= vars[j].min) {
        // at the edge of stability: try the other side
        h = -h;
        xj[j] = x[j] + h;
        rj = residuals(xj);
      }
      if (!rj) throw new OpticsError(`family '${vars[j].family}': the optics become unstable within ${Math.abs(h).toExponential(1)} of ${x[j]}`);
      for (let i = 0; i < m; i++) J[i][j] = (rj[i] - r[i]) / h;
    }
    const JtJ = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => {
      let s = 0;
      for (let i = 0; i < m; i++) s += J[i][a] * J[i][b];
      return s;
    }));
    const g = Array.from({ length: n }, (_, a) => {
      let s = 0;
      for (let i = 0; i < m; i++) s += J[i][a] * r![i];
      return -s;
    });
    let improved = false;
    for (let tries = 0; tries < 30; tries++) {
      const A = JtJ.map((row, a) => row.map((v, b) => (a === b ? v + lambda * Math.max(v, 1e-12) : v)));
      const step = solveN(A, g);
      if (!step) { lambda *= 4; continue; }
      const xn = clamp(x.map((v, j) => v + step[j]));
      const rn = residuals(xn);
      if (rn && cost(rn) < c) {
        x = xn; r = rn; c = cost(rn);
        lambda = Math.max(lambda / 3, 1e-12);
        improved = true;
        break;
      }
      lambda *= 4;
    }
    if (!improved) break; // local minimum (or the bounds) reached
  }
  const final = applyValues(lat, vars, x);
  const achieved = evaluateTargets(final, targets);
  const results = targets.map((t, i) => {
    const residual = achieved[i] - t.value;
    return { target: t, label: labelOf(t), achieved: achieved[i], residual, met: Math.abs(residual) <= tol[i] };
  });
  return {
    lattice: final,
    variables: vars.map((v, j) => ({ family: v.family, field: v.field, members: v.indices.length, initial: v.initial, final: x[j] })),
    targets: results,
    missed: results.filter((t) => !t.met),
    iterations: it,
    evaluations,
    cost: c,
  };
}

/** One line per missed target: "Qx: wanted 28.3, got 28.25 (off by −0.05)". */
export function describeMissed(res: MatchResult): string[] {
  return res.missed.map((t) => `${t.label}: wanted ${t.target.value}, got ${t.achieved.toPrecision(8)} (off by ${t.residual.toExponential(3)})`);
}
