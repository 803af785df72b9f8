/**
 * RF cavity, pyAT RFCavityPass (6D only; in 4D the cavity compiles to a drift or an identity):
 *   δ += −(V/E0) sin(2π f ((cτ − τlag)/c − (h/f − T0) n) − φlag)
 * n the turn number, T0 = C/c. With cτ > 0 = late this is the stable slope above transition;
 * the synchronous phase appears as a closed-orbit cτ offset, not as a cavity setting. A cavity of
 * length L is a drift L/2, the kick, and a drift L/2.
 */
import { C_LIGHT } from '../../constants.ts';
import { RFC } from '../layout.ts';
import { driftOne } from './drift.ts';

export function rfCavityPass(r: Float64Array, n: number, P: Float64Array, o: number, turn: number): void {
  const L = P[o + RFC.L];
  const nv = P[o + RFC.NV];
  const f = P[o + RFC.FREQ];
  const hn = P[o + RFC.HARMONIC];
  const lag = P[o + RFC.TIMELAG];
  const philag = P[o + RFC.PHILAG];
  const t0 = P[o + RFC.T0];
  const turnTerm = hn > 0 ? (hn / f - t0) * turn : 0;
  const k = 2 * Math.PI * f;
  const half = L / 2;
  for (let p = 0; p < n; p++) {
    const i = 6 * p;
    if (r[i] !== r[i]) continue;
    if (half !== 0) driftOne(r, i, half);
    r[i + 4] += -nv * Math.sin(k * ((r[i + 5] - lag) / C_LIGHT - turnTerm) - philag);
    if (half !== 0) driftOne(r, i, half);
  }
}
