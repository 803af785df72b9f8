/**
 * Exact linear maps of every element kind, in pyAT's default physics model, and the orbit
 * propagation that the closed orbit, the Twiss functions and the chromaticity are built on.
 *
 * Coordinates (pyAT): (x, px, y, py, δ, ct); px, py canonical momenta over the REFERENCE momentum,
 * so x' = px/(1+δ); ct = path lengthening (positive = late). Ultra-relativistic (β = 1), as pyAT.
 *
 * Model (pyAT's BndMPoleSymplectic4Pass / StrMPoleSymplectic4Pass, expanded Hamiltonian):
 *   H = (px² + py²)/(2(1+δ)) − h x δ + h² x²/2 + Re Σ_n (b_n + i a_n)(x + iy)^(n+1)/(n+1)
 * with b_1 = k1, a_1 = k1s, b_2 = k2/2, b_3 = k3/6 (MAD-X strengths, pyAT PolynomB = Kn/n!).
 * At fixed δ, with a = 1/(1+δ), the linear part is
 *   x' = a px,  px' = −(h² + k1) x + k1s y + h δ,   y' = a py,  py' = k1 y + k1s x,   ct' = h x,
 * a constant-coefficient system: its map is computed in closed form (uncoupled) or by a matrix
 * exponential (skew quadrupole component). The chromatic effect of the magnets is the a = 1/(1+δ).
 * Non-linear components (k2, k3, skew k2s, k3s, thin n ≥ 2) only act through the orbit
 * (feed-down): an element that has them is split in slices, each a 4th-order Forest–Ruth/Yoshida
 * composition of the EXACT linear map and thin non-linear kicks; at zero orbit the slices reduce
 * exactly to the linear map, so the design optics are exact-map optics whatever the slicing.
 *
 * Bend edges (pyAT, MAD-X): thin linear kicks outside the body, px += x h tan e (δ-independent),
 * py −= y h tan(e − ψ/(1+δ)), ψ = h·gap·fint·(1 + sin²e)/cos e, gap = 2·hgap (full gap).
 * Quadrupole fringes (Lee-Whiting) are cubic: no effect on the linear optics nor on the
 * chromaticity, ignored here (as stated in ../shared/reference/lattices/README.md).
 *
 * Undulators: the averaged natural focusing of an ideal device, k = (B0/Bρ)²/2 = (K k_u)²/(2γ²)
 * with k_u = 2π/λu and B0/Bρ = K k_u/γ (K = e B0/(m c k_u)): vertical only for a planar device
 * (vertical field), both planes for a helical one (K per component). Source: H. Wiedemann,
 * Particle Accelerator Physics, 4th ed., §(wiggler magnet focusing); R. P. Walker, "Wigglers",
 * CERN 98-04, p. 129 (eq. 32, "natural focusing 1/(2ρ0²)").
 *
 * Misalignments as pyAT T1/T2 and R1/R2: X_local = R(tilt)(X − d), X_out = R(tilt)ᵀ X_local,out + d
 * with R the pyAT rotation (x_l = C x + S y, y_l = −S x + C y). A normal quadrupole with tilt π/4
 * is then a negative skew quadrupole (k1s = −k1), as in MAD-X.
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
 * Natural focusing strength of an ideal undulator [1/m²]: (K k_u)²/(2γ²), k_u = 2π/λu
 * (Walker, CERN 98-04, eq. 32; Wiedemann, Particle Accelerator Physics).
 */
export function undulatorFocusing(k: number, periodM: number, gamma: number): number {
  const ku = (2 * Math.PI) / periodM;
  return (k * ku) ** 2 / (2 * gamma * gamma);
}

// ---------------------------------------------------------------------------------------------
// Closed-form functions of a constant-coefficient oscillator x'' = −u x (u may be < 0 or 0):
// c = cos √u L, s = sin √u L/√u, d = (1 − c)/u = ∫s, f = (L − s)/u = ∫d. Series when |u L²| is
// small (no cancellation), closed form otherwise.

