/**
 * Sextupole tuning of the built-in ring for dynamic aperture (DA) and momentum acceptance (MA):
 * the standard two-step method — minimise the resonance driving terms computed analytically from
 * the Twiss functions (fast), then check and refine the best candidates with tracking.
 *
 * Step 0 (linear constraint). The linear chromaticity is linear in the sextupole strengths
 * (ξ = ξ0 + R·k2, exact to the finite-difference noise of chromaticity.ts). For given harmonic
 * strengths (S1, S5) the chromatic families (SF, SD) are solved from the 2×2 system so that
 * ξ = target. Sextupoles at zero closed orbit leave the linear optics unchanged.
 *
 * Step 1 (analytic). For every sextupole slice j with integrated b3L_j = K2·ΔL/2 (MAD-X K2 [m⁻³];
 * b3 = K2/2 is Bengtsson's/Tracy's normalisation), at βx, βy, φx, φy of the slice centre:
 *   h21000 = −1/8  Σ b3L βx^{3/2} e^{iφx}          h30000 = −1/24 Σ b3L βx^{3/2} e^{3iφx}
 *   h10110 = +1/4  Σ b3L βx^{1/2} βy e^{iφx}       h10020 = +1/8  Σ b3L βx^{1/2} βy e^{i(φx−2φy)}
 *   h10200 = +1/8  Σ b3L βx^{1/2} βy e^{i(φx+2φy)}
 * (J. Bengtsson, "The sextupole scheme for the Swiss Light Source (SLS): an analytic approach",
 * SLS Note 9/97, 1997), summed over one cell: with 16 identical cells the ring sum is the cell sum
 * times a lattice factor, and the cell terms are what the cell's own sextupoles drive within the
 * turn (the quantity a cell-based scheme cancels).
 * Amplitude-dependent tune shifts (second order in the sextupoles, double sum over the ring, J the
 * action, x = √(2Jβ) cos φ; same note, and AT's nuamp_analyt):
 *   ∂νx/∂Jx = −P Σij b3Li b3Lj (βxi βxj)^{3/2} [3 cos(|Δφx| − πνx)/sin πνx + cos 3(|Δφx| − πνx)/sin 3πνx]
 *   ∂νx/∂Jy = −P Σij b3Li b3Lj √(βxi βxj) βyi [−4 βxj cos(|Δφx| − πνx)/sin πνx
 *               + 2 βyj cos(|Δφx| + 2|Δφy| − π(νx+2νy))/sin π(νx+2νy) − 2 βyj cos(|Δφx| − 2|Δφy| − π(νx−2νy))/sin π(νx−2νy)]
 *   ∂νy/∂Jy = −P Σij b3Li b3Lj √(βxi βxj) βyi βyj [4 cos(|Δφx| − πνx)/sin πνx
 *               + cos(|Δφx| + 2|Δφy| − π(νx+2νy))/sin π(νx+2νy) + cos(|Δφx| − 2|Δφy| − π(νx−2νy))/sin π(νx−2νy)]
 * with P = 1/(16π); the prefactor was checked here against tracked tunes (amplitudeTuneShift,
 * test/sim/studies/sextupoles.test.ts). Off-momentum: the tunes at δ = ±2 %, ±3 % from the exact
 * off-momentum closed orbit (sim/optics) — the non-linear chromaticity and any crossing of an
 * integer or half-integer resonance.
 * The objective makes every term dimensionless at the target amplitudes 2Jx = Ax²/βx,inj,
 * 2Jy = Ay²/βy,inj: |h_jklm| (2Jx)^{(j+k−1)/2}(2Jy)^{(l+m)/2}, ∂ν/∂J · J, Δν(δ) − ξδ.
 *
 * Step 2 (tracking). The best analytic candidates (grid + Nelder–Mead from seeded starts) are
 * ranked by a cheap DA proxy (few turns and rays, 4D, at the injection point INJ, δ = 0 and ±2 %);
 * Nelder–Mead on that proxy refines the best one. The seed fixes the random starts, so the whole
 * tuning is reproducible.
 */
