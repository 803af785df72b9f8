/**
 * Longitudinal motion: RF parameters of the ring and the momentum compaction from the 6×6 map.
 *
 * Conventions (pyAT): slip factor η_c = 1/γ² − α_c (negative above transition); the cavity kick
 * δ += −(V/E) sin(2π f ct/c − 2π·lag) with ct > 0 = late; the synchronous phase φs = π − asin(U0/V)
 * (above transition) appears as a closed-orbit ct offset.
 *   ν_s = √(|η_c h V cos φs| / (2π E)) / β                       (small-amplitude synchrotron tune)
 *   σ_z = β |η_c| C σδ / (2π ν_s)                                  (natural bunch length)
 *   δ_acc = √( 2 U0 / (π h |η_c| E) · (√(q² − 1) − arccos(1/q)) ),  q = V/U0
 * (half-height of a moving RF bucket: M. Sands, "The physics of electron storage rings", SLAC-121
 * (1970), chapter 7 (RF bucket, "overvoltage" q); H. Wiedemann, Particle Accelerator Physics,
 * chapter 9, "energy acceptance". pyAT's RF acceptance uses the same expression.)
 */
import { C_LIGHT } from '../constants.ts';
import { elementMatrix6Cached, MAP_MARKER, mul6, OpticsError, type CompiledRing } from './maps.ts';
import type { LinearOptics } from './twiss.ts';

export interface RfParameters {
  /** Total RF voltage of the ring [V]. */
  totalVoltageV: number;
  frequencyHz: number;
  harmonicNumber: number;
  synchronousPhaseRad: number;
  synchrotronTune: number;
  synchrotronFrequencyHz: number;
  bunchLengthM: number;
  /** RF bucket half-height (relative momentum). */
  energyAcceptance: number;
  /** η_c = 1/γ² − α_c. */
  slipFactor: number;
}

/** Total voltage, frequency and harmonic of the cavities (null when no cavity has voltage). */
export function rfSystem(ring: CompiledRing): { voltageV: number; frequencyHz: number; harmonic: number } | null {
  let v = 0, f = 0, h = 0;
  for (const e of ring.elements) {
    if (e.type !== 'rfcavity' || e.voltage === 0) continue;
    v += e.voltage;
    if (f === 0 && e.frequency > 0) f = e.frequency;
    if (h === 0 && e.harmonic > 0) h = e.harmonic;
  }
  if (v === 0) return null;
  const beta = Math.sqrt(1 - 1 / (ring.gamma * ring.gamma));
  const f0 = (beta * C_LIGHT) / ring.circumferenceM;
  if (h === 0 && f === 0) throw new OpticsError('an RF cavity has neither a frequency nor a harmonic number', { field: 'frequency' });
  if (h === 0) h = Math.round(f / f0);
  if (f === 0) f = h * f0;
  return { voltageV: v * ring.periodicity, frequencyHz: f, harmonic: h };
}

export function rfParameters(
  ring: CompiledRing, energyLossPerTurnEV: number, energySpread: number, momentumCompaction: number,
): RfParameters | null {
  const sys = rfSystem(ring);
  if (!sys) return null;
  const { voltageV: V, frequencyHz: f, harmonic: h } = sys;
  const E = ring.energyEV, U0 = energyLossPerTurnEV;
  if (!(U0 < V)) {
    throw new OpticsError(
      `RF voltage ${(V / 1e6).toFixed(4)} MV is not above the energy loss per turn ${(U0 / 1e6).toFixed(4)} MeV: no stable RF bucket`,
      { field: 'voltage' },
    );
  }
  const gamma = ring.gamma;
  const beta = Math.sqrt(1 - 1 / (gamma * gamma));
  const eta = 1 / (gamma * gamma) - momentumCompaction;
  const phis = Math.PI - Math.asin(U0 / V);
  const nus = Math.sqrt(Math.abs((eta * h * V * Math.cos(phis)) / (2 * Math.PI * E))) / beta;
  const T0 = ring.circumferenceM / (beta * C_LIGHT);
  const q = V / U0;
  const acc = Math.sqrt(((2 * U0) / (Math.PI * h * Math.abs(eta) * E)) * (Math.sqrt(q * q - 1) - Math.acos(1 / q)));
  return {
    totalVoltageV: V,
    frequencyHz: f,
    harmonicNumber: h,
    synchronousPhaseRad: phis,
    synchrotronTune: nus,
    synchrotronFrequencyHz: nus / T0,
    bunchLengthM: (beta * Math.abs(eta) * ring.circumferenceM * energySpread) / (2 * Math.PI * nus),
    energyAcceptance: acc,
    slipFactor: eta,
  };
}