/** Writes [c, s, d, f] into out. */
export function oscillator(u: number, L: number, out: Float64Array): Float64Array {
  const z = u * L * L;
  if (Math.abs(z) < 1e-2) {
    const z2 = z * z, z3 = z2 * z, z4 = z2 * z2;
    out[0] = 1 - z / 2 + z2 / 24 - z3 / 720 + z4 / 40320;
    out[1] = L * (1 - z / 6 + z2 / 120 - z3 / 5040 + z4 / 362880);
    out[2] = L * L * (0.5 - z / 24 + z2 / 720 - z3 / 40320 + z4 / 3628800);
    out[3] = L * L * L * (1 / 6 - z / 120 + z2 / 5040 - z3 / 362880 + z4 / 39916800);
  } else if (u > 0) {
    const w = Math.sqrt(u);
    out[0] = Math.cos(w * L);
    out[1] = Math.sin(w * L) / w;
    out[2] = (1 - out[0]) / u;
    out[3] = (L - out[1]) / u;
  } else {
    const w = Math.sqrt(-u);
    out[0] = Math.cosh(w * L);
    out[1] = Math.sinh(w * L) / w;
    out[2] = (1 - out[0]) / u;
    out[3] = (L - out[1]) / u;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 4D affine maps at fixed δ: Float64Array(20) = 4×4 matrix row-major (16) + constant vector (4).

const OSC = new Float64Array(4);
const OSC2 = new Float64Array(4);

function setIdentity4(m: Float64Array, off = 0): void {
  for (let i = 0; i < 20; i++) m[off + i] = 0;
  m[off] = 1; m[off + 5] = 1; m[off + 10] = 1; m[off + 15] = 1;
}

/** Body (no edges, no tilt) of a thick element over a length L at fixed δ, into out[off..off+20). */
export function bodyAffine4(el: CompiledElement, delta: number, L: number, out: Float64Array, off = 0): void {
  const a = 1 / (1 + delta);
  const hd = el.h * delta;
  if (el.k1s !== 0) {
    skewBodyAffine4(el, a, hd, L, out, off);
    return;
  }
  for (let i = 0; i < 20; i++) out[off + i] = 0;
  if (el.h === 0 && el.k1 === 0 && el.gx === 0 && el.gy === 0) {
    // drift: x += a L px, y += a L py
    out[off] = 1; out[off + 1] = a * L; out[off + 5] = 1;
    out[off + 10] = 1; out[off + 11] = a * L; out[off + 15] = 1;
    return;
  }
  const gx = el.h * el.h + el.k1 + el.gx;
  const gy = -el.k1 + el.gy;
  const ox = oscillator(a * gx, L, OSC);
  // x = c x0 + a s px0 + a d hδ;  px = −g s x0 + c px0 + s hδ
  out[off] = ox[0]; out[off + 1] = a * ox[1];
  out[off + 4] = -gx * ox[1]; out[off + 5] = ox[0];
  out[off + 16] = a * ox[2] * hd;
  out[off + 17] = ox[1] * hd;
  const oy = oscillator(a * gy, L, OSC2);
  out[off + 10] = oy[0]; out[off + 11] = a * oy[1];
  out[off + 14] = -gy * oy[1]; out[off + 15] = oy[0];
}

// Coupled body by matrix exponential of the augmented generator (x, px, y, py, 1).
const GEN = new Float64Array(25);
const EXP = new Float64Array(25);
function skewBodyAffine4(el: CompiledElement, a: number, hd: number, L: number, out: Float64Array, off: number): void {
  GEN.fill(0);
  GEN[1] = a; // x' = a px
  GEN[5] = -(el.h * el.h + el.k1 + el.gx); GEN[7] = el.k1s; GEN[9] = hd; // px'
  GEN[13] = a; // y'
  GEN[15] = el.k1s; GEN[17] = el.k1 - el.gy; // py'
  expm(GEN, 5, L, EXP);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) out[off + r * 4 + c] = EXP[r * 5 + c];
    out[off + 16 + r] = EXP[r * 5 + 4];
  }
}