import { magnetFamily, NANOTERASU_CELL, nanoterasuCell, nanoterasuRing, type NanoterasuOptions } from '../../lattice/nanoterasu.ts';
import { makeLattice, type Lattice } from '../../lattice/lattice.ts';
import { chromaticity } from '../optics/chromaticity.ts';
import { match } from '../optics/matching.ts';
import { compileLattice as compileOptics } from '../optics/maps.ts';
import { closedOrbit4 } from '../optics/orbit.ts';
import { isCoupled, linearOptics, periodPhases } from '../optics/twiss.ts';
import { uniformPair, seedKey } from '../parallel/rng.ts';
import { dynamicAperture, type DAResult } from './da.ts';
import type { Tracker } from './tracker.ts';

/** The sextupole families tuned here, MAD-X k2 [m⁻³]. */
export interface SextupoleSettings { SF: number; SD: number; S1: number; S5: number }

export const SEXTUPOLE_FAMILIES = ['SF', 'SD', 'S1', 'S5'] as const;

/**
 * The strengths of the synthetic model before any DA work (nanoterasu.md §2.4 [M]: chromaticity
 * corrected by SF/SD alone, harmonics off): the reference the tuning reports "before" against.
 */
export const MODEL_SETTINGS: Readonly<SextupoleSettings> = Object.freeze({ SF: 180, SD: -122, S1: 0, S5: 0 });

/** The strengths now in NANOTERASU_CELL. */
export function currentSettings(): SextupoleSettings {
  const f = NANOTERASU_CELL.families;
  return { SF: f.SF.k2 ?? 0, SD: f.SD.k2 ?? 0, S1: f.S1.k2 ?? 0, S5: f.S5.k2 ?? 0 };
}

function familyOverrides(s: SextupoleSettings): NonNullable<NanoterasuOptions['families']> {
  return { SF: { k2: s.SF }, SD: { k2: s.SD }, S1: { k2: s.S1 }, S5: { k2: s.S5 } };
}

/** The bare cell with these sextupoles. */
export function cellWith(s: SextupoleSettings): Lattice {
  return nanoterasuCell({ families: familyOverrides(s) });
}

/**
 * The full ring with these sextupoles, rotated so that it starts at the element named `at`
 * (default the injection point `INJ`): DA studies track from the first element.
 */
export function ringFrom(s: SextupoleSettings | null, at = 'INJ', opts: NanoterasuOptions = {}): Lattice {
  const ring = nanoterasuRing({ ...opts, ...(s ? { families: { ...opts.families, ...familyOverrides(s) } } : {}) });
  const i = ring.elements.findIndex((e) => e.name === at);
  if (i < 0) throw new RangeError(`no element named '${at}' in the ring`);
  return makeLattice({ ...ring, name: `${ring.name}@${at}`, elements: [...ring.elements.slice(i), ...ring.elements.slice(0, i)] });
}

// ─── Step 0: chromaticity constraint ──────────────────────────────────────────────────────────

/** ξ = ξ0 + Σ_f R_f k2_f (full ring), from finite differences of chromaticity() on the cell. */
export interface ChromaticityResponse {
  xi0: [number, number];
  /** dξ/dk2 per family [m³]. */
  perFamily: Record<(typeof SEXTUPOLE_FAMILIES)[number], [number, number]>;
}

export function chromaticityResponse(): ChromaticityResponse {
  const zero: SextupoleSettings = { SF: 0, SD: 0, S1: 0, S5: 0 };
  const xi0 = chromaticity(cellWith(zero));
  const step = 10; // m⁻³; the response is linear, the step only sets the rounding
  const perFamily = {} as ChromaticityResponse['perFamily'];
  for (const f of SEXTUPOLE_FAMILIES) {
    const xi = chromaticity(cellWith({ ...zero, [f]: step }));
    perFamily[f] = [(xi[0] - xi0[0]) / step, (xi[1] - xi0[1]) / step];
  }
  return { xi0, perFamily };
}