/** One-period 6×6 matrix at δ = 0 about the design orbit (cavities as identity), row-major. */
export function periodMatrix6(ring: CompiledRing): Float64Array {
  let M = new Float64Array(36);
  for (let i = 0; i < 6; i++) M[i * 7] = 1;
  let T = new Float64Array(36);
  for (const el of ring.elements) {
    if (el.kind === MAP_MARKER) continue;
    mul6(elementMatrix6Cached(el), M, T);
    const s = M; M = T; T = s;
  }
  return M;
}

/**
 * Momentum compaction from the map: the path lengthening per turn along the dispersion orbit,
 * α_c = (M51 η + M52 η' + M53 η_y + M54 η_y' + M56) / L over one period (ct = path lengthening).
 */
export function momentumCompactionFromMap(opt: LinearOptics): number {
  const M = periodMatrix6(opt.ring);
  const t = opt.twiss;
  const dct = M[30] * t.etaX[0] + M[31] * t.etaPX[0] + M[32] * t.etaY[0] + M[33] * t.etaPY[0] + M[34];
  return dct / opt.ring.periodLengthM;
}

/**
 * The 6D closed orbit with RF and the 6×6 one-period map about it (radiation off in the maps).
 * With the RF frequency at h·f0 and no transverse kicks the orbit is (x_co, δ = 0, ct0): the
 * energy loss U0 (optional, lumped) only places the synchronous position
 * sin(2π f ct0/c − 2π lag) = −U0/V on the stable side (cos > 0 for α_c > 0, in pyAT's ct > 0 = late
 * convention; the reported φs = π − asin(U0/V) is the same point). Cavities are linearised there:
 * ∂δ/∂ct = −(V/E)(2π f/c) cos(2π f ct0/c − 2π lag). The map is symplectic (no damping); its three
 * eigen-tunes come from the characteristic polynomial of a symplectic 6×6 matrix in
 * t = λ + 1/λ: t³ − e1 t² + (e2 − 3) t + (2 e1 − e3) = 0, e_k the sums of principal k×k minors.
 */
export interface Orbit6 {
  /** (x, px, y, py, δ, ct) at the period start. */
  orbit: [number, number, number, number, number, number];
  /** One-period 6×6 matrix with the cavities, row-major. */
  matrix: Float64Array;
  /** Fractional eigen-tunes of the full ring [mode x, mode y, synchrotron]. */
  tunes: [number, number, number];
}

export function closedOrbit6(opt: LinearOptics, energyLossPerTurnEV = 0, momentumCompaction?: number): Orbit6 {
  const ring = opt.ring;
  const sys = rfSystem(ring);
  if (!sys) throw new OpticsError('no RF cavity with voltage: there is no 6D closed orbit');
  if (ring.periodicity > 1 && sys.harmonic % ring.periodicity !== 0) {
    throw new OpticsError(`harmonic number ${sys.harmonic} is not a multiple of the periodicity ${ring.periodicity}: expand the periods first (expandPeriods)`);
  }
  const beta = Math.sqrt(1 - 1 / (ring.gamma * ring.gamma));
  const f0 = (beta * C_LIGHT) / ring.circumferenceM;
  if (Math.abs(sys.frequencyHz / (sys.harmonic * f0) - 1) > 1e-6) {
    throw new OpticsError(`RF frequency ${sys.frequencyHz} Hz is off h·f0 = ${sys.harmonic * f0} Hz by more than 1e-6: the off-momentum 6D orbit is not modelled`, { field: 'frequency' });
  }
  if (!(energyLossPerTurnEV < sys.voltageV)) throw new OpticsError('energy loss per turn above the RF voltage: no 6D closed orbit');
  const alpha = momentumCompaction ?? momentumCompactionFromMap(opt);
  const k = (2 * Math.PI * sys.frequencyHz) / C_LIGHT;
  const s = -energyLossPerTurnEV / sys.voltageV;
  let M = new Float64Array(36);
  for (let i = 0; i < 6; i++) M[i * 7] = 1;
  let T = new Float64Array(36);
  const E = new Float64Array(36);
  const phase = alpha >= 0 ? Math.asin(s) : Math.PI - Math.asin(s);
  let ct0 = phase / k;
  let first = true;
  for (const el of ring.elements) {
    if (el.kind === MAP_MARKER) continue;
    E.set(elementMatrix6Cached(el));
    if (el.type === 'rfcavity' && el.voltage !== 0) {
      const ctc = (phase + 2 * Math.PI * el.lag) / k;
      if (first) { ct0 = ctc; first = false; }
      // thick cavity = drift, kick, drift; at zero orbit the drifts do not touch (δ, ct), so the
      // product is the drift matrix plus the kick's ∂δ/∂ct (row δ = 4, column ct = 5)
      E[29] = -(el.voltage / ring.energyEV) * k * Math.cos(k * ctc - 2 * Math.PI * el.lag);
    }
    mul6(E, M, T);
    const sw = M; M = T; T = sw;
  }
  const tunes = eigenTunes6(M, ring.periodicity);
  const o = opt.twiss.orbit;
  return { orbit: [o[0], o[1], o[2], o[3], 0, ct0], matrix: M, tunes };
}