/** exp(A·t) of an n×n matrix (scaling and squaring, Taylor to order 18). */
export function expm(A: Float64Array, n: number, t: number, out: Float64Array): Float64Array {
  let norm = 0;
  for (let r = 0; r < n; r++) {
    let row = 0;
    for (let c = 0; c < n; c++) row += Math.abs(A[r * n + c] * t);
    norm = Math.max(norm, row);
  }
  const sq = Math.max(0, Math.ceil(Math.log2(norm / 0.25)));
  const scale = t / 2 ** sq;
  const term = new Float64Array(n * n);
  const tmp = new Float64Array(n * n);
  out.fill(0, 0, n * n);
  for (let i = 0; i < n; i++) { out[i * n + i] = 1; term[i * n + i] = 1; }
  for (let k = 1; k <= 18; k++) {
    mul(term, A, tmp, n);
    for (let i = 0; i < n * n; i++) { term[i] = (tmp[i] * scale) / k; out[i] += term[i]; }
  }
  for (let q = 0; q < sq; q++) {
    mul(out, out, tmp, n);
    out.set(tmp.subarray(0, n * n));
  }
  return out;
}

function mul(A: Float64Array, B: Float64Array, C: Float64Array, n: number): void {
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += A[r * n + k] * B[k * n + c];
      C[r * n + c] = s;
    }
  }
}

/** out = B ∘ A for affine 4D maps (apply A first). out may alias neither. */
export function composeAffine4(B: Float64Array, bo: number, A: Float64Array, ao: number, out: Float64Array, oo: number): void {
  for (let r = 0; r < 4; r++) {
    let v = B[bo + 16 + r];
    for (let k = 0; k < 4; k++) v += B[bo + r * 4 + k] * A[ao + 16 + k];
    out[oo + 16 + r] = v;
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += B[bo + r * 4 + k] * A[ao + k * 4 + c];
      out[oo + r * 4 + c] = s;
    }
  }
}

const TMP20 = new Float64Array(20);
const TMP20b = new Float64Array(20);
const EDGE = new Float64Array(20);

function edgeAffine4(h: number, e: number, psi: number, delta: number, out: Float64Array): void {
  setIdentity4(out);
  out[4] = h * Math.tan(e);
  out[14] = -h * Math.tan(e - psi / (1 + delta));
}

/** Applies the misalignment sandwich R2(M(R1(X − d))) + d to an affine map in place. */
function misalignAffine4(el: CompiledElement, m: Float64Array, off: number): void {
  if (el.tilt !== 0) {
    const C = Math.cos(el.tilt), S = Math.sin(el.tilt);
    // R1 = [[C,0,S,0],[0,C,0,S],[-S,0,C,0],[0,-S,0,C]], R2 = R1ᵀ
    setIdentity4(TMP20);
    TMP20[0] = C; TMP20[2] = S; TMP20[5] = C; TMP20[7] = S; TMP20[8] = -S; TMP20[10] = C; TMP20[13] = -S; TMP20[15] = C;
    composeAffine4(m, off, TMP20, 0, TMP20b, 0); // M R1
    setIdentity4(TMP20);
    TMP20[0] = C; TMP20[2] = -S; TMP20[5] = C; TMP20[7] = -S; TMP20[8] = S; TMP20[10] = C; TMP20[13] = S; TMP20[15] = C;
    composeAffine4(TMP20, 0, TMP20b, 0, m, off); // R2 M R1
  }
  if (el.dx !== 0 || el.dy !== 0) {
    // X_out = M(X − d) + v + d  →  v' = v + d − M d
    const d0 = el.dx, d2 = el.dy;
    for (let r = 0; r < 4; r++) {
      m[off + 16 + r] += (r === 0 ? d0 : r === 2 ? d2 : 0) - (m[off + r * 4] * d0 + m[off + r * 4 + 2] * d2);
    }
  }
}

