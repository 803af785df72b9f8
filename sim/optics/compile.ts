/**
 * Compilation of a lattice for the optics: every element reduced to the numbers its maps need
 * (curvature, focusing, edges, kicks, non-linear coefficients, RF), in one hidden class, cached per
 * (frozen) element object. Conventions and the physics model: maps.ts.
 */
import { arcLength, LatticeError, rbendAsSbend, type Element, type ElementType } from '../../lattice/elements.ts';
import type { Lattice } from '../../lattice/lattice.ts';
import { restEnergyEV } from '../constants.ts';

/** An optics computation failed (unstable lattice, no closed orbit): a lattice problem, exit 2 in the CLI. */
export class OpticsError extends LatticeError {
  constructor(detail: string, where: LatticeError['where'] = {}) {
    super(detail, where);
    this.name = 'OpticsError';
  }
}

/** Map kinds after compilation. */
export const MAP_MARKER = 0;
export const MAP_THICK = 1; // drift, bends, quadrupoles, sextupoles, octupoles, undulators, thick RF (4D)
export const MAP_THIN = 2; // thin multipole, correctors of zero length

/** An element reduced to the numbers its maps need (one per element of one period). */
export interface CompiledElement {
  readonly name: string;
  readonly type: ElementType;
  readonly kind: number;
  /** Path length [m]. */
  readonly length: number;
  /** Curvature [1/m]. */
  readonly h: number;
  readonly k1: number;
  readonly k1s: number;
  /** Extra constant focusing (undulators) [1/m²] in x and y. */
  readonly gx: number;
  readonly gy: number;
  readonly e1: number;
  readonly e2: number;
  /** Fringe-field angle ψ of the entrance/exit edge [rad] (δ = 0). */
  readonly psi1: number;
  readonly psi2: number;
  readonly tilt: number;
  readonly dx: number;
  readonly dy: number;
  /** Constant kicks [rad] (correctors, thin dipole terms): applied in the middle. */
  readonly kickX: number;
  readonly kickY: number;
  /** Non-linear coefficients b_n, a_n for n = 2..order (per metre for thick, integrated for thin). */
  readonly bn: Float64Array;
  readonly an: Float64Array;
  readonly nlOrder: number;
  /** Slices (4th-order) of a non-linear element along an off-axis orbit. */
  readonly nSlices: number;
  /** 1 when the element is integrated drift–kick as pyAT does (model 'integrator'), else 0. */
  readonly integ: number;
  /** RF: voltage [V], frequency [Hz] (0 = harmonic), harmonic, lag [2π]. */
  readonly voltage: number;
  readonly frequency: number;
  readonly harmonic: number;
  readonly lag: number;
}

/** A lattice compiled for the optics. */
export interface CompiledRing {
  readonly lattice: Lattice;
  readonly elements: readonly CompiledElement[];
  readonly n: number;
  readonly periodicity: number;
  /** s at each element entrance of one period, and the end (n+1) [m]. */
  readonly s: Float64Array;
  readonly periodLengthM: number;
  readonly circumferenceM: number;
  readonly energyEV: number;
  readonly gamma: number;
  /** true when some element couples the planes (skew quadrupole, tilt of a focusing element). */
  readonly coupled: boolean;
  /** true when some element has a non-zero non-linear component. */
  readonly nonlinear: boolean;
  /** Slot of each thick non-linear element in PeriodMaps.sub (−1 for the others). */
  readonly nlSlot: Int32Array;
  readonly nNonlinear: number;
}

export interface CompileOptions {
  /** Set every sextupole/octupole component to zero (natural chromaticity). */
  multipolesOff?: boolean;
  /** Undulators as drifts (gaps open). */
  undulatorsOff?: boolean;
  /** Reuse compiled elements cached per element object (default true; false for benchmarks of a cold start). */
  cache?: boolean;
  /**
   * 'exact' (default): exact maps. 'integrator': pyAT's own approximation — every thick magnet is
   * integrated with its num_int_steps (nSteps, default 10) slices of the 4th-order drift–kick
   * scheme, the focusing in the kicks (StrMPoleSymplectic4Pass / BndMPoleSymplectic4Pass); used to
   * show that the remaining differences to pyAT are its integrator truncation.
   */
  model?: 'exact' | 'integrator';
}

const EMPTY = new Float64Array(0);

const FACT = [1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800];