/** SF and SD that give chromaticity `target` with the harmonic families at (S1, S5). */
export function solveChromaticFamilies(resp: ChromaticityResponse, target: [number, number], S1: number, S5: number): SextupoleSettings {
  const r = resp.perFamily;
  const bx = target[0] - resp.xi0[0] - r.S1[0] * S1 - r.S5[0] * S5;
  const by = target[1] - resp.xi0[1] - r.S1[1] * S1 - r.S5[1] * S5;
  const det = r.SF[0] * r.SD[1] - r.SD[0] * r.SF[1];
  return { SF: (bx * r.SD[1] - r.SD[0] * by) / det, SD: (r.SF[0] * by - bx * r.SF[1]) / det, S1, S5 };
}

/**
 * SF and SD re-fitted with the matching module (Levenberg–Marquardt, sim/optics/matching.ts) to the
 * target chromaticity, S1 and S5 kept: the exact polish after the linear solve.
 */
export function matchChromaticity(s: SextupoleSettings, target: [number, number]): SextupoleSettings {
  const res = match(cellWith(s), [{ family: 'SF_*', field: 'k2' }, { family: 'SD_*', field: 'k2' }], [
    { kind: 'chromaticity', plane: 'x', value: target[0] },
    { kind: 'chromaticity', plane: 'y', value: target[1] },
  ]);
  if (res.missed.length) throw new RangeError(`chromaticity (${target.join(', ')}) not reached by SF/SD: ${res.missed.map((m) => m.label).join(', ')}`);
  const v = (f: string) => res.variables.find((x) => x.family === f)!.final;
  return { SF: v('SF_*'), SD: v('SD_*'), S1: s.S1, S5: s.S5 };
}

// ─── Step 1: driving terms ────────────────────────────────────────────────────────────────────

interface Slice { family: string; ds: number; betaX: number; betaY: number; muX: number; muY: number; etaX: number }

/**
 * The sextupole slices of one cell with their optics (sextupoles are drifts for the linear optics at
 * zero orbit: β(s) = β0 − 2α0 s + γ0 s², Δμ = atan(s/(β0 − α0 s))), and the cell tunes.
 * Computed once: the linear optics does not depend on the sextupoles.
 */
export interface CellGeometry { slices: Slice[]; tunes: [number, number]; periodicity: number }

export function cellGeometry(slicesPerMagnet = 4): CellGeometry {
  const cell = nanoterasuCell();
  const opt = linearOptics(cell);
  const tw = opt.twiss;
  const slices: Slice[] = [];
  cell.elements.forEach((e, i) => {
    if (e.type !== 'sextupole') return;
    for (let k = 0; k < slicesPerMagnet; k++) {
      const s = (e.length * (k + 0.5)) / slicesPerMagnet;
      const drift = (b: number, a: number) => ({ beta: b - 2 * a * s + ((1 + a * a) / b) * s * s, dmu: Math.atan2(s, b - a * s) });
      const x = drift(tw.betaX[i], tw.alphaX[i]);
      const y = drift(tw.betaY[i], tw.alphaY[i]);
      slices.push({
        family: magnetFamily(e.name), ds: e.length / slicesPerMagnet,
        betaX: x.beta, betaY: y.beta, muX: tw.muX[i] + x.dmu, muY: tw.muY[i] + y.dmu, etaX: tw.etaX[i] + tw.etaPX[i] * s,
      });
    }
  });
  return { slices, tunes: opt.tunes, periodicity: cell.periodicity };
}

export interface DrivingTerms {
  /** |h| of one cell [m^{-1/2}] (geometric, first order in the sextupoles). */
  h21000: number; h30000: number; h10110: number; h10020: number; h10200: number;
  /** Amplitude-dependent tune shifts of the ring [1/m] (J = action). */
  dQxdJx: number; dQxdJy: number; dQydJy: number;
}

