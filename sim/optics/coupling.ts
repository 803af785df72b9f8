/**
 * Edwards–Teng coupled optics (D. A. Edwards and L. C. Teng, IEEE Trans. Nucl. Sci. 20 (1973) 885;
 * normalisation and propagation as D. Sagan and D. Rubin, Phys. Rev. ST Accel. Beams 2, 074001
 * (1999)): the one-period 4×4 matrix is written M = V U V⁻¹ with
 * V = [[γ I, C], [−C⁺, γ I]], γ² + det C = 1, U = diag(U_a, U_b), and C⁺ the symplectic conjugate.
 * β, α, μ of the a mode (≈ horizontal) and the b mode (≈ vertical) are those of U_a and U_b;
 * through an element T, T V0 = V1 diag(R_a, R_b) gives γ1 = √det(W11), R_a = W11/γ1,
 * R_b = W22/γ1, C1 = W12 R_b⁻¹ (W = T V0). Output: betaX/alphaX/muX hold the a mode, the
 * Y arrays the b mode.
 */
import { OpticsError, type CompiledRing } from './maps.ts';
import type { Orbit4 } from './orbit.ts';

type M2 = [number, number, number, number];

const conj = (m: M2): M2 => [m[3], -m[1], -m[2], m[0]];
const mul2 = (a: M2, b: M2): M2 => [
  a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
  a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
];
const add2 = (a: M2, b: M2): M2 => [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]];
const scale2 = (a: M2, s: number): M2 => [a[0] * s, a[1] * s, a[2] * s, a[3] * s];
const det2 = (a: M2): number => a[0] * a[3] - a[1] * a[2];
const block = (M: ArrayLike<number>, r: number, c: number): M2 => [M[r * 4 + c], M[r * 4 + c + 1], M[(r + 1) * 4 + c], M[(r + 1) * 4 + c + 1]];

interface Decomposition { g: number; C: M2; Ua: M2; Ub: M2 }

/** Decomposes a symplectic 4×4 one-period matrix into Edwards–Teng normal modes. */
export function decompose(M: ArrayLike<number>, delta = 0): Decomposition {
  const A = block(M, 0, 0), B = block(M, 0, 2), Cm = block(M, 2, 0), D = block(M, 2, 2);
  const H = add2(B, conj(Cm));
  const t = A[0] + A[3] - D[0] - D[3];
  const detH = det2(H);
  const disc = t * t + 4 * detH;
  if (!(disc > 0)) {
    throw new OpticsError(`no stable optics: coupled modes cannot be separated (tr(A−D)² + 4 det H = ${disc.toExponential(3)}) at δ = ${delta}`);
  }
  const g = Math.sqrt(0.5 + 0.5 * Math.sqrt((t * t) / disc));
  const C = scale2(H, -Math.sign(t || 1) / (g * Math.sqrt(disc)));
  // U = V⁻¹ M V with V⁻¹ = [[g I, −C], [C⁺, g I]]
  const Cp = conj(C);
  const Ua = add2(add2(scale2(A, g * g), scale2(add2(mul2(C, Cm), mul2(B, Cp)), -g)), mul2(mul2(C, D), Cp));
  const Ub = add2(add2(scale2(D, g * g), scale2(add2(mul2(Cm, C), mul2(Cp, B)), g)), mul2(mul2(Cp, A), C));
  return { g, C, Ua, Ub };
}

function modeTwiss(U: M2, mode: string, delta: number): { beta: number; alpha: number; mu: number } {
  const cosMu = (U[0] + U[3]) / 2;
  if (!(Math.abs(cosMu) < 1)) {
    throw new OpticsError(`no stable optics: ${mode} |trace|/2 = ${Math.abs(cosMu).toFixed(4)} at δ = ${delta}`);
  }
  const sinMu = Math.sign(U[1]) * Math.sqrt(1 - cosMu * cosMu);
  let mu = Math.atan2(sinMu, cosMu);
  if (mu < 0) mu += 2 * Math.PI;
  return { beta: U[1] / sinMu, alpha: (U[0] - U[3]) / (2 * sinMu), mu };
}

interface Table {
  betaX: Float64Array; betaY: Float64Array; alphaX: Float64Array; alphaY: Float64Array; muX: Float64Array; muY: Float64Array;
}

export const coupledTwiss = {
  /** Eigen-mode phase advances of a one-period matrix [rad, 0..2π). */
  phases(M: ArrayLike<number>, delta: number): [number, number] {
    const d = decompose(M, delta);
    return [modeTwiss(d.Ua, 'mode a (horizontal-like)', delta).mu, modeTwiss(d.Ub, 'mode b (vertical-like)', delta).mu];
  },
  /** Fills the Twiss table with the a/b mode functions propagated element by element. */
  fill(ring: CompiledRing, zero: Orbit4, t: Table): void {
    const d = decompose(zero.periodJ, 0);
    const a = modeTwiss(d.Ua, 'mode a (horizontal-like)', 0);
    const b = modeTwiss(d.Ub, 'mode b (vertical-like)', 0);
    let g = d.g;
    let C = d.C;
    let ba = a.beta, aa = a.alpha, bb = b.beta, ab = b.alpha, ma = 0, mb = 0;
    t.betaX[0] = ba; t.alphaX[0] = aa; t.betaY[0] = bb; t.alphaY[0] = ab; t.muX[0] = 0; t.muY[0] = 0;
    const EJ = zero.elementJ!;
    for (let i = 0; i < ring.n; i++) {
      const T = EJ.subarray(i * 16, i * 16 + 16);
      // W = T V0,  V0 = [[g I, C], [−C⁺, g I]]
      const TA = block(T, 0, 0), TB = block(T, 0, 2), TC = block(T, 2, 0), TD = block(T, 2, 2);
      const Cp = conj(C);
      const W11 = add2(scale2(TA, g), scale2(mul2(TB, Cp), -1));
      const W12 = add2(mul2(TA, C), scale2(TB, g));
      const W22 = add2(mul2(TC, C), scale2(TD, g));
      const gg = Math.sqrt(Math.max(det2(W11), 0));
      if (!(gg > 1e-9)) throw new OpticsError(`Edwards–Teng modes flip inside element '${ring.elements[i].name}' (not supported)`);
      const Ra = scale2(W11, 1 / gg), Rb = scale2(W22, 1 / gg);
      C = mul2(W12, conj(Rb));
      g = gg;
      [ba, aa, ma] = step(Ra, ba, aa, ma);
      [bb, ab, mb] = step(Rb, bb, ab, mb);
      t.betaX[i + 1] = ba; t.alphaX[i + 1] = aa; t.muX[i + 1] = ma;
      t.betaY[i + 1] = bb; t.alphaY[i + 1] = ab; t.muY[i + 1] = mb;
    }
  },
};

function step(R: M2, be: number, al: number, mu: number): [number, number, number] {
  const p = R[0] * be - R[1] * al;
  const q = R[2] * be - R[3] * al;
  return [(p * p + R[1] * R[1]) / be, -(p * q + R[1] * R[3]) / be, mu + Math.atan2(R[1], p)];
}