/** Compiles the elements of one period. */
export function compileLattice(lat: Lattice, opts: CompileOptions = {}): CompiledRing {
  const gamma = lat.energyEV / restEnergyEV(lat.particle);
  const els: CompiledElement[] = [];
  let coupled = false;
  let nonlinear = false;
  const s = new Float64Array(lat.elements.length + 1);
  for (let i = 0; i < lat.elements.length; i++) {
    const c = compileCached(lat.elements[i], gamma, opts);
    els.push(c);
    s[i + 1] = s[i] + c.length;
    if (c.k1s !== 0 || (c.tilt !== 0 && (c.k1 !== 0 || c.h !== 0 || c.gx !== c.gy))) coupled = true;
    if (c.nlOrder >= 2) nonlinear = true;
  }
  if (opts.model === 'integrator' && els.some((e) => e.integ && e.k1s !== 0)) {
    throw new OpticsError("model 'integrator' does not support skew quadrupole components");
  }
  const periodLengthM = s[lat.elements.length];
  const nlSlot = new Int32Array(els.length).fill(-1);
  let nNonlinear = 0;
  for (let i = 0; i < els.length; i++) if (isSliced(els[i])) nlSlot[i] = nNonlinear++;
  return {
    nlSlot,
    nNonlinear,
    lattice: lat,
    elements: els,
    n: els.length,
    periodicity: lat.periodicity,
    s,
    periodLengthM,
    circumferenceM: periodLengthM * lat.periodicity,
    energyEV: lat.energyEV,
    gamma,
    coupled,
    nonlinear,
  };
}

/**
 * Compiled elements are cached per (frozen) element object: a lattice repeats the same element
 * objects, and matching re-evaluates lattices that share most of them.
 */
const CACHES = [0, 1, 2, 3, 4, 5, 6, 7].map(() => new WeakMap<Element, CompiledElement>());

function compileCached(raw: Element, gamma: number, opts: CompileOptions): CompiledElement {
  // undulators depend on γ: not cached (few per ring)
  if (opts.cache === false || raw.type === 'undulator') return monomorphic(compileElement(raw, gamma, opts));
  const cache = CACHES[(opts.multipolesOff ? 1 : 0) + (opts.undulatorsOff ? 2 : 0) + (opts.model === 'integrator' ? 4 : 0)];
  let c = cache.get(raw);
  if (!c) { c = monomorphic(compileElement(raw, gamma, opts)); cache.set(raw, c); }
  return c;
}

/** Fringe-field angle ψ = h·gap·fint·(1 + sin²e)/cos e, gap = 2·hgap (zero unless fint and hgap are set). */
function fringePsi(h: number, hgap: number, e: number, fint: number): number {
  return fint !== 0 && hgap !== 0 ? (h * 2 * hgap * fint * (1 + Math.sin(e) ** 2)) / Math.cos(e) : 0;
}

/** pyAT polynomial coefficients b_n = Kn/n!, a_n of a thick magnet's non-linear components. */
function nonlinearPart(k2: number, k3: number, k2s: number, k3s: number, opts: CompileOptions): Partial<CompiledElement> {
  if (opts.multipolesOff) return {};
  if (k2 === 0 && k3 === 0 && k2s === 0 && k3s === 0) return {};
  const order = k3 !== 0 || k3s !== 0 ? 3 : 2;
  const bn = new Float64Array(order + 1);
  const an = new Float64Array(order + 1);
  bn[2] = k2 / 2; an[2] = k2s / 2;
  if (order === 3) { bn[3] = k3 / 6; an[3] = k3s / 6; }
  return { bn, an, nlOrder: order };
}

/** Same fields in the same order for every element (one hidden class for the hot loops). */
function monomorphic(o: CompiledElement): CompiledElement {
  return {
    name: o.name, type: o.type, kind: o.kind, length: o.length, h: o.h, k1: o.k1, k1s: o.k1s,
    gx: o.gx, gy: o.gy, e1: o.e1, e2: o.e2, psi1: o.psi1, psi2: o.psi2, tilt: o.tilt, dx: o.dx, dy: o.dy,
    kickX: o.kickX, kickY: o.kickY, bn: o.bn, an: o.an, nlOrder: o.nlOrder, nSlices: o.nSlices, integ: o.integ,
    voltage: o.voltage, frequency: o.frequency, harmonic: o.harmonic, lag: o.lag,
  };
}

