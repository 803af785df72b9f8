/**
 * Thick magnets: quadrupole, sextupole, octupole and combined-function sector bend (pyAT
 * StrMPoleSymplectic4Pass / BndMPoleSymplectic4Pass and their Rad variants). Per particle:
 * misalignment in, [bend entrance edge], [quad fringe], body (integrator.ts), [quad fringe],
 * [bend exit edge], misalignment out — the order pyAT uses.
 */
import { MAG } from '../layout.ts';
import { integrateBody, integrateBodyRad } from '../integrator.ts';
import { bendEdge, quadFringe } from './fringe.ts';
import { misalignIn, misalignOut } from './misalign.ts';

export function magnetPass(
  r: Float64Array, n: number, P: Float64Array, o: number,
  crad: number, qdiff: number, particleBase: number, turn: number, elem: number, k0: number, k1: number,
): void {
  const h = P[o + MAG.H];
  const edges = P[o + MAG.EDGES] !== 0;
  const fxIn = P[o + MAG.FX_IN];
  const eIn = P[o + MAG.E_IN];
  const psiIn = P[o + MAG.PSI_IN];
  const fxOut = P[o + MAG.FX_OUT];
  const eOut = P[o + MAG.E_OUT];
  const psiOut = P[o + MAG.PSI_OUT];
  const fqIn = P[o + MAG.FQ_IN] !== 0;
  const fqOut = P[o + MAG.FQ_OUT] !== 0;
  const b1 = P[o + MAG.B + 1];
  const rad = P[o + MAG.RAD] !== 0 ? crad : 0;
  const quant = P[o + MAG.QUANTUM] !== 0 ? qdiff : 0;
  const radiating = rad > 0 || quant > 0;
  const mis = P[o + MAG.MISALIGNED] !== 0;
  const dx = P[o + MAG.DX];
  const dy = P[o + MAG.DY];
  const c = P[o + MAG.COS];
  const s = P[o + MAG.SIN];
  for (let p = 0; p < n; p++) {
    const i = 6 * p;
    if (r[i] !== r[i]) continue;
    if (mis) misalignIn(r, i, dx, dy, c, s);
    if (edges) bendEdge(r, i, h, fxIn, eIn, psiIn);
    if (fqIn) quadFringe(r, i, b1, 1);
    if (radiating) integrateBodyRad(r, i, P, o, rad, quant, particleBase + p, turn, elem, k0, k1);
    else integrateBody(r, i, P, o);
    if (fqOut) quadFringe(r, i, b1, -1);
    if (edges) bendEdge(r, i, h, fxOut, eOut, psiOut);
    if (mis) misalignOut(r, i, dx, dy, c, s);
  }
}