/**
 * The complete affine map of an element's LINEAR part at fixed δ (edges, kicks, tilt, offsets),
 * into out[off..off+20). For a non-linear element it is its map at zero local orbit.
 */
export function elementAffine4(el: CompiledElement, delta: number, out: Float64Array, off = 0): void {
  if (el.kind === MAP_MARKER) { setIdentity4(out, off); return; }
  if (el.kind === MAP_THIN) {
    setIdentity4(out, off);
    // thin linear terms: Δpx = −k1 x + k1s y + kickX; Δpy = k1 y + k1s x + kickY
    out[off + 4] = -el.k1; out[off + 6] = el.k1s;
    out[off + 12] = el.k1s; out[off + 14] = el.k1;
    out[off + 17] = el.kickX; out[off + 19] = el.kickY;
    misalignAffine4(el, out, off);
    return;
  }
  if (el.kickX !== 0 || el.kickY !== 0) {
    // thick corrector: half body, kick, half body (exact for a uniform kick field in the expanded model)
    bodyAffine4(el, delta, el.length / 2, TMP20b, 0);
    setIdentity4(EDGE); EDGE[17] = el.kickX; EDGE[19] = el.kickY;
    composeAffine4(EDGE, 0, TMP20b, 0, TMP20, 0);
    composeAffine4(TMP20b, 0, TMP20, 0, out, off);
    misalignAffine4(el, out, off);
    return;
  }
  bodyAffine4(el, delta, el.length, out, off);
  if (el.h !== 0 && (el.e1 !== 0 || el.psi1 !== 0)) {
    edgeAffine4(el.h, el.e1, el.psi1, delta, EDGE);
    for (let i = 0; i < 20; i++) TMP20b[i] = out[off + i];
    composeAffine4(TMP20b, 0, EDGE, 0, out, off);
  }
  if (el.h !== 0 && (el.e2 !== 0 || el.psi2 !== 0)) {
    edgeAffine4(el.h, el.e2, el.psi2, delta, EDGE);
    for (let i = 0; i < 20; i++) TMP20b[i] = out[off + i];
    composeAffine4(EDGE, 0, TMP20b, 0, out, off);
  }
  misalignAffine4(el, out, off);
}

// ---------------------------------------------------------------------------------------------
// Maps of one period at a fixed δ, and propagation of an orbit with its 4×4 Jacobian.

/** Per-element maps of one period at one δ (reused by every Newton iteration at that δ). */
export interface PeriodMaps {
  readonly delta: number;
  /** n × 20: full linear affine map of each element. */
  readonly affine: Float64Array;
  /** Linear sub-maps (d1ℓ then d2ℓ, 40 numbers) of the 4th-order slices of each non-linear element, at ring.nlSlot[i]. */
  readonly sub: Float64Array;
}

// Forest–Ruth / Yoshida 4th-order coefficients (pyAT's integrator uses the same).
const D1 = 1 / (2 * (2 - 2 ** (1 / 3)));
const D2 = 0.5 - D1;
const C1 = 1 / (2 - 2 ** (1 / 3));
const C2 = 1 - 2 * C1;

export function buildPeriodMaps(ring: CompiledRing, delta: number, reuse?: PeriodMaps): PeriodMaps {
  const n = ring.n;
  const nSub = ring.nNonlinear * 40;
  const maps = reuse && reuse.affine.length === n * 20 && reuse.sub.length === nSub
    ? { delta, affine: reuse.affine, sub: reuse.sub }
    : { delta, affine: new Float64Array(n * 20), sub: new Float64Array(nSub) };
  for (let i = 0; i < n; i++) {
    const el = ring.elements[i];
    if (isSliced(el)) {
      const ell = el.length / el.nSlices;
      const o = ring.nlSlot[i] * 40;
      if (el.integ) {
        driftAffine4(delta, D1 * ell, maps.sub, o);
        driftAffine4(delta, D2 * ell, maps.sub, o + 20);
        integratedAffine4(el, delta, maps.sub, o, maps.affine, i * 20);
        continue;
      }
      bodyAffine4(el, delta, D1 * ell, maps.sub, o);
      bodyAffine4(el, delta, D2 * ell, maps.sub, o + 20);
    }
    elementAffine4(el, delta, maps.affine, i * 20);
  }
  return maps;
}

