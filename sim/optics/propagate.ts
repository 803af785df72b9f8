/**
 * Maps of one period at a fixed δ and the propagation of an orbit with its 4×4 Jacobian through
 * each element: exact affine maps for linear elements (or a non-linear one at zero local orbit), and
 * 4th-order slices of exact linear sub-maps and thin non-linear kicks along an off-axis orbit (or
 * pyAT's drift–kick slices in the 'integrator' model). Model and conventions: maps.ts.
 */
import { isSliced, MAP_THICK, MAP_THIN, type CompiledElement, type CompiledRing } from './compile.ts';
import { bodyAffine4, composeAffine4, edgeAffine4, elementAffine4, misalignAffine4, setIdentity4 } from './maps.ts';

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


function driftAffine4(delta: number, L: number, out: Float64Array, off: number): void {
  for (let i = 0; i < 20; i++) out[off + i] = 0;
  const a = L / (1 + delta);
  out[off] = 1; out[off + 1] = a; out[off + 5] = 1; out[off + 10] = 1; out[off + 11] = a; out[off + 15] = 1;
}

const EDGE = new Float64Array(20);
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
