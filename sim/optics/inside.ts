/**
 * Optics inside an element: the element's linear map is split at a fraction f of its length
 * (entrance edge at 0+, body over f·L, the exit edge only at f = 1) and the entrance Twiss and the
 * ±δ orbits are propagated through it. Uncoupled planes only (a coupled lattice reports the
 * entrance/exit values of its elements).
 */
import { bodyAffine4, composeAffine4, elementAffine4, MAP_THICK, OpticsError, type CompiledElement } from './maps.ts';
import type { LinearOptics } from './twiss.ts';

const PART = new Float64Array(20);
const EDGE = new Float64Array(20);
const TMP = new Float64Array(20);

/** Affine map of the first fraction f of an (untilted, aligned) element at δ. */
function partialAffine(el: CompiledElement, f: number, delta: number, out: Float64Array): void {
  if (f >= 1 || el.kind !== MAP_THICK || el.length === 0) { elementAffine4(el, delta, out, 0); return; }
  if (el.tilt !== 0 || el.dx !== 0 || el.dy !== 0 || el.kickX !== 0 || el.kickY !== 0) {
    throw new OpticsError('optics inside a tilted, offset or kicking element are not supported', { element: el.name });
  }
  bodyAffine4(el, delta, f * el.length, PART, 0);
  if (el.h !== 0 && (el.e1 !== 0 || el.psi1 !== 0)) {
    EDGE.fill(0); EDGE[0] = 1; EDGE[5] = 1; EDGE[10] = 1; EDGE[15] = 1;
    EDGE[4] = el.h * Math.tan(el.e1);
    EDGE[14] = -el.h * Math.tan(el.e1 - el.psi1 / (1 + delta));
    composeAffine4(PART, 0, EDGE, 0, TMP, 0);
    out.set(TMP);
  } else out.set(PART);
}

export function insideImpl(opt: LinearOptics, i: number, fractions: readonly number[]) {
  if (opt.coupled) throw new OpticsError('optics inside elements of a coupled lattice are not supported');
  const ring = opt.ring;
  if (!(i >= 0 && i < ring.n)) throw new OpticsError(`element index ${i} is outside 0..${ring.n - 1}`);
  const el = ring.elements[i];
  const t = opt.twiss;
  const { plus, minus } = opt.orbits;
  const out = [];
  for (const f of fractions) {
    if (!(f >= 0 && f <= 1)) throw new OpticsError(`fraction ${f} of element '${el.name}' is outside 0..1`);
    partialAffine(el, f, 0, PART);
    const M = Float64Array.from(PART);
    const prop = (b: number, be: number, al: number) => {
      const m11 = M[b], m12 = M[b + 1], m21 = M[b + 4], m22 = M[b + 5];
      const p = m11 * be - m12 * al, q = m21 * be - m22 * al;
      return [(p * p + m12 * m12) / be, -(p * q + m12 * m22) / be];
    };
    const [bx, ax] = prop(0, t.betaX[i], t.alphaX[i]);
    const [by, ay] = prop(10, t.betaY[i], t.alphaY[i]);
    const eta = [0, 0];
    for (const [orb, sign] of [[plus, 1], [minus, -1]] as const) {
      partialAffine(el, f, orb.delta, PART);
      const X = orb.orbit.subarray(i * 4, i * 4 + 4);
      for (let r = 0; r < 2; r++) {
        let v = PART[16 + r];
        for (let k = 0; k < 4; k++) v += PART[r * 4 + k] * X[k];
        eta[r] += (sign * v) / (plus.delta - minus.delta);
      }
    }
    out.push({ s: t.s[i] + f * el.length, betaX: bx, betaY: by, alphaX: ax, alphaY: ay, etaX: eta[0], etaPX: eta[1] });
  }
  return out;
}