/** Elements whose maps are split in slices: non-linear thick magnets, and every magnet in the integrator model. */
export function isSliced(el: CompiledElement): boolean {
  return el.kind === MAP_THICK && (el.nlOrder >= 2 || el.integ === 1);
}

function driftAffine4(delta: number, L: number, out: Float64Array, off: number): void {
  for (let i = 0; i < 20; i++) out[off + i] = 0;
  const a = L / (1 + delta);
  out[off] = 1; out[off + 1] = a; out[off + 5] = 1; out[off + 10] = 1; out[off + 11] = a; out[off + 15] = 1;
}

const KICK = new Float64Array(20);
const ACC = new Float64Array(20);
const ACC2 = new Float64Array(20);

/** Affine map of the linear part of a pyAT thin kick of weight w (integrator model). */
function linearKickAffine4(el: CompiledElement, w: number, delta: number, out: Float64Array): void {
  setIdentity4(out);
  out[4] = -w * (el.k1 + el.h * el.h + el.gx); out[6] = w * el.k1s; out[17] = w * el.h * delta;
  out[12] = w * el.k1s; out[14] = w * (el.k1 - el.gy);
}

/** The linear part of an element integrated as pyAT does (edges, slices, misalignment), into out[oo..]. */
function integratedAffine4(el: CompiledElement, delta: number, sub: Float64Array, so: number, out: Float64Array, oo: number): void {
  setIdentity4(ACC);
  const step = (m: Float64Array, mo: number) => {
    composeAffine4(m, mo, ACC, 0, ACC2, 0);
    ACC.set(ACC2);
  };
  if (el.h !== 0 && (el.e1 !== 0 || el.psi1 !== 0)) { edgeAffine4(el.h, el.e1, el.psi1, delta, EDGE); step(EDGE, 0); }
  const ell = el.length / el.nSlices;
  for (let k = 0; k < el.nSlices; k++) {
    step(sub, so); linearKickAffine4(el, C1 * ell, delta, KICK); step(KICK, 0);
    step(sub, so + 20); linearKickAffine4(el, C2 * ell, delta, KICK); step(KICK, 0);
    step(sub, so + 20); linearKickAffine4(el, C1 * ell, delta, KICK); step(KICK, 0);
    step(sub, so);
  }
  if (el.h !== 0 && (el.e2 !== 0 || el.psi2 !== 0)) { edgeAffine4(el.h, el.e2, el.psi2, delta, EDGE); step(EDGE, 0); }
  for (let i = 0; i < 20; i++) out[oo + i] = ACC[i];
  misalignAffine4(el, out, oo);
}

/** Thin kick of weight w in a slice: the non-linear part, plus the linear part in the integrator model. */
function sliceKick(el: CompiledElement, w: number, delta: number, X: Float64Array, J: Float64Array | null): void {
  if (el.integ) {
    const x = X[0], y = X[2];
    const gx = el.k1 + el.h * el.h + el.gx, gy = el.k1 - el.gy;
    X[1] += w * (-gx * x + el.k1s * y + el.h * delta);
    X[3] += w * (gy * y + el.k1s * x);
    if (J) {
      for (let c = 0; c < 4; c++) {
        const jx = J[c], jy = J[8 + c];
        J[4 + c] += w * (-gx * jx + el.k1s * jy);
        J[12 + c] += w * (el.k1s * jx + gy * jy);
      }
    }
  }
  if (el.nlOrder >= 2) nlKick(el, w, X, J);
}

