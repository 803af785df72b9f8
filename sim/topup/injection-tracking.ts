/**
 * Injection efficiency by tracking: a seeded Gaussian bunch from the linac, launched off axis at
 * the injection point, tracked in 6D with the RF and radiation damping (plus quantum excitation
 * unless turned off) through the ring's dynamic aperture; the captured fraction is the share that
 * survives `turns` turns, with its binomial standard error √(p(1 − p)/N).
 *
 * Geometry [A] (sim/studies/sextupoles.ts, injectionRequirement): the septum is on the −x side, the
 * bumped stored beam sits 7.5 mm [S] towards it, the septum blade + clearance is 1.0 mm, and the
 * injected beam is centred 3σx beyond the blade. After the bump collapses (it is off in the lattice
 * tracked here) the injected centroid is at x0 = −(7.5 + 1.0 + 3σx) mm from the closed orbit, with
 * px0 = 0: at the straight centre αx = 0, so an injected beam parallel to the stored one is the
 * matched choice. The bunch is matched to the ring's Twiss at INJ (βx, αx, βy, αy; no dispersion at
 * the long-straight centre) with the linac's emittances, energy spread and bunch length, centred on
 * the 6D closed orbit (δ and cτ of the stored beam with radiation).
 * Linac beam [A] (not published, nanoterasu.md §3): εx = εy = 10 nm·rad geometric at 3 GeV
 * (normalised ≈ 59 µm: a conservative thermionic-gun beam without emittance damping), σδ = 1e-3,
 * σz = 0.3 mm (≈ 1 ps).
 *
 * Particles are lost on the tracking code's limits (|x|, |px|, … > 1, non-finite) and, when
 * `chamberRadiusM` > 0, on a round chamber checked after every element; no other aperture is in the
 * built-in ring. The run goes through the worker pool: the result is identical whatever the number of
 * workers (each particle's random numbers depend only on the seed and its index).
 */
import { availableParallelism } from 'node:os';
import { makeLattice, type Lattice } from '../../lattice/lattice.ts';
import { TrackingPool } from '../parallel/pool.ts';
import { gaussianBunch, type BeamParameters } from '../tracking/bunch.ts';
import { compileLattice } from '../tracking/compile.ts';
import { closedOrbit } from '../tracking/orbit.ts';
import { linearOptics } from '../optics/twiss.ts';
import { poolTracker, type Tracker } from '../studies/tracker.ts';
import { ringFrom, injectionRequirement } from '../studies/sextupoles.ts';
import { constantEfficiency, type InjectionEfficiencyModel } from './injector.ts';
import type { TopupConfig } from './config.ts';

export interface InjectedBeam {
  /** Geometric emittances at the ring energy [m·rad]. */
  emittanceXM: number;
  emittanceYM: number;
  energySpread: number;
  bunchLengthM: number;
  /** Centroid offsets from the ring's closed orbit at the injection point [m, rad, m, rad, 1]. */
  xM: number; pxRad: number; yM: number; pyRad: number; delta: number;
}

/** The linac beam [A] and the off-axis position of the injection requirement (see the file header). */
export function defaultInjectedBeam(betaXAtInjM?: number): InjectedBeam {
  const req = injectionRequirement({ emittanceM: 10e-9, ...(betaXAtInjM !== undefined ? { betaXM: betaXAtInjM } : {}) });
  return { emittanceXM: 10e-9, emittanceYM: 10e-9, energySpread: 1e-3, bunchLengthM: 0.3e-3, xM: req.centroidXM, pxRad: 0, yM: 0, pyRad: 0, delta: 0 };
}

export interface InjectionTrackingOptions {
  particles: number;
  turns: number;
  seed: number;
  /** The injected beam (default `defaultInjectedBeam()`); any field may be overridden. */
  beam?: Partial<InjectedBeam>;
  /** Quantum excitation (default true); classical radiation damping is always on. */
  quantum?: boolean;
  /** Round vacuum chamber radius [m] checked after every element (default 0 = none). */
  chamberRadiusM?: number;
}

export interface InjectionTrackingResult {
  particles: number;
  turns: number;
  seed: number;
  captured: number;
  /** Captured fraction and its binomial standard error. */
  efficiency: number;
  efficiencyError: number;
  /** Losses per turn bin: lost in turns [0, 8), [8, 64), [64, turns). */
  lostEarly: number; lostMid: number; lostLate: number;
  beam: InjectedBeam;
  /** Twiss at the injection point used to match the bunch. */
  twiss: { betaX: number; alphaX: number; betaY: number; alphaY: number };
}

/**
 * Tracks the injected bunch into `ring`, which must start at the injection point (the default is the
 * built-in ring rotated to start at `INJ`: `ringFrom(null)`).
 */
