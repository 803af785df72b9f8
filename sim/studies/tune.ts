/**
 * Tunes from tracking.
 *
 * `naffTune`: the main frequency of a turn-by-turn signal by the first step of Laskar's NAFF
 * (J. Laskar, "Frequency analysis for multi-dimensional systems", Physica D 67 (1993) 257): the
 * frequency ν maximising |Σ w_n z_n e^{−2πiνn}| with a Hann window w_n (error ∝ 1/N⁴ for a pure
 * tone), located on a grid of spacing 1/(4N) and refined by golden-section search. With the
 * complex signal z = x̄ − i p̄ (Courant–Snyder normalised) the tune is found in [0, 1); with a real
 * signal only in [0, 0.5].
 *
 * `trackedTunes` tracks particles with small amplitudes and returns (νx, νy);
 * `amplitudeTuneShift` the tunes at a list of amplitudes and the detuning coefficients
 * dνx/dJx, dνy/dJx (x amplitudes) and dνx/dJy, dνy/dJy (y amplitudes) from a straight-line fit,
 * J = A²/(2β) the action [m].
 */
import type { Program } from '../tracking/layout.ts';
import { newLossArrays, trackTurns } from '../tracking/track.ts';

export class StudyError extends Error {
  override name = 'StudyError';
}

/** |Σ w_n (re_n + i im_n) e^{−2πiνn}|² for the windowed signal. */
function power(re: Float64Array, im: Float64Array, w: Float64Array, nu: number): number {
  let sr = 0;
  let si = 0;
  const k = -2 * Math.PI * nu;
  for (let n = 0; n < re.length; n++) {
    const c = Math.cos(k * n);
    const s = Math.sin(k * n);
    sr += w[n] * (re[n] * c - im[n] * s);
    si += w[n] * (re[n] * s + im[n] * c);
  }
  return sr * sr + si * si;
}

/**
 * Main frequency [tune units] of a turn-by-turn signal (re, optional im), optionally searched only
 * within `window` [νmin, νmax]. Returns NaN for a signal shorter than 16 turns or containing
 * non-finite values (a lost particle).
 */
export function naffTune(re: ArrayLike<number>, im?: ArrayLike<number>, window?: [number, number]): number {
  const N = re.length;
  if (N < 16) return NaN;
  const x = Float64Array.from(re);
  const y = im ? Float64Array.from(im) : new Float64Array(N);
  for (let n = 0; n < N; n++) if (!Number.isFinite(x[n]) || !Number.isFinite(y[n])) return NaN;
  // remove the mean (closed-orbit offset)
  let mx = 0;
  let my = 0;
  for (let n = 0; n < N; n++) { mx += x[n]; my += y[n]; }
  for (let n = 0; n < N; n++) { x[n] -= mx / N; y[n] -= my / N; }
  const w = new Float64Array(N);
  for (let n = 0; n < N; n++) w[n] = 1 - Math.cos((2 * Math.PI * (n + 0.5)) / N); // Hann
  const top = im ? 1 : 0.5;
  const steps = Math.ceil(4 * N * top);
  let best = 0;
  let bestP = -1;
  for (let k = 1; k < steps; k++) {
    const nu = (k / steps) * top;
    if (window && (nu < window[0] || nu > window[1])) continue;
    const p = power(x, y, w, nu);
    if (p > bestP) { bestP = p; best = nu; }
  }
  // golden-section refinement within one grid step either side
  const g = (Math.sqrt(5) - 1) / 2;
  let a = best - top / steps;
  let b = best + top / steps;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = power(x, y, w, c);
  let fd = power(x, y, w, d);
  for (let it = 0; it < 60 && b - a > 1e-13; it++) {
    if (fc > fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = power(x, y, w, c); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = power(x, y, w, d); }
  }
  return (a + b) / 2;
}

export interface TwissXY { betaX: number; alphaX: number; betaY: number; alphaY: number }

/**
 * Tracks particles starting at `starts` (k × 6) for `turns` turns, recording every turn, and
 * returns the tunes (νx, νy) of each (NaN if lost). With Twiss the complex normalised signal is used.
 */