function applyAffine(m: Float64Array, off: number, X: Float64Array): void {
  const x = X[0], px = X[1], y = X[2], py = X[3];
  X[0] = m[off] * x + m[off + 1] * px + m[off + 2] * y + m[off + 3] * py + m[off + 16];
  X[1] = m[off + 4] * x + m[off + 5] * px + m[off + 6] * y + m[off + 7] * py + m[off + 17];
  X[2] = m[off + 8] * x + m[off + 9] * px + m[off + 10] * y + m[off + 11] * py + m[off + 18];
  X[3] = m[off + 12] * x + m[off + 13] * px + m[off + 14] * y + m[off + 15] * py + m[off + 19];
}

/** J ← M J (4×4 row-major, M the matrix part of an affine map). */
function applyToJ(m: Float64Array, off: number, J: Float64Array): void {
  if (m[off + 2] === 0 && m[off + 3] === 0 && m[off + 6] === 0 && m[off + 7] === 0 &&
      m[off + 8] === 0 && m[off + 9] === 0 && m[off + 12] === 0 && m[off + 13] === 0) {
    // uncoupled element: two 2×2 blocks (the common case; half the work)
    const a = m[off], b = m[off + 1], c = m[off + 4], d = m[off + 5];
    const e = m[off + 10], f = m[off + 11], g = m[off + 14], h = m[off + 15];
    for (let k = 0; k < 4; k++) {
      const j0 = J[k], j1 = J[4 + k], j2 = J[8 + k], j3 = J[12 + k];
      J[k] = a * j0 + b * j1; J[4 + k] = c * j0 + d * j1;
      J[8 + k] = e * j2 + f * j3; J[12 + k] = g * j2 + h * j3;
    }
    return;
  }
  for (let c = 0; c < 4; c++) {
    const j0 = J[c], j1 = J[4 + c], j2 = J[8 + c], j3 = J[12 + c];
    J[c] = m[off] * j0 + m[off + 1] * j1 + m[off + 2] * j2 + m[off + 3] * j3;
    J[4 + c] = m[off + 4] * j0 + m[off + 5] * j1 + m[off + 6] * j2 + m[off + 7] * j3;
    J[8 + c] = m[off + 8] * j0 + m[off + 9] * j1 + m[off + 10] * j2 + m[off + 11] * j3;
    J[12 + c] = m[off + 12] * j0 + m[off + 13] * j1 + m[off + 14] * j2 + m[off + 15] * j3;
  }
}

/** Thin non-linear kick of weight w at the current orbit; updates J too (if given). */
function nlKick(el: CompiledElement, w: number, X: Float64Array, J: Float64Array | null): void {
  const x = X[0], y = X[2];
  // Horner for Σ = Σ_{n≥2} (b_n + i a_n) z^n and Σ' = Σ n (b_n + i a_n) z^(n−1)
  let sr = 0, si = 0, pr = 0, pi = 0;
  for (let n = el.nlOrder; n >= 0; n--) {
    // P ← P z + Σ (derivative by Horner: P = d/dz of the running polynomial)
    const npr = pr * x - pi * y + sr;
    const npi = pr * y + pi * x + si;
    pr = npr; pi = npi;
    const b = n >= 2 ? el.bn[n] : 0, a = n >= 2 ? el.an[n] : 0;
    const nsr = sr * x - si * y + b;
    const nsi = sr * y + si * x + a;
    sr = nsr; si = nsi;
  }
  X[1] -= w * sr;
  X[3] += w * si;
  if (J) {
    // ∂Δpx/∂x = −w P, ∂Δpx/∂y = +w Q, ∂Δpy/∂x = +w Q, ∂Δpy/∂y = +w P  (Σ' = P + iQ)
    for (let c = 0; c < 4; c++) {
      const jx = J[c], jy = J[8 + c];
      J[4 + c] += -w * pr * jx + w * pi * jy;
      J[12 + c] += w * pi * jx + w * pr * jy;
    }
  }
}

