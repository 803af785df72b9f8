/**
 * Where the lifetime model gets its beam.
 *
 *  - `beamFromLattice(lattice)`: the optics of the lattice from sim/optics (Twiss at every element
 *    entrance and inside thick elements every ≤ 0.25 m, equilibrium εx, σδ, U0, αc, damping times,
 *    the RF voltage and harmonic of its cavities). The momentum acceptance is flat (= the RF
 *    acceptance) until a local acceptance is supplied with `withLocalAcceptance` (from
 *    sim/studies/ma.ts or any tracking study: positions and ± acceptance, interpolated in s).
 *  - `builtinBeam()`: the built-in ring through `beamFromLattice(nanoterasuCell())` (one cell: the
 *    ring is 16 identical cells; the RF and injection straights are not in it); if the optics cannot
 *    be computed, the documented fallback of nanoterasu-model.ts ([M] table, 17 points per cell).
 * The notes say which was used.
 */
import { readFileSync } from 'node:fs';
import type { Lattice } from '../../lattice/lattice.ts';
import { C_LIGHT } from '../constants.ts';
import { nanoterasuFallbackBeam } from './nanoterasu-model.ts';
import type { RingBeam } from './ring.ts';
import type { LocalOptics } from './touschek.ts';

export interface BeamSource {
  beam: RingBeam;
  notes: string[];
}

const PUBLISHED_NOTE = 'no lifetime of NanoTerasu is published: compare with typical 4th-generation rings (5–20 h at design current)';

/** Largest spacing of the optics samples inside thick elements [m]. */
const MAX_SAMPLE_STEP_M = 0.25;

/** Default RF of the built-in ring when the lattice has no cavity: 3.39 MV [D], h = 592 [S]. */
const BUILTIN_RF = { voltageV: 3.39e6, harmonic: 592 };

/**
 * The beam of a lattice from sim/optics. Throws (OpticsError) when the optics cannot be computed.
 * `rfDefault` is used when the lattice has no cavity with voltage (e.g. the bare built-in cell).
 */
export async function beamFromLattice(lattice: Lattice, rfDefault: { voltageV: number; harmonic: number } = BUILTIN_RF): Promise<BeamSource> {
  const { computeOpticsDetailed } = await import('../optics/summary.ts');
  const { twissInside } = await import('../optics/twiss.ts');
  const res = computeOpticsDetailed(lattice, { skipNaturalChromaticity: true });
  const sum = res.summary;
  const t = res.twiss;
  const n = t.s.length - 1;
  const s: number[] = [], bx: number[] = [], ax: number[] = [], by: number[] = [], ay: number[] = [], ex: number[] = [], epx: number[] = [];
  const push = (r: { s: number; betaX: number; betaY: number; alphaX: number; alphaY: number; etaX: number; etaPX: number }) => {
    s.push(r.s); bx.push(r.betaX); ax.push(r.alphaX); by.push(r.betaY); ay.push(r.alphaY); ex.push(r.etaX); epx.push(r.etaPX);
  };
  for (let i = 0; i <= n; i++) {
    push({ s: t.s[i], betaX: t.betaX[i], betaY: t.betaY[i], alphaX: t.alphaX[i], alphaY: t.alphaY[i], etaX: t.etaX[i], etaPX: t.etaPX[i] });
    if (i === n) break;
    const L = t.s[i + 1] - t.s[i];
    const k = Math.ceil(L / MAX_SAMPLE_STEP_M);
    if (k > 1 && !res.optics.coupled) {
      const fr = Array.from({ length: k - 1 }, (_, j) => (j + 1) / k);
      for (const r of twissInside(res.optics, i, fr)) push(r); // r.s is measured from the period start
    }
  }
  const pick = (arr: number[]) => Float64Array.from(arr);
  const optics: LocalOptics = {
    sM: pick(s), betaX: pick(bx), alphaX: pick(ax), betaY: pick(by), alphaY: pick(ay), etaX: pick(ex), etaPX: pick(epx),
  };
  const rf = sum.rf;
  const fallback = nanoterasuFallbackBeam();
  const beam: RingBeam = {
    ...fallback,
    name: lattice.name,
    energyEV: sum.energyEV,
    circumferenceM: sum.circumferenceM,
    harmonic: rf ? rf.harmonicNumber : rfDefault.harmonic,
    optics,
    momentumAcceptancePos: 0.1,
    momentumAcceptanceNeg: 0.1,
    source: `sim/optics on lattice '${lattice.name}': ${optics.sM.length} optics samples per period; flat momentum acceptance = RF acceptance (no local acceptance supplied)`,
    naturalEmittanceM: sum.emittanceM,
    energySpread: sum.energySpread,
    rf: {
      voltageV: rf ? rf.totalVoltageV : rfDefault.voltageV,
      energyLossPerTurnEV: sum.energyLossPerTurnEV,
      momentumCompaction: sum.momentumCompaction,
    },
    dampingTimesS: { x: sum.dampingTimesS[0], y: sum.dampingTimesS[1], z: sum.dampingTimesS[2] },
  };
  return {
    beam,
    notes: [
      `optics from sim/optics: εx ${(sum.emittanceM * 1e9).toFixed(3)} nm, σδ ${sum.energySpread.toExponential(3)}, αc ${sum.momentumCompaction.toExponential(3)}, U0 ${(sum.energyLossPerTurnEV / 1e6).toFixed(3)} MeV, C ${sum.circumferenceM.toFixed(3)} m (T0 ${((sum.circumferenceM / C_LIGHT) * 1e6).toFixed(4)} µs)`,
      `RF ${rf ? 'from the lattice cavities' : `${(rfDefault.voltageV / 1e6).toFixed(2)} MV, h = ${rfDefault.harmonic} (the lattice has no cavity: built-in default or rfVoltageMV)`}`,
      'momentum acceptance: flat, limited by the RF acceptance (no local acceptance from tracking)',
      PUBLISHED_NOTE,
    ],
  };
}