export async function injectionEfficiency(tracker: Tracker, opts: InjectionTrackingOptions, ring: Lattice = ringFrom(null)): Promise<InjectionTrackingResult> {
  if (!(Number.isInteger(opts.particles) && opts.particles >= 1)) throw new RangeError(`particles must be a whole number ≥ 1 (got ${opts.particles})`);
  if (!(Number.isInteger(opts.turns) && opts.turns >= 1)) throw new RangeError(`turns must be a whole number ≥ 1 (got ${opts.turns})`);
  const opt = linearOptics(ring);
  const tw = opt.twiss;
  const twiss = { betaX: tw.betaX[0], alphaX: tw.alphaX[0], betaY: tw.betaY[0], alphaY: tw.alphaY[0] };
  const beam: InjectedBeam = { ...defaultInjectedBeam(twiss.betaX), ...opts.beam };
  const prog = compileLattice(ring, { mode: '6d', radiation: true, quantum: opts.quantum ?? true, chamberRadiusM: opts.chamberRadiusM ?? 0 });
  // The stored beam's 6D closed orbit with radiation (classical only: the fixed point).
  const co = closedOrbit(compileLattice(ring, { mode: '6d', radiation: true }));
  const params: BeamParameters = {
    ...twiss, etaX: tw.etaX[0], etaPX: tw.etaPX[0], etaY: tw.etaY[0], etaPY: tw.etaPY[0],
    emittanceXM: beam.emittanceXM, emittanceYM: beam.emittanceYM, energySpread: beam.energySpread,
    bunchLengthM: beam.bunchLengthM, ctCentreM: 0, source: 'injected linac beam [A]',
  };
  const r = gaussianBunch(opts.particles, params, opts.seed);
  const centre = [co[0] + beam.xM, co[1] + beam.pxRad, co[2] + beam.yM, co[3] + beam.pyRad, co[4] + beam.delta, co[5]];
  for (let p = 0; p < opts.particles; p++) for (let k = 0; k < 6; k++) r[6 * p + k] += centre[k];
  const lost = await tracker.track(prog, r, opts.turns);
  let captured = 0, early = 0, mid = 0, late = 0;
  for (let p = 0; p < opts.particles; p++) {
    const t = lost[p];
    if (t < 0) captured++;
    else if (t < 8) early++;
    else if (t < 64) mid++;
    else late++;
  }
  const e = captured / opts.particles;
  return {
    particles: opts.particles, turns: opts.turns, seed: opts.seed, captured,
    efficiency: e, efficiencyError: Math.sqrt((e * (1 - e)) / opts.particles),
    lostEarly: early, lostMid: mid, lostLate: late, beam, twiss,
  };
}

/**
 * The top-up hook: the tracked capture fraction as the mean efficiency of every shot, with the
 * configured shot-to-shot jitter (the tracked fraction is a property of the lattice and the injected
 * beam; the jitter stands for the linac's shot-to-shot variation, which is not tracked).
 */
export function trackedEfficiencyModel(res: InjectionTrackingResult, jitter: number): InjectionEfficiencyModel {
  return constantEfficiency(res.efficiency, jitter);
}

/**
 * A top-up configuration with `injector.efficiencyModel: tracking` resolved: `injector.efficiency`
 * becomes the tracked captured fraction (the mean of the shot model; `efficiencyJitter` still
 * applies), and a note says where it came from. A configuration with the constant model is returned
 * unchanged. Throws when no particle is captured (the top-up could not hold any current).
 */
export async function resolveTrackedEfficiency(
  cfg: TopupConfig, tracker: Tracker, ring?: Lattice,
): Promise<{ config: TopupConfig; result: InjectionTrackingResult | null; note: string | null }> {
  if (cfg.injector.efficiencyModel !== 'tracking') return { config: cfg, result: null, note: null };
  const t = cfg.injector.tracking;
  const result = await injectionEfficiency(tracker, { particles: t.particles, turns: t.turns, seed: t.seed, chamberRadiusM: t.chamberRadiusMM * 1e-3 }, ring);
  if (result.captured === 0) {
    throw new Error(`injector.efficiencyModel = tracking: none of the ${t.particles} injected particles survived ${t.turns} turns (injected at x = ${(result.beam.xM * 1e3).toFixed(2)} mm)`);
  }
  const note =
    `injection efficiency from tracking ${t.particles} particles for ${t.turns} turns (seed ${t.seed}, 6D, radiation): ` +
    `${(result.efficiency * 100).toFixed(1)} ± ${(result.efficiencyError * 100).toFixed(1)} %, injected at x = ${(result.beam.xM * 1e3).toFixed(2)} mm [A]`;
  return { config: { ...cfg, injector: { ...cfg.injector, efficiency: result.efficiency } }, result, note };
}

/** `lat` rotated to start at its element `INJ` (unchanged, with a note, if it has none). */
export function fromInjectionPoint(lat: Lattice): { ring: Lattice; note: string | null } {
  const i = lat.elements.findIndex((e) => e.name === 'INJ');
  if (i < 0) return { ring: lat, note: `lattice '${lat.name}' has no element INJ: the injected bunch starts at its first element` };
  return { ring: makeLattice({ ...lat, elements: [...lat.elements.slice(i), ...lat.elements.slice(0, i)] }), note: null };
}

/**
 * resolveTrackedEfficiency on its own worker pool (closed afterwards), for the scenario section and
 * the CLI. `lattice` default: the built-in ring; it is rotated to start at INJ.
 */
export async function resolveTrackedEfficiencyPooled(
  cfg: TopupConfig, opts: { lattice?: Lattice; workers?: number } = {},
): Promise<{ config: TopupConfig; notes: string[] }> {
  if (cfg.injector.efficiencyModel !== 'tracking') return { config: cfg, notes: [] };
  const { ring, note } = opts.lattice ? fromInjectionPoint(opts.lattice) : { ring: ringFrom(null), note: null };
  const pool = new TrackingPool(opts.workers ?? Math.max(1, Math.min(2, availableParallelism())));
  try {
    const r = await resolveTrackedEfficiency(cfg, poolTracker(pool, cfg.injector.tracking.seed), ring);
    return { config: r.config, notes: [...(note ? [note] : []), ...(r.note ? [r.note] : [])] };
  } finally {
    await pool.close();
  }
}