type C = [number, number];

export function drivingTerms(g: CellGeometry, s: SextupoleSettings): DrivingTerms {
  const h = { h21000: [0, 0] as C, h30000: [0, 0] as C, h10110: [0, 0] as C, h10020: [0, 0] as C, h10200: [0, 0] as C };
  const add = (acc: C, amp: number, phase: number) => { acc[0] += amp * Math.cos(phase); acc[1] += amp * Math.sin(phase); };
  const b3L = g.slices.map((sl) => (strength(s, sl.family) / 2) * sl.ds);
  g.slices.forEach((sl, j) => {
    const b = b3L[j];
    if (b === 0) return;
    const bx = sl.betaX, by = sl.betaY, px = sl.muX, py = sl.muY;
    add(h.h21000, (-b / 8) * bx ** 1.5, px);
    add(h.h30000, (-b / 24) * bx ** 1.5, 3 * px);
    add(h.h10110, (b / 4) * Math.sqrt(bx) * by, px);
    add(h.h10020, (b / 8) * Math.sqrt(bx) * by, px - 2 * py);
    add(h.h10200, (b / 8) * Math.sqrt(bx) * by, px + 2 * py);
  });
  // Detuning: double sum over every slice of the ring (the cell repeated `periodicity` times).
  const nC = g.periodicity;
  const n = g.slices.length;
  const cellMuX = (2 * Math.PI * g.tunes[0]) / nC;
  const cellMuY = (2 * Math.PI * g.tunes[1]) / nC;
  const pnx = Math.PI * g.tunes[0], pny = Math.PI * g.tunes[1];
  const sx = Math.sin(pnx), s3x = Math.sin(3 * pnx), sp = Math.sin(pnx + 2 * pny), sm = Math.sin(pnx - 2 * pny);
  let xx = 0, xy = 0, yy = 0;
  for (let i = 0; i < n; i++) {
    if (b3L[i] === 0) continue;
    const a = g.slices[i];
    for (let c = 0; c < nC; c++) {
      for (let j = 0; j < n; j++) {
        if (b3L[j] === 0) continue;
        const b = g.slices[j];
        const dx = Math.abs(b.muX + c * cellMuX - a.muX);
        const dy = Math.abs(b.muY + c * cellMuY - a.muY);
        const bb = b3L[i] * b3L[j];
        const sq = Math.sqrt(a.betaX * b.betaX);
        const cx = Math.cos(dx - pnx) / sx;
        const cp = Math.cos(dx + 2 * dy - (pnx + 2 * pny)) / sp;
        const cm = Math.cos(dx - 2 * dy - (pnx - 2 * pny)) / sm;
        xx += bb * sq ** 3 * (3 * cx + Math.cos(3 * (dx - pnx)) / s3x);
        xy += bb * sq * a.betaY * (-4 * b.betaX * cx + 2 * b.betaY * cp - 2 * b.betaY * cm);
        yy += bb * sq * a.betaY * b.betaY * (4 * cx + cp + cm);
      }
    }
  }
  // i runs over one cell, j over the ring: × nC for the full double sum (every cell alike).
  const P = -nC / (16 * Math.PI);
  const abs = (z: C) => Math.hypot(z[0], z[1]);
  return {
    h21000: abs(h.h21000), h30000: abs(h.h30000), h10110: abs(h.h10110), h10020: abs(h.h10020), h10200: abs(h.h10200),
    dQxdJx: P * xx, dQxdJy: P * xy, dQydJy: P * yy,
  };
}

function strength(s: SextupoleSettings, family: string): number {
  return family in s ? s[family as keyof SextupoleSettings] : 0;
}