/** A local momentum acceptance, e.g. from sim/studies/ma.ts: positions [m] and ± acceptance (|δ|). */
export interface LocalAcceptance {
  sM: ArrayLike<number>;
  positive: ArrayLike<number>;
  negative: ArrayLike<number>;
  /** Where it came from (printed). */
  source: string;
}

/** Linear interpolation of (xs, ys) at x, periodic over `period` (xs increasing within one period). */
function interpPeriodic(xs: ArrayLike<number>, ys: ArrayLike<number>, x: number, period: number): number {
  const n = xs.length;
  const u = ((x % period) + period) % period;
  if (u <= xs[0] || u >= xs[n - 1]) {
    // wrap between the last and the first sample
    const x0 = xs[n - 1], x1 = xs[0] + period;
    const uu = u <= xs[0] ? u + period : u;
    return x1 === x0 ? ys[0] : ys[n - 1] + ((ys[0] - ys[n - 1]) * (uu - x0)) / (x1 - x0);
  }
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) { const m = (lo + hi) >> 1; if (xs[m] <= u) lo = m; else hi = m; }
  return xs[hi] === xs[lo] ? ys[lo] : ys[lo] + ((ys[hi] - ys[lo]) * (u - xs[lo])) / (xs[hi] - xs[lo]);
}

/**
 * The beam with a local momentum acceptance interpolated at its optics samples. The acceptance may
 * cover one period or the whole ring; it is treated as periodic over `periodM` (default: the span
 * of the beam's optics samples).
 */
export function withLocalAcceptance(beam: RingBeam, acc: LocalAcceptance, periodM?: number): RingBeam {
  const n = acc.sM.length;
  if (n < 1 || acc.positive.length !== n || acc.negative.length !== n)
    throw new Error('local acceptance: sM, positive and negative must have the same (non-zero) length');
  const s = beam.optics.sM;
  const period = periodM ?? s[s.length - 1] - s[0];
  const pos = new Float64Array(s.length), neg = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) {
    pos[i] = n === 1 ? acc.positive[0] : interpPeriodic(acc.sM, acc.positive, s[i], period);
    neg[i] = n === 1 ? Math.abs(acc.negative[0]) : Math.abs(interpPeriodic(acc.sM, acc.negative, s[i], period));
  }
  return {
    ...beam,
    momentumAcceptancePos: pos,
    momentumAcceptanceNeg: neg,
    source: beam.source.replace(/flat momentum acceptance.*$/, `local momentum acceptance from ${acc.source} (${n} points)`),
  };
}

/** The beam of the built-in ring (see the module comment). */
export async function builtinBeam(opts: { rfVoltageV?: number } = {}): Promise<BeamSource> {
  try {
    const { nanoterasuCell } = await import('../../lattice/nanoterasu.ts');
    const src = await beamFromLattice(nanoterasuCell(), { voltageV: opts.rfVoltageV ?? BUILTIN_RF.voltageV, harmonic: BUILTIN_RF.harmonic });
    // One cell carries the averages of the ring; the ring's circumference is 16 cells.
    src.beam = { ...src.beam, name: 'nanoterasu', circumferenceM: src.beam.circumferenceM };
    return src;
  } catch (err) {
    const beam = nanoterasuFallbackBeam();
    return {
      beam,
      notes: [
        `sim/optics could not be used (${(err as Error).message}); fallback:`,
        'optics: [M] synthetic-cell Twiss at the element ends of nanoterasu.md §2.4 (17 points per cell), εx 1.14 nm, σδ 8.39e-4, αc 4.12e-4, U0 0.615 MeV',
        'momentum acceptance: flat, limited by the RF acceptance (no local acceptance from tracking)',
        PUBLISHED_NOTE,
      ],
    };
  }
}

/** One point of a local momentum-acceptance study (the shape of sim/studies/ma.ts `MAPoint`). */
export interface AcceptancePoint {
  sM: number;
  deltaPlus: number;
  /** Negative side, as returned by the study (sign ignored). */
  deltaMinus: number;
}