function compileElement(raw: Element, gamma: number, opts: CompileOptions): CompiledElement {
  const el: Element = raw.type === 'rbend' ? rbendAsSbend(raw) : raw;
  const base = {
    name: el.name, type: raw.type, kind: MAP_THICK, length: arcLength(raw), h: 0, k1: 0, k1s: 0, gx: 0, gy: 0,
    e1: 0, e2: 0, psi1: 0, psi2: 0, tilt: 0, dx: 0, dy: 0, kickX: 0, kickY: 0,
    bn: EMPTY, an: EMPTY, nlOrder: 0, nSlices: 1, integ: 0, voltage: 0, frequency: 0, harmonic: 0, lag: 0,
  };
  const integ = opts.model === 'integrator' ? { integ: 1, nSlices: el.nSteps ?? 10 } : {};
  const where = { element: el.name };
  switch (el.type) {
    case 'marker':
    case 'monitor':
    case 'aperture':
      return el.length > 0 ? { ...base } : { ...base, kind: MAP_MARKER };
    case 'drift':
      return { ...base };
    case 'rfcavity':
      return { ...base, voltage: el.voltage, frequency: el.frequency, harmonic: el.harmonic, lag: el.lag };
    case 'sbend': {
      const h = el.angle / el.length;
      return {
        ...base, h, k1: el.k1, k1s: el.k1s, e1: el.e1, e2: el.e2,
        psi1: fringePsi(h, el.hgap, el.e1, el.fint), psi2: fringePsi(h, el.hgap, el.e2, el.fintx),
        tilt: el.tilt, dx: el.dx, dy: el.dy, nSlices: slicesFor(el.length), ...nonlinearPart(el.k2, el.k3, el.k2s, el.k3s, opts),
        ...integ,
      };
    }
    case 'quadrupole':
    case 'sextupole':
    case 'octupole':
      return {
        ...base, k1: el.k1, k1s: el.k1s, tilt: el.tilt, dx: el.dx, dy: el.dy, nSlices: slicesFor(el.length),
        ...nonlinearPart(el.k2, el.k3, el.k2s, el.k3s, opts), ...integ,
      };
    case 'multipole': {
      const knl = el.knl, ksl = el.ksl;
      const order = Math.max(knl.length, ksl.length) - 1;
      const kn = (n: number): number => knl[n] ?? 0;
      const ks = (n: number): number => ksl[n] ?? 0;
      // Thin multipole (pyAT ThinMultipolePass): Δpx = −Re Σ (knl_n + i ksl_n)(x+iy)^n/n!, Δpy = +Im Σ.
      // The dipole terms are plain kicks (no δ-dependent term; the reference orbit is not bent).
      let nlOrder = 0;
      let bn = EMPTY, an = EMPTY;
      if (order >= 2 && !opts.multipolesOff) {
        if (order > 10) throw new OpticsError(`multipole order ${order} is above 10`, { ...where, field: 'knl' });
        bn = new Float64Array(order + 1);
        an = new Float64Array(order + 1);
        for (let n = 2; n <= order; n++) { bn[n] = kn(n) / FACT[n]; an[n] = ks(n) / FACT[n]; }
        for (let n = order; n >= 2; n--) if (bn[n] !== 0 || an[n] !== 0) { nlOrder = n; break; }
        if (nlOrder === 0) { bn = EMPTY; an = EMPTY; }
      }
      if (el.length > 0) throw new OpticsError('a thick multipole is not supported (use a quadrupole/sextupole)', { ...where, field: 'length' });
      return {
        ...base, kind: MAP_THIN, k1: kn(1), k1s: ks(1), kickX: -kn(0), kickY: ks(0), tilt: el.tilt, dx: el.dx, dy: el.dy,
        bn, an, nlOrder,
      };
    }
    case 'hkicker':
      return { ...base, kind: el.length > 0 ? MAP_THICK : MAP_THIN, kickX: el.kick, tilt: el.tilt, dx: el.dx, dy: el.dy };
    case 'vkicker':
      return { ...base, kind: el.length > 0 ? MAP_THICK : MAP_THIN, kickY: el.kick, tilt: el.tilt, dx: el.dx, dy: el.dy };
    case 'kicker':
      return { ...base, kind: el.length > 0 ? MAP_THICK : MAP_THIN, kickX: el.hkick, kickY: el.vkick, tilt: el.tilt, dx: el.dx, dy: el.dy };
    case 'undulator': {
      if (opts.undulatorsOff || el.k === 0) return { ...base };
      const g = undulatorFocusing(el.k, el.periodM, gamma);
      return { ...base, gx: el.kind === 'helical' ? g : 0, gy: g, tilt: el.tilt, dx: el.dx, dy: el.dy };
    }
    default:
      throw new OpticsError(`element type ${(el as Element).type} has no optics map`, where);
  }
}

/**
 * Slices of a non-linear element along an off-axis orbit. The linear part is exact, so the slices
 * only integrate the feed-down; one 4th-order slice per 0.2 m changes the chromaticity of the
 * reference rings by < 3e-8 (measured against 20 slices per element).
 */
function slicesFor(lengthM: number): number {
  return Math.max(1, Math.ceil(lengthM / 0.2));
}

/**
 * Natural focusing strength of an ideal undulator [1/m²]: (K k_u)²/(2γ²) = 1/(2ρ0²), k_u = 2π/λu
 * (R. P. Walker, "Wigglers", CERN 98-04; H. Wiedemann, Particle Accelerator Physics).
 */
export function undulatorFocusing(k: number, periodM: number, gamma: number): number {
  const ku = (2 * Math.PI) / periodM;
  return (k * ku) ** 2 / (2 * gamma * gamma);
}

/** Elements whose maps are split in slices: non-linear thick magnets, and every magnet in the integrator model. */
export function isSliced(el: CompiledElement): boolean {
  return el.kind === MAP_THICK && (el.nlOrder >= 2 || el.integ === 1);
}
