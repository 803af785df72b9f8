/**
 * Exact linear maps of every element kind, in pyAT's default physics model (the orbit propagation
 * built on them is in propagate.ts, the element compilation in compile.ts).
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
 * (vertical field), both planes for a helical one (K per component): the period average of the
 * vertical focusing 1/(2ρ0²) of a wiggler with peak radius ρ0 (R. P. Walker, "Wigglers", CERN
 * Accelerator School, CERN 98-04 (1998); H. Wiedemann, Particle Accelerator Physics, chapter on
 * insertion devices / wiggler focusing).
 *
 * Misalignments as pyAT T1/T2 and R1/R2: X_local = R(tilt)(X − d), X_out = R(tilt)ᵀ X_local,out + d
 * with R the pyAT rotation (x_l = C x + S y, y_l = −S x + C y). A normal quadrupole with tilt π/4
 * is then a negative skew quadrupole (k1s = −k1), as in MAD-X.
 */
import {
  MAP_MARKER, MAP_THICK, MAP_THIN, OpticsError, type CompiledElement,
} from './compile.ts';

// The compiled-lattice API, re-exported for callers that only import maps.ts.
export {
  compileLattice, isSliced, MAP_MARKER, MAP_THICK, MAP_THIN, OpticsError, undulatorFocusing,
  type CompiledElement, type CompiledRing, type CompileOptions,
} from './compile.ts';

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

export function setIdentity4(m: Float64Array, off = 0): void {
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

export function edgeAffine4(h: number, e: number, psi: number, delta: number, out: Float64Array): void {
  setIdentity4(out);
  out[4] = h * Math.tan(e);
  out[14] = -h * Math.tan(e - psi / (1 + delta));
}

/** Applies the misalignment sandwich R2(M(R1(X − d))) + d to an affine map in place. */
export function misalignAffine4(el: CompiledElement, m: Float64Array, off: number): void {
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