/** A local acceptance from study points (sorted by s; points at the same s keep the smallest). */
export function acceptanceFromPoints(points: readonly AcceptancePoint[], source: string): LocalAcceptance {
  if (points.length === 0) throw new Error('local acceptance: the study returned no points');
  const sorted = [...points].sort((a, b) => a.sM - b.sM);
  return {
    sM: Float64Array.from(sorted, (p) => p.sM),
    positive: Float64Array.from(sorted, (p) => Math.abs(p.deltaPlus)),
    negative: Float64Array.from(sorted, (p) => Math.abs(p.deltaMinus)),
    source,
  };
}

/**
 * The local momentum acceptance of a lattice by tracking (sim/studies/ma.ts, serial tracker). The
 * study module is loaded at run time so that this file does not depend on it being present.
 * Slow: about (elements/every) × 2 × bisection steps × turns × elements passes.
 */
export async function trackedAcceptance(lattice: Lattice, opts: { turns: number; every?: number; deltaMax?: number }): Promise<LocalAcceptance> {
  const maPath = '../studies/ma.ts';
  const trackerPath = '../studies/tracker.ts';
  const ma = (await import(/* @vite-ignore */ maPath)) as {
    momentumAcceptance(lat: Lattice, tracker: unknown, o: { turns: number; every?: number; deltaMax?: number }): Promise<{ points: AcceptancePoint[] }>;
  };
  const tr = (await import(/* @vite-ignore */ trackerPath)) as { serialTracker(seed?: number): unknown };
  const res = await ma.momentumAcceptance(lattice, tr.serialTracker(0), opts);
  return acceptanceFromPoints(res.points, `tracking (sim/studies/ma.ts, ${opts.turns} turns, every ${opts.every ?? 10} elements)`);
}

/**
 * The beam for a lifetime study: of `lattice` (or the built-in ring), with the local momentum
 * acceptance from tracking when `tracking` is given (then the whole ring's optics are used, so that
 * the acceptance points and the optics share one s axis).
 */
export async function resolveBeam(
  opts: { lattice?: Lattice; tracking?: { turns: number; every?: number }; acceptance?: LocalAcceptance; rfVoltageV?: number } = {},
): Promise<BeamSource> {
  if (!opts.tracking && !opts.acceptance) return opts.lattice ? beamFromLattice(opts.lattice) : builtinBeam({ rfVoltageV: opts.rfVoltageV });
  const lat = opts.lattice ?? (await import('../../lattice/nanoterasu.ts')).nanoterasuRing(opts.rfVoltageV !== undefined ? { rfVoltageV: opts.rfVoltageV } : {});
  const src = await beamFromLattice(lat);
  const acc = opts.acceptance ?? (await trackedAcceptance(lat, opts.tracking!));
  const beam = withLocalAcceptance(src.beam, acc, src.beam.circumferenceM);
  const mean = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0) / a.length;
  const min = (a: ArrayLike<number>) => Math.min(...Array.from(a));
  return {
    beam,
    notes: src.notes.map((n) =>
      n.startsWith('momentum acceptance')
        ? `momentum acceptance: ${acc.source}, ${acc.sM.length} points; mean +${(mean(acc.positive) * 100).toFixed(2)} % / −${(mean(acc.negative) * 100).toFixed(2)} %, smallest +${(min(acc.positive) * 100).toFixed(2)} % / −${(min(acc.negative) * 100).toFixed(2)} % (then limited by the RF acceptance)`
        : n),
  };
}

/**
 * Reads a local momentum acceptance saved by `nanoterasu ma --json` (keys: points [{sM, deltaPlus,
 * deltaMinus}], optionally turns and lattice). Errors name the file and the bad entry.
 */
export function readAcceptanceFile(path: string): LocalAcceptance {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot read a momentum-acceptance JSON (${(err as Error).message})`);
  }
  const d = data as { points?: unknown; turns?: unknown; lattice?: unknown };
  if (!d || !Array.isArray(d.points)) throw new Error(`${path}: expected the JSON of \`nanoterasu ma --json\` (an object with a \`points\` list)`);
  const pts = d.points.map((p: unknown, i: number) => {
    const q = p as Record<string, unknown>;
    for (const k of ['sM', 'deltaPlus', 'deltaMinus'])
      if (typeof q?.[k] !== 'number' || !Number.isFinite(q[k] as number)) throw new Error(`${path}: points[${i}].${k} must be a number`);
    if (!((q.deltaPlus as number) > 0) || !((q.deltaMinus as number) !== 0)) throw new Error(`${path}: points[${i}]: a zero momentum acceptance means no beam survives there`);
    return { sM: q.sM as number, deltaPlus: q.deltaPlus as number, deltaMinus: q.deltaMinus as number };
  });
  const what = [typeof d.lattice === 'string' ? `lattice ${d.lattice}` : '', typeof d.turns === 'number' ? `${d.turns} turns` : ''].filter(Boolean).join(', ');
  return acceptanceFromPoints(pts, `${path}${what ? ` (${what})` : ''}`);
}