export function trackedTunes(
  prog: Program, starts: Float64Array, turns: number, twiss?: TwissXY, orbit?: ArrayLike<number>,
  windows?: { x?: [number, number]; y?: [number, number] },
): Array<[number, number]> {
  const k = starts.length / 6;
  const r = Float64Array.from(starts);
  const loss = newLossArrays(k);
  const xs = Array.from({ length: k }, () => ({ x: new Float64Array(turns), px: new Float64Array(turns), y: new Float64Array(turns), py: new Float64Array(turns) }));
  const co = orbit ?? [0, 0, 0, 0, 0, 0];
  for (let t = 0; t < turns; t++) {
    for (let p = 0; p < k; p++) {
      xs[p].x[t] = r[6 * p] - co[0];
      xs[p].px[t] = r[6 * p + 1] - co[1];
      xs[p].y[t] = r[6 * p + 2] - co[2];
      xs[p].py[t] = r[6 * p + 3] - co[3];
    }
    trackTurns(prog, r, k, 1, loss, { firstTurn: t });
  }
  return xs.map((s) => {
    if (!twiss) return [naffTune(s.x, undefined, windows?.x), naffTune(s.y, undefined, windows?.y)] as [number, number];
    const nx = normalised(s.x, s.px, twiss.betaX, twiss.alphaX);
    const ny = normalised(s.y, s.py, twiss.betaY, twiss.alphaY);
    return [naffTune(nx.re, nx.im, windows?.x), naffTune(ny.re, ny.im, windows?.y)] as [number, number];
  });
}

/** Courant–Snyder normalisation: x̄ = x/√β, p̄ = (αx + βp)/√β, z = x̄ − i p̄ (rotates at +ν). */
function normalised(x: Float64Array, p: Float64Array, beta: number, alpha: number) {
  const sb = Math.sqrt(beta);
  const re = new Float64Array(x.length);
  const im = new Float64Array(x.length);
  for (let n = 0; n < x.length; n++) {
    re[n] = x[n] / sb;
    im[n] = -(alpha * x[n] + beta * p[n]) / sb;
  }
  return { re, im };
}

export interface DetuningResult {
  /** Amplitudes [m] and the tunes there. */
  x: { amplitudeM: number[]; tunes: Array<[number, number]> };
  y: { amplitudeM: number[]; tunes: Array<[number, number]> };
  /** dνx/dJx, dνy/dJx, dνx/dJy, dνy/dJy [1/m] from straight-line fits of ν against J. */
  dQxdJx: number; dQydJx: number; dQxdJy: number; dQydJy: number;
}

function slope(xs: number[], ys: number[]): number {
  const pts = xs.map((x, i) => [x, ys[i]]).filter(([, y]) => Number.isFinite(y));
  if (pts.length < 2) return NaN;
  const mx = pts.reduce((s, [x]) => s + x, 0) / pts.length;
  const my = pts.reduce((s, [, y]) => s + y, 0) / pts.length;
  let num = 0;
  let den = 0;
  for (const [x, y] of pts) { num += (x - mx) * (y - my); den += (x - mx) ** 2; }
  return num / den;
}

/**
 * Amplitude-dependent tune shift at the tracking start: particles at x = A (with y = 1e-5 m so that
 * νy is measurable) and at y = A (x = 1e-5 m), on top of the closed orbit. The tunes are searched
 * within ±0.1 of the small-amplitude tunes so that a resonance-driven line (e.g. 2νy seen in x) is
 * not taken for the betatron tune.
 */
export function amplitudeTuneShift(prog: Program, amplitudesM: number[], turns: number, twiss: TwissXY, orbit?: ArrayLike<number>): DetuningResult {
  const co = orbit ?? [0, 0, 0, 0, 0, 0];
  const small = 1e-5;
  const start = (ax: number, ay: number) => {
    const s = Float64Array.from(co);
    s[0] += ax;
    s[2] += ay;
    return s;
  };
  const [q0] = trackedTunes(prog, start(small, small), turns, twiss, co);
  if (!q0.every(Number.isFinite)) throw new StudyError('the small-amplitude particle was lost: no linear tunes');
  const win = (q: number): [number, number] => [Math.max(0, q - 0.1), Math.min(1, q + 0.1)];
  const k = amplitudesM.length;
  const starts = new Float64Array(12 * k);
  amplitudesM.forEach((a, i) => {
    starts.set(start(a, small), 6 * i);
    starts.set(start(small, a), 6 * (k + i));
  });
  const tunes = trackedTunes(prog, starts, turns, twiss, co, { x: win(q0[0]), y: win(q0[1]) });
  const tx = tunes.slice(0, k);
  const ty = tunes.slice(k);
  const jx = amplitudesM.map((a) => (a * a) / (2 * twiss.betaX));
  const jy = amplitudesM.map((a) => (a * a) / (2 * twiss.betaY));
  return {
    x: { amplitudeM: amplitudesM, tunes: tx },
    y: { amplitudeM: amplitudesM, tunes: ty },
    dQxdJx: slope(jx, tx.map((t) => t[0])),
    dQydJx: slope(jx, tx.map((t) => t[1])),
    dQxdJy: slope(jy, ty.map((t) => t[0])),
    dQydJy: slope(jy, ty.map((t) => t[1])),
  };
}
