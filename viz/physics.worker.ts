/**
 * The physics library in a browser Web Worker (module worker, bundled by Vite). It imports the same
 * modules the CLI runs — the lattice builder, the optics summary and the tracking kernels — so the
 * view can recompute a few numbers interactively without any physics on the render thread.
 *
 * None of the modules imported here (nor anything they import) uses a `node:` API: the import tree of
 * lattice/nanoterasu.ts, sim/optics/summary.ts, sim/tracking/compile.ts and sim/tracking/track.ts is
 * plain TypeScript over numbers and typed arrays (checked when this worker was written).
 *
 * Protocol: the page posts `{ id, msg }` and gets back `{ id, ok: true, result }` or
 * `{ id, ok: false, error }`.
 *   msg = { kind: 'rf', rfVoltageMV }         → RfAnswer (computeOptics of nanoterasuRing at that voltage)
 *   msg = { kind: 'track', particles, turns } → TrackAnswer (built-in ring, 4D, no radiation)
 * Phase-space coordinates are pyAT's (x, px, y, py, δ, cτ), one array of 6 numbers per particle.
 */
import { nanoterasuRing } from '../lattice/nanoterasu.ts';
import { computeOptics } from '../sim/optics/summary.ts';
import { compileLattice } from '../sim/tracking/compile.ts';
import type { Program } from '../sim/tracking/layout.ts';
import { newLossArrays, trackTurns } from '../sim/tracking/track.ts';

export type PhysicsRequest =
  | { kind: 'rf'; rfVoltageMV: number }
  | { kind: 'track'; particles: number[][]; turns: number };

export interface RfAnswer {
  rfVoltageV: number;
  bunchLengthM: number;
  energyAcceptance: number;
  synchrotronTune: number;
  synchronousPhaseRad: number;
  energyLossPerTurnEV: number;
}

export interface TrackAnswer {
  /** Final coordinates, 6 per particle (a lost particle keeps the values it had when lost). */
  particles: number[][];
  /** Turn at which each particle was lost, −1 if it survived. */
  lostTurn: number[];
}

export type PhysicsReply = { id: number; ok: true; result: RfAnswer | TrackAnswer } | { id: number; ok: false; error: string };

function rf(rfVoltageMV: number): RfAnswer {
  if (!(typeof rfVoltageMV === 'number' && Number.isFinite(rfVoltageMV) && rfVoltageMV > 0)) {
    throw new RangeError(`rfVoltageMV must be a positive number (got ${rfVoltageMV})`);
  }
  const rfVoltageV = rfVoltageMV * 1e6;
  const s = computeOptics(nanoterasuRing({ rfVoltageV }));
  if (!s.rf) throw new Error(`no RF parameters at ${rfVoltageMV} MV (is the voltage above U0 = ${s.energyLossPerTurnEV} eV?)`);
  return {
    rfVoltageV,
    bunchLengthM: s.rf.bunchLengthM,
    energyAcceptance: s.rf.energyAcceptance,
    synchrotronTune: s.rf.synchrotronTune,
    synchronousPhaseRad: s.rf.synchronousPhaseRad,
    energyLossPerTurnEV: s.energyLossPerTurnEV,
  };
}

let ring4d: Program | undefined;
function track(particles: number[][], turns: number): TrackAnswer {
  if (!Array.isArray(particles) || particles.some((p) => !Array.isArray(p) || p.length !== 6 || p.some((v) => typeof v !== 'number' || !Number.isFinite(v)))) {
    throw new RangeError('particles must be an array of [x, px, y, py, δ, cτ] with 6 finite numbers each');
  }
  if (!(Number.isInteger(turns) && turns >= 0)) throw new RangeError(`turns must be a whole number ≥ 0 (got ${turns})`);
  ring4d ??= compileLattice(nanoterasuRing(), { mode: '4d' });
  const n = particles.length;
  const r = new Float64Array(6 * n);
  particles.forEach((p, i) => r.set(p, 6 * i));
  const loss = newLossArrays(n);
  trackTurns(ring4d, r, n, turns, loss);
  return {
    particles: particles.map((_, i) => Array.from(r.subarray(6 * i, 6 * i + 6))),
    lostTurn: Array.from(loss.turn),
  };
}

self.onmessage = (ev: MessageEvent<{ id: number; msg: PhysicsRequest }>) => {
  const { id, msg } = ev.data;
  let reply: PhysicsReply;
  try {
    if (msg?.kind === 'rf') reply = { id, ok: true, result: rf(msg.rfVoltageMV) };
    else if (msg?.kind === 'track') reply = { id, ok: true, result: track(msg.particles, msg.turns) };
    else throw new Error(`unknown message kind '${(msg as { kind?: unknown })?.kind}' (expected 'rf' or 'track')`);
  } catch (err) {
    reply = { id, ok: false, error: String((err as Error)?.message ?? err) };
  }
  (self as unknown as Worker).postMessage(reply);
};