/** Tune shifts of the ring at momentum offsets δ (fractional, relative to δ = 0); null if unstable. */
export function offMomentumTuneShifts(s: SextupoleSettings, deltas: readonly number[]): Array<[number, number]> | null {
  const ring = compileOptics(cellWith(s));
  const phases = (d: number) => {
    const o = closedOrbit4(ring, d);
    return periodPhases(o.periodJ, isCoupled(o.periodJ), d);
  };
  try {
    const p0 = phases(0);
    return deltas.map((d) => {
      const p = phases(d);
      return [0, 1].map((k) => {
        let dm = p[k] - p0[k];
        if (dm > Math.PI) dm -= 2 * Math.PI;
        if (dm < -Math.PI) dm += 2 * Math.PI;
        return (ring.periodicity * dm) / (2 * Math.PI);
      }) as [number, number];
    });
  } catch {
    return null; // no closed orbit or unstable optics at some δ
  }
}

export interface ObjectiveOptions {
  /** Target amplitudes at the injection point [m] and the β there. */
  ampXM: number; ampYM: number; betaXInj: number; betaYInj: number;
  chromaticity: [number, number];
  /** Momentum offsets of the off-momentum term. */
  deltas: number[];
}

export const DEFAULT_OBJECTIVE: Omit<ObjectiveOptions, 'betaXInj' | 'betaYInj'> = {
  ampXM: 0.01, ampYM: 0.003, chromaticity: [1, 1], deltas: [-0.03, -0.02, 0.02, 0.03],
};

/** The dimensionless analytic objective (sum of squares) and its parts. */
export function analyticObjective(g: CellGeometry, s: SextupoleSettings, o: ObjectiveOptions): { value: number; terms: DrivingTerms; parts: Record<string, number> } {
  const t = drivingTerms(g, s);
  const jx2 = (o.ampXM * o.ampXM) / o.betaXInj; // 2Jx
  const jy2 = (o.ampYM * o.ampYM) / o.betaYInj;
  const parts: Record<string, number> = {
    h21000: t.h21000 * Math.sqrt(jx2), h30000: t.h30000 * Math.sqrt(jx2),
    h10110: t.h10110 * Math.sqrt(jy2), h10020: t.h10020 * Math.sqrt(jy2), h10200: t.h10200 * Math.sqrt(jy2),
    dQxdJx: (t.dQxdJx * jx2) / 2, dQxdJy: (t.dQxdJy * jy2) / 2, dQydJy: (t.dQydJy * jy2) / 2,
  };
  const shifts = offMomentumTuneShifts(s, o.deltas);
  if (!shifts) return { value: Infinity, terms: t, parts };
  let off = 0;
  shifts.forEach((q, k) => {
    const d = o.deltas[k];
    off += (q[0] - o.chromaticity[0] * d) ** 2 + (q[1] - o.chromaticity[1] * d) ** 2;
  });
  parts.offMomentum = Math.sqrt(off);
  let value = 0;
  for (const v of Object.values(parts)) value += v * v;
  return { value, terms: t, parts };
}

// ─── Optimiser ────────────────────────────────────────────────────────────────────────────────

/**
 * Nelder–Mead simplex minimisation (J. A. Nelder, R. Mead, Comput. J. 7 (1965) 308; standard
 * coefficients 1, 2, ½, ½). Deterministic for a given start and step.
 */