const LOCAL_T = new Float64Array(20);

/**
 * Propagates the orbit X (x, px, y, py) through element i at the maps' δ, and J ← (∂X_out/∂X_in) J.
 * Linear elements (or a non-linear one at exactly zero local orbit) use the exact affine map.
 */
export function propagateElement(ring: CompiledRing, maps: PeriodMaps, i: number, X: Float64Array, J: Float64Array | null): void {
  const el = ring.elements[i];
  const off = i * 20;
  if (el.nlOrder < 2 || (el.tilt === 0 && X[0] === el.dx && X[1] === 0 && X[2] === el.dy && X[3] === 0)) {
    applyAffine(maps.affine, off, X);
    if (J) applyToJ(maps.affine, off, J);
    return;
  }
  // non-linear element along an off-axis orbit: local frame, edges, slices
  const C = Math.cos(el.tilt), S = Math.sin(el.tilt);
  if (el.tilt !== 0 || el.dx !== 0 || el.dy !== 0) {
    setIdentity4(LOCAL_T);
    LOCAL_T[0] = C; LOCAL_T[2] = S; LOCAL_T[5] = C; LOCAL_T[7] = S; LOCAL_T[8] = -S; LOCAL_T[10] = C; LOCAL_T[13] = -S; LOCAL_T[15] = C;
    LOCAL_T[16] = -(C * el.dx + S * el.dy); LOCAL_T[18] = -(-S * el.dx + C * el.dy);
    applyAffine(LOCAL_T, 0, X);
    if (J) applyToJ(LOCAL_T, 0, J);
  }
  if (el.kind === MAP_THIN) {
    // thin: linear part (k1, kicks) then non-linear kick, both at the same point (they commute in x, y)
    const x0 = X[0], y0 = X[2];
    X[1] += -el.k1 * x0 + el.k1s * y0 + el.kickX;
    X[3] += el.k1 * y0 + el.k1s * x0 + el.kickY;
    if (J) {
      for (let c = 0; c < 4; c++) {
        const jx = J[c], jy = J[8 + c];
        J[4 + c] += -el.k1 * jx + el.k1s * jy;
        J[12 + c] += el.k1s * jx + el.k1 * jy;
      }
    }
    X[0] = x0; X[2] = y0;
    // non-linear at the same (x, y): evaluate from the entrance position
    nlKick(el, 1, X, J);
  } else {
    if (el.h !== 0 && (el.e1 !== 0 || el.psi1 !== 0)) {
      edgeAffine4(el.h, el.e1, el.psi1, maps.delta, EDGE);
      applyAffine(EDGE, 0, X);
      if (J) applyToJ(EDGE, 0, J);
    }
    const ell = el.length / el.nSlices;
    const o1 = ring.nlSlot[i] * 40, o2 = o1 + 20, sub = maps.sub;
    for (let k = 0; k < el.nSlices; k++) {
      applyAffine(sub, o1, X); if (J) applyToJ(sub, o1, J);
      sliceKick(el, C1 * ell, maps.delta, X, J);
      applyAffine(sub, o2, X); if (J) applyToJ(sub, o2, J);
      sliceKick(el, C2 * ell, maps.delta, X, J);
      applyAffine(sub, o2, X); if (J) applyToJ(sub, o2, J);
      sliceKick(el, C1 * ell, maps.delta, X, J);
      applyAffine(sub, o1, X); if (J) applyToJ(sub, o1, J);
    }
    if (el.h !== 0 && (el.e2 !== 0 || el.psi2 !== 0)) {
      edgeAffine4(el.h, el.e2, el.psi2, maps.delta, EDGE);
      applyAffine(EDGE, 0, X);
      if (J) applyToJ(EDGE, 0, J);
    }
  }
  if (el.tilt !== 0 || el.dx !== 0 || el.dy !== 0) {
    setIdentity4(LOCAL_T);
    LOCAL_T[0] = C; LOCAL_T[2] = -S; LOCAL_T[5] = C; LOCAL_T[7] = -S; LOCAL_T[8] = S; LOCAL_T[10] = C; LOCAL_T[13] = S; LOCAL_T[15] = C;
    LOCAL_T[16] = el.dx; LOCAL_T[18] = el.dy;
    applyAffine(LOCAL_T, 0, X);
    if (J) applyToJ(LOCAL_T, 0, J);
  }
}