function det3(M: Float64Array, r: number[], c: number[]): number {
  const a = (i: number, j: number) => M[r[i] * 6 + c[j]];
  return a(0, 0) * (a(1, 1) * a(2, 2) - a(1, 2) * a(2, 1))
    - a(0, 1) * (a(1, 0) * a(2, 2) - a(1, 2) * a(2, 0))
    + a(0, 2) * (a(1, 0) * a(2, 1) - a(1, 1) * a(2, 0));
}

/** Fractional eigen-tunes of a symplectic 6×6 one-period matrix, full ring [x-like, y-like, longitudinal]. */
export function eigenTunes6(M: Float64Array, periodicity = 1): [number, number, number] {
  let e1 = 0, e2 = 0, e3 = 0;
  for (let i = 0; i < 6; i++) e1 += M[i * 7];
  for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) e2 += M[i * 7] * M[j * 7] - M[i * 6 + j] * M[j * 6 + i];
  for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) for (let l = j + 1; l < 6; l++) e3 += det3(M, [i, j, l], [i, j, l]);
  // depressed cubic of t³ + b t² + c t + d with b = −e1, c = e2 − 3, d = 2 e1 − e3
  const b = -e1, c = e2 - 3, d = 2 * e1 - e3;
  const p = c - (b * b) / 3;
  const q = (2 * b * b * b) / 27 - (b * c) / 3 + d;
  if (!(p < 0)) throw new OpticsError('6D one-turn matrix: no three real eigen-tune roots (unstable longitudinal or transverse motion)');
  const r = 2 * Math.sqrt(-p / 3);
  const arg = Math.max(-1, Math.min(1, (3 * q) / (p * r)));
  const roots = [0, 1, 2].map((kk) => r * Math.cos(Math.acos(arg) / 3 - (2 * Math.PI * kk) / 3) - b / 3);
  const traces = [M[0] + M[7], M[14] + M[21], M[28] + M[35]];
  const used = new Set<number>();
  const out: number[] = [];
  for (const tr of traces) {
    let best = -1;
    for (let kk = 0; kk < 3; kk++) if (!used.has(kk) && (best < 0 || Math.abs(roots[kk] - tr) < Math.abs(roots[best] - tr))) best = kk;
    used.add(best);
    const cosMu = roots[best] / 2;
    if (!(Math.abs(cosMu) < 1)) throw new OpticsError(`6D one-turn matrix: unstable mode (|trace|/2 = ${Math.abs(cosMu).toFixed(4)})`);
    // transverse modes: the sign of M12 (M34) resolves μ vs 2π − μ, as for a 2×2 block;
    // the synchrotron phase advance per period is taken below π
    const m12 = out.length === 0 ? M[1] : out.length === 1 ? M[15] : 1;
    const mu = m12 >= 0 ? Math.acos(cosMu) : 2 * Math.PI - Math.acos(cosMu);
    const q = (periodicity * mu) / (2 * Math.PI);
    out.push(q - Math.floor(q));
  }
  return [out[0], out[1], out[2]];
}