export async function nelderMead(
  f: (x: number[]) => number | Promise<number>, x0: number[], step: number[], maxEvals: number,
): Promise<{ x: number[]; value: number; evaluations: number }> {
  const n = x0.length;
  let evals = 0;
  const ev = async (x: number[]) => { evals++; const v = await f(x); return Number.isFinite(v) ? v : Infinity; };
  let simplex: Array<{ x: number[]; v: number }> = [{ x: x0, v: await ev(x0) }];
  for (let i = 0; i < n; i++) {
    const x = x0.slice();
    x[i] += step[i];
    simplex.push({ x, v: await ev(x) });
  }
  while (evals < maxEvals) {
    simplex.sort((a, b) => a.v - b.v);
    const worst = simplex[n];
    const c = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) c[k] += simplex[i].x[k] / n;
    const at = (t: number) => c.map((ck, k) => ck + t * (worst.x[k] - ck));
    const xr = at(-1);
    const vr = await ev(xr);
    if (vr < simplex[0].v) {
      const xe = at(-2);
      const ve = await ev(xe);
      simplex[n] = ve < vr ? { x: xe, v: ve } : { x: xr, v: vr };
    } else if (vr < simplex[n - 1].v) {
      simplex[n] = { x: xr, v: vr };
    } else {
      const xc = vr < worst.v ? at(-0.5) : at(0.5);
      const vc = await ev(xc);
      if (vc < Math.min(vr, worst.v)) simplex[n] = { x: xc, v: vc };
      else {
        const best = simplex[0].x;
        simplex = [simplex[0], ...(await Promise.all(simplex.slice(1).map(async (p) => {
          const x = best.map((b, k) => b + 0.5 * (p.x[k] - b));
          return { x, v: await ev(x) };
        })))];
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return { x: simplex[0].x, value: simplex[0].v, evaluations: evals };
}

// ─── Step 2: tracking ─────────────────────────────────────────────────────────────────────────

export interface DAProxyOptions { turns: number; rays: number; deltas: number[]; precisionM: number; rMaxM: number }

export const DA_PROXY: DAProxyOptions = { turns: 128, rays: 9, deltas: [0, 0.02, -0.02], precisionM: 3e-4, rMaxM: 0.02 };

/** Summary numbers of a DA at INJ: x reach on both sides, area, per δ. */
export interface DASummary { delta: number; xMinM: number; xMaxM: number; yMaxM: number; areaM2: number }

export function summariseDA(res: DAResult): DASummary[] {
  return res.boundaries.map((b) => ({
    delta: b.delta,
    xMinM: Math.min(...b.rays.map((r) => r.xM)),
    xMaxM: Math.max(...b.rays.map((r) => r.xM)),
    yMaxM: Math.max(...b.rays.map((r) => r.yM)),
    areaM2: b.areaM2,
  }));
}

export async function daAtInjection(s: SextupoleSettings | null, tracker: Tracker, o: DAProxyOptions): Promise<DASummary[]> {
  const res = await dynamicAperture(ringFrom(s), tracker, { turns: o.turns, deltas: o.deltas, rays: o.rays, rMaxM: o.rMaxM, precisionM: o.precisionM, compile: { mode: '4d' } });
  return summariseDA(res);
}

/**
 * Tracking score to maximise [m²]: on-momentum area plus half the mean off-momentum area, plus a
 * bonus for the injection-side reach |x_min| (δ = 0), capped at the requirement.
 */
export function daScore(d: DASummary[], requiredXM: number, bothSides = false): number {
  const on = d.find((b) => b.delta === 0) ?? d[0];
  const off = d.filter((b) => b !== on);
  const offArea = off.length ? off.reduce((a, b) => a + b.areaM2, 0) / off.length : 0;
  const reach = bothSides ? Math.min(-on.xMinM, on.xMaxM) : -on.xMinM;
  return on.areaM2 + 0.5 * offArea + 2e-3 * Math.min(reach, requiredXM);
}

// ─── The whole tuning ─────────────────────────────────────────────────────────────────────────

export interface TuneOptions {
  seed: number;
  /** The "before" strengths reported against (default MODEL_SETTINGS); the search does not start from them. */
  start?: SextupoleSettings;
  chromaticity?: [number, number];
  /** Bounds of the harmonic families |S1|, |S5| ≤ [m⁻³]. */
  harmonicMax?: number;
  /** Random Nelder–Mead starts of the analytic step. */
  starts?: number;
  /** Analytic candidates passed to tracking. */
  candidates?: number;
  /** Tracking Nelder–Mead evaluations (0 = rank only). */
  trackingEvaluations?: number;
  proxy?: DAProxyOptions;
  /** Injection requirement |x_min| at INJ [m] (see injectionRequirement). */
  requiredXM?: number;
  /** Reward the reach on both sides of x (septum side unknown) instead of the −x side only. */
  bothSides?: boolean;
  log?: (msg: string) => void;
}

export interface TuneResult {
  seed: number;
  chromaticityTarget: [number, number];
  response: ChromaticityResponse;
  start: { settings: SextupoleSettings; objective: number; da: DASummary[] };
  candidates: Array<{ settings: SextupoleSettings; objective: number; score: number; da: DASummary[] }>;
  best: { settings: SextupoleSettings; objective: number; terms: DrivingTerms; score: number; da: DASummary[] };
  trackingEvaluations: number;
}

/** A uniform number in [lo, hi) from the seed's stream (counter k). */
function uniform(seed: number, k: number, lo: number, hi: number): number {
  const [k0, k1] = seedKey(seed);
  return lo + (hi - lo) * uniformPair(k, 0x5e47, 0, 0, k0, k1)[0];
}

export async function tuneSextupoles(tracker: Tracker, opts: TuneOptions): Promise<TuneResult> {
  const log = opts.log ?? (() => {});
  const xiT = opts.chromaticity ?? [1, 1];
  const hMax = opts.harmonicMax ?? 300;
  const proxy = opts.proxy ?? DA_PROXY;
  const req = opts.requiredXM ?? injectionRequirement().requiredXM;
  const resp = chromaticityResponse();
  const g = cellGeometry();
  const opt = linearOptics(ringFrom(null));
  const objOpts: ObjectiveOptions = { ...DEFAULT_OBJECTIVE, chromaticity: xiT, betaXInj: opt.twiss.betaX[0], betaYInj: opt.twiss.betaY[0] };
  const settingsOf = (x: number[]) => solveChromaticFamilies(resp, xiT, x[0], x[1]);
  const analytic = (x: number[]) =>
    Math.abs(x[0]) > hMax || Math.abs(x[1]) > hMax ? Infinity : analyticObjective(g, settingsOf(x), objOpts).value;

  const start = { ...(opts.start ?? MODEL_SETTINGS) };
  const startDA = await daAtInjection(start, tracker, proxy);
  log(`start ${fmt(start)}: analytic ${analyticObjective(g, start, objOpts).value.toExponential(3)}, DA score ${daScore(startDA, req, opts.bothSides).toExponential(3)}`);

  // Analytic step: a coarse grid, then Nelder–Mead from the best grid points and from seeded random starts.
  const grid: Array<{ x: number[]; v: number }> = [];
  const N = 13;
  for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) {
    const x = [-hMax + (2 * hMax * a) / (N - 1), -hMax + (2 * hMax * b) / (N - 1)];
    grid.push({ x, v: analytic(x) });
  }
  grid.sort((p, q) => p.v - q.v);
  const nStarts = opts.starts ?? 6;
  const seeds = [...grid.slice(0, 3).map((p) => p.x)];
  for (let k = 0; k < nStarts - 3; k++) seeds.push([uniform(opts.seed, 2 * k, -hMax, hMax), uniform(opts.seed, 2 * k + 1, -hMax, hMax)]);
  const minima: Array<{ x: number[]; v: number }> = [];
  for (const x0 of seeds) {
    const r = await nelderMead(analytic, x0, [hMax / 6, hMax / 6], 120);
    minima.push({ x: r.x, v: r.value });
  }
  minima.sort((p, q) => p.v - q.v);
  // distinct candidates (points closer than 5 m⁻³ in (S1, S5) count as the same); the analytic
  // minima first, then the best grid points: the tracked DA decides between them
  const distinct: typeof minima = [];
  for (const m of [...minima, ...grid]) {
    if (distinct.length >= (opts.candidates ?? 4)) break;
    if (distinct.every((d) => Math.hypot(d.x[0] - m.x[0], d.x[1] - m.x[1]) > 5)) distinct.push(m);
  }
  let trackingEvals = 0;
  const candidates: TuneResult['candidates'] = [];
  for (const c of distinct) {
    const s = settingsOf(c.x);
    const da = await daAtInjection(s, tracker, proxy);
    trackingEvals++;
    candidates.push({ settings: s, objective: c.v, score: daScore(da, req, opts.bothSides), da });
    log(`candidate ${fmt(s)}: analytic ${c.v.toExponential(3)}, DA score ${daScore(da, req, opts.bothSides).toExponential(3)}, x ${da.map((d) => `${(d.xMinM * 1e3).toFixed(1)}…${(d.xMaxM * 1e3).toFixed(1)}`).join(' / ')} mm`);
  }
  candidates.sort((p, q) => q.score - p.score);
  let best = candidates[0];
  if ((opts.trackingEvaluations ?? 0) > 0) {
    const trackScore = async (x: number[]) => {
      if (Math.abs(x[0]) > hMax || Math.abs(x[1]) > hMax) return Infinity;
      const s = settingsOf(x);
      const da = await daAtInjection(s, tracker, proxy);
      trackingEvals++;
      const score = daScore(da, req, opts.bothSides);
      if (score > best.score) best = { settings: s, objective: analytic(x), score, da };
      log(`  tracking ${fmt(s)}: DA score ${score.toExponential(3)}`);
      return -score;
    };
    await nelderMead(trackScore, [best.settings.S1, best.settings.S5], [hMax / 10, hMax / 10], opts.trackingEvaluations!);
  }
  // Round the harmonic families to 0.01 m⁻³ and fit SF/SD exactly with the matching module.
  const rounded = matchChromaticity({ ...best.settings, S1: Math.round(best.settings.S1 * 100) / 100, S5: Math.round(best.settings.S5 * 100) / 100 }, xiT);
  best = { settings: rounded, objective: analyticObjective(g, rounded, objOpts).value, score: best.score, da: best.da };
  log(`result ${fmt(rounded)} (S1, S5 rounded to 0.01; SF, SD matched to ξ = (${xiT.join(', ')}))`);
  return {
    seed: opts.seed,
    chromaticityTarget: xiT,
    response: resp,
    start: { settings: start, objective: analyticObjective(g, start, objOpts).value, da: startDA },
    candidates,
    best: { ...best, terms: drivingTerms(g, best.settings) },
    trackingEvaluations: trackingEvals,
  };
}

function fmt(s: SextupoleSettings): string {
  return SEXTUPOLE_FAMILIES.map((f) => `${f} ${s[f].toFixed(2)}`).join(', ');
}

// ─── Injection requirement ────────────────────────────────────────────────────────────────────

/**
 * Assumptions [A] (none published except the bump [S]): the septum is on the −x side; the stored
 * beam is bumped by 7.5 mm [S] towards it; the septum blade plus clearance is 1.0 mm thick; the
 * injected beam (geometric emittance 10 nm·rad at 3 GeV, matched to βx at INJ) is centred 3σx
 * beyond the blade, so its centroid is at x = −(bump + septum + 3σx) from the unbumped orbit.
 * When the bump collapses it oscillates about the closed orbit with that amplitude; the DA must
 * reach the centroid plus 1σx (most of the bunch; the efficiency is then measured by tracking the
 * bunch, sim/topup/injection-tracking.ts).
 */
export interface InjectionRequirement { bumpM: number; septumM: number; sigmaXM: number; centroidXM: number; requiredXM: number }

export function injectionRequirement(opts: { bumpM?: number; septumM?: number; emittanceM?: number; betaXM?: number } = {}): InjectionRequirement {
  const bumpM = opts.bumpM ?? 7.5e-3;
  const septumM = opts.septumM ?? 1.0e-3;
  const betaX = opts.betaXM ?? linearOptics(ringFrom(null)).twiss.betaX[0];
  const sigmaXM = Math.sqrt((opts.emittanceM ?? 10e-9) * betaX);
  const centroid = bumpM + septumM + 3 * sigmaXM;
  return { bumpM, septumM, sigmaXM, centroidXM: -centroid, requiredXM: centroid + sigmaXM };
}