// ---------------------------------------------------------------------------------------------
// 6×6 matrices about the design orbit at δ = 0 (x, px, y, py, δ, ct), for the momentum compaction
// from the map and the longitudinal motion. ct row from ct' = h x (ultra-relativistic, pyAT).

const A20 = new Float64Array(20);
const A20p = new Float64Array(20);
const A20m = new Float64Array(20);

/**
 * 6×6 matrix (row-major, 36) of the element's linear part at δ = 0 about the zero orbit.
 * The δ column is the exact derivative of the affine map's constant term (central difference of
 * the closed forms, which are linear in δ at zero orbit up to rounding); the ct row of a bend is
 * h ∫(x-row) ds from the closed forms; RF cavities are identity (the RF slope is added by rf.ts).
 */
export function elementMatrix6(el: CompiledElement, out: Float64Array): Float64Array {
  out.fill(0, 0, 36);
  for (let i = 0; i < 6; i++) out[i * 7] = 1;
  if (el.kind === MAP_MARKER) return out;
  elementAffine4(el, 0, A20, 0);
  const dd = 1e-6;
  elementAffine4(el, dd, A20p, 0);
  elementAffine4(el, -dd, A20m, 0);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) out[r * 6 + c] = A20[r * 4 + c];
    out[r * 6 + 4] = (A20p[16 + r] - A20m[16 + r]) / (2 * dd);
  }
  if (el.h !== 0 && el.kind === MAP_THICK) {
    // ct = ct0 + h ∫ x ds through the body; x(s) = c x1 + s px1 + hδ d, after the entrance edge.
    const g = el.h * el.h + el.k1 + el.gx;
    const o = oscillator(g, el.length, OSC);
    const t1 = el.h * Math.tan(el.e1);
    // entrance edge: px1 = px0 + t1 x0 (y plane not involved)
    out[30] = el.h * (o[1] + o[2] * t1); // ∂ct/∂x0
    out[31] = el.h * o[2]; // ∂ct/∂px0
    out[34] = el.h * el.h * o[3]; // ∂ct/∂δ
    if (el.tilt !== 0) {
      // rotate the ct row with the element (vertical bend): ct depends on R1 X
      const C = Math.cos(el.tilt), S = Math.sin(el.tilt);
      const rx = out[30], rpx = out[31];
      out[30] = rx * C; out[31] = rpx * C; out[32] = rx * S; out[33] = rpx * S;
    }
  }
  return out;
}

const M6_CACHE = new WeakMap<CompiledElement, Float64Array>();

/** elementMatrix6, cached per compiled element (compiled elements are immutable); do not modify the result. */
export function elementMatrix6Cached(el: CompiledElement): Float64Array {
  let m = M6_CACHE.get(el);
  if (!m) { m = elementMatrix6(el, new Float64Array(36)); M6_CACHE.set(el, m); }
  return m;
}

/** C = A·B for 6×6 row-major. */
export function mul6(A: Float64Array, B: Float64Array, C: Float64Array): Float64Array {
  for (let r = 0; r < 36; r += 6) {
    const a0 = A[r], a1 = A[r + 1], a2 = A[r + 2], a3 = A[r + 3], a4 = A[r + 4], a5 = A[r + 5];
    for (let c = 0; c < 6; c++) {
      C[r + c] = a0 * B[c] + a1 * B[6 + c] + a2 * B[12 + c] + a3 * B[18 + c] + a4 * B[24 + c] + a5 * B[30 + c];
    }
  }
  return C;
}
