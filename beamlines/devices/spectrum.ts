/**
 * Numerical undulator spectrum: the single-electron far field (spectrum-kernel.ts) integrated over
 * directions with the electron beam's angular spread, then convolved with its energy spread, giving
 * against photon energy
 *   - the on-axis flux density  [ph/s/mrad²/0.1%bw]  (filament-beam value when emittance is off),
 *   - the flux through a centred rectangular aperture  [ph/s/0.1%bw].
 *
 * Method (undulator.md §2.11):
 * - Emittance: in the far field only the angular spread matters. Rather than convolving the map,
 *   each direction's single-electron density is weighted by the beam's angular distribution:
 *   on axis by the Gaussian G(θ) (σx′, σy′ including dispersion: √(ε γ_T + η′²σδ²)), and through
 *   the aperture by G convolved with the aperture, ½[erf((a−θ)/√2σ′) + erf((a+θ)/√2σ′)] per plane.
 *   The same integral, in the order that needs no 2-D convolution.
 * - Angular grid: step min(1 µrad, σr′/5) (σr′ = √(λn/2L)) by default, ±(aperture/2 + 6σ′).
 *   A plane without angular spread uses the aperture edges as grid ends (trapezoid weights) and
 *   the single direction θ = 0 for the on-axis value.
 * - Symmetry: the ideal N-period model is not symmetric under θ → −θ at order 1/N; integrating over
 *   a grid symmetric in θ with even weights averages the two signs (the symmetrisation of §2.11).
 *   For kx = 0 the field is exactly even in θy, and only θy ≥ 0 is computed.
 * - Energy spread: Gaussian in photon energy with σ = 2σδ E (E ∝ γ²), applied on a fine internal grid
 *   (≥ 20 points per line width E_n/(nN), ≥ 2 per σ), with weights normalised to 1.
 * - Parallel: the grid rows are cut into chunks of a FIXED number of rows; chunk sums are added in
 *   chunk order, so the result is bit-identical for any number of workers (0 = in this thread).
 */
import { Piscina } from 'piscina';
import { availableParallelism } from 'node:os';
import { ALPHA_FINE, E_CHARGE, ELECTRON_MASS_EV } from '../../sim/constants.ts';
import { beamSizes, type ElectronBeam } from './beam.ts';
import { gaussLegendre } from './power.ts';
import { runKernel, type KernelTask } from './spectrum-kernel.ts';
import { erf } from './special.ts';
import { BW, HC_EVM, lengthM, resonanceEnergyEV, type DeviceSetting } from './undulator.ts';

export interface SpectrumOptions {
  /** Harmonic that sets the default energy range and the angular step. */
  harmonic: number;
  /** Output photon energies [eV]; default: `points` energies over defaultEnergyRange(). */
  energiesEV?: ArrayLike<number>;
  points?: number;
  /** Full aperture angles [rad] (e.g. 0.1 mrad × 0.1 mrad = {x: 1e-4, y: 1e-4}); none: on-axis only. */
  apertureRad?: { x: number; y: number };
  /** Include the beam's angular spread (default true) and energy spread (default true). */
  emittance?: boolean;
  energySpread?: boolean;
  /** Angular grid step [rad] (default min(1 µrad, σr′/5)). */
  angularStepRad?: number;
  /** Gauss–Legendre nodes per period (default 96, more for K_eff > 2 or n > 7). */
  periodNodes?: number;
  /** Internal energy points per line width E_n/(nN) (default 20). */
  pointsPerLineWidth?: number;
  /** Worker threads (0 = this thread, the default), or a pool to reuse. */
  workers?: number;
  pool?: SpectrumPool;
  /** Chebyshev points in energy for the period integral (default from the phase spread; odd). */
  chebyshevPoints?: number;
  /** Grid rows per task (fixed, so the result does not depend on the number of workers). */
  rowsPerChunk?: number;
  /**
   * Only the output energies [first, first + count) (one shard of a cluster run, sim/cluster): the
   * same angular chunks are computed, for the internal energies the energy-spread convolution of
   * these outputs uses (the kernel's value at each energy does not depend on the other energies,
   * the grids and Chebyshev points are those of the whole range), so every value is bit-identical
   * to the whole run's. The result then holds only these energies (peaks over them).
   */
  energyRange?: { first: number; count: number };
}

export interface SpectrumResult {
  energiesEV: Float64Array;
  /** ph/s/mrad²/0.1%bw */
  onAxisFluxDensity: Float64Array;
  /** ph/s/0.1%bw, or undefined without an aperture */
  apertureFlux?: Float64Array;
  peakOnAxis: { energyEV: number; value: number };
  peakAperture?: { energyEV: number; value: number };
  /** What was computed and how (for the output's metadata). */
  grid: {
    harmonicEnergyEV: number;
    angularStepRad: number;
    thetaXPoints: number;
    thetaYPoints: number;
    internalEnergies: number;
    chebyshevPoints: number;
    periodNodes: number;
    sigmaXPrimeRad: number;
    sigmaYPrimeRad: number;
    energySpread: number;
    chunks: number;
    workers: number;
  };
}

/** Default energy range around harmonic n: E_n·[1 − max(8/(nN), 8·2σδ), 1 + max(2/(nN), 5·2σδ)]. */
export function defaultEnergyRange(d: DeviceSetting, beam: ElectronBeam, n: number, energySpread = true): [number, number] {
  const en = resonanceEnergyEV(d, beam.energyEV, n);
  const lw = 1 / (n * d.periods);
  const se = energySpread ? 2 * beam.energySpread : 0;
  return [en * (1 - Math.max(8 * lw, 8 * se)), en * (1 + Math.max(2 * lw, 5 * se))];
}

interface AxisGrid {
  theta: Float64Array;
  wOn: Float64Array;
  wAp: Float64Array;
}

/**
 * One plane's grid. halfAperture 0 = no aperture. sigmaP 0 = no angular spread: θ = 0 alone for the
 * on-axis value, the aperture sampled edge to edge with trapezoid weights. mirror: keep θ ≥ 0 and
 * double the weights of θ > 0 (for a field exactly even in this plane).
 */
function axisGrid(halfAperture: number, sigmaP: number, step: number, mirror: boolean): AxisGrid {
  let theta: number[] = [];
  let wOn: number[] = [];
  let wAp: number[] = [];
  if (sigmaP > 0) {
    const extent = halfAperture + 6 * sigmaP;
    const n = Math.ceil(extent / step);
    const norm = 1 / (Math.sqrt(2 * Math.PI) * sigmaP);
    for (let i = -n; i <= n; i++) {
      const t = i * step;
      theta.push(t);
      wOn.push(step * norm * Math.exp(-(t * t) / (2 * sigmaP * sigmaP)));
      wAp.push(halfAperture > 0 ? step * 0.5 * (erf((halfAperture - t) / (Math.SQRT2 * sigmaP)) + erf((halfAperture + t) / (Math.SQRT2 * sigmaP))) : 0);
    }
  } else if (halfAperture > 0) {
    const n = Math.max(2, Math.ceil(halfAperture / step));
    const h = halfAperture / n;
    for (let i = -n; i <= n; i++) {
      theta.push(i * h);
      wOn.push(i === 0 ? 1 : 0);
      wAp.push(Math.abs(i) === n ? h / 2 : h);
    }
  } else {
    theta = [0];
    wOn = [1];
    wAp = [0];
  }
  if (mirror) {
    // keep θ ≥ 0; a direction θ > 0 stands for itself and its mirror image
    const keep = theta.map((t) => t >= 0);
    const half = (a: number[]) => a.filter((_, i) => keep[i]);
    const t2 = half(theta);
    const twice = (a: number[]) => half(a).map((v, i) => (t2[i] > 0 ? 2 * v : v));
    wOn = twice(wOn);
    wAp = twice(wAp);
    theta = t2;
  }
  return { theta: Float64Array.from(theta), wOn: Float64Array.from(wOn), wAp: Float64Array.from(wAp) };
}

/** A reusable pool of spectrum workers (their start-up, loading tsx, costs a few hundred ms). */
export class SpectrumPool {
  private readonly pool: Piscina;
  constructor(readonly workers: number = Math.max(1, availableParallelism())) {
    this.pool = new Piscina({ filename: new URL('./spectrum.worker.mjs', import.meta.url).href, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
  }
  run(task: KernelTask): Promise<Float64Array> {
    return this.pool.run(task);
  }
  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/** Computes a numerical spectrum (see the file comment for the method). */
export async function computeSpectrum(d: DeviceSetting, beam: ElectronBeam, opts: SpectrumOptions): Promise<SpectrumResult> {
  const n = opts.harmonic;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`harmonic must be a positive integer, got ${n}`);
  const gamma = beam.energyEV / ELECTRON_MASS_EV;
  const en = resonanceEnergyEV(d, beam.energyEV, n);
  const L = lengthM(d);
  const lineWidth = en / (n * d.periods);

  // output energies
  let out: Float64Array;
  if (opts.energiesEV) out = Float64Array.from(opts.energiesEV);
  else {
    const [lo, hi] = defaultEnergyRange(d, beam, n, opts.energySpread !== false);
    const np = opts.points ?? 500;
    out = new Float64Array(np);
    for (let i = 0; i < np; i++) out[i] = np === 1 ? lo : lo + ((hi - lo) * i) / (np - 1);
  }
  for (let i = 1; i < out.length; i++) if (!(out[i] > out[i - 1])) throw new RangeError('energies must increase');
  if (out.length === 0 || !(out[0] > 0)) throw new RangeError('energies must be > 0');

  // beam
  const sizes = beamSizes(beam);
  const useEmittance = opts.emittance !== false;
  const sxp = useEmittance ? sizes.sigmaXPrimeRad : 0;
  const syp = useEmittance ? sizes.sigmaYPrimeRad : 0;
  const sigE = opts.energySpread === false ? 0 : beam.energySpread;
  const sEps = 2 * sigE; // relative rms spread of the photon energy

  // internal energy grid
  let internal: Float64Array;
  if (sEps === 0) internal = out;
  else {
    const lo = out[0] * (1 - 6 * sEps);
    const hi = out[out.length - 1] * (1 + 6 * sEps);
    // the convolution is a quadrature over this grid, evaluated at each output energy: its step
    // must resolve the line (E_n/(nN)/20) and the Gaussian (σ/4), not the output spacing
    // (trapezoid sums of a Gaussian converge like exp(−2π²σ²/h²): h = σ/2 is already < 1e-30)
    const step = Math.min(lineWidth / (opts.pointsPerLineWidth ?? 20), (sEps * out[0]) / 2);
    const count = Math.ceil((hi - lo) / step) + 1;
    internal = new Float64Array(count);
    for (let i = 0; i < count; i++) internal[i] = lo + ((hi - lo) * i) / (count - 1);
  }
  const sOf = (e: number) => (e * d.periodM) / HC_EVM; // s = ω/ωu = E λu / (hc)
  const s = internal.map(sOf);

  // angular grid
  const sigmaRp = Math.sqrt(HC_EVM / en / (2 * L));
  const step = opts.angularStepRad ?? Math.min(1e-6, sigmaRp / 5);
  const ap = opts.apertureRad;
  const gx = axisGrid(ap ? ap.x / 2 : 0, sxp, step, false);
  const gy = axisGrid(ap ? ap.y / 2 : 0, syp, step, d.kx === 0);

  // period quadrature and Chebyshev points in s
  const kEff = Math.hypot(d.kx, d.ky);
  const M = opts.periodNodes ?? (kEff <= 2 && n <= 7 ? 96 : 8 * Math.ceil((6 * kEff + 2 * n + 64) / 8));
  const [gl, gw] = gaussLegendre(M);
  const tauNodes = gl.map((x) => Math.PI * x);
  const tauWeights = gw.map((w) => Math.PI * w);
  const thMax = Math.max(Math.abs(gx.theta[0]), Math.abs(gx.theta[gx.theta.length - 1]), Math.abs(gy.theta[gy.theta.length - 1]));
  const aMax = (1 + kEff * kEff / 2 + gamma * gamma * 2 * thMax * thMax) / (2 * gamma * gamma);
  const psiMax = (kEff * kEff) / (8 * gamma * gamma) + (2 * thMax * (Math.abs(d.kx) + Math.abs(d.ky))) / gamma;
  const sLo = s[0];
  const sHi = s[s.length - 1];
  const phaseSpread = (sHi - sLo) * (Math.PI * aMax + psiMax);
  // e^{iωx} on [−1, 1] with ω = P/2 needs m ≈ ω + O(10) Chebyshev points for 1e-15 (the error
  // falls like (ω/2)^m/m!); the margin is checked against direct evaluation in the tests
  const m = (opts.chebyshevPoints ?? Math.ceil(0.7 * phaseSpread + 8)) | 1; // odd: the centre is a node
  const chebS = new Float64Array(m);
  const chebW = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    const ang = (Math.PI * (c + 0.5)) / m;
    chebS[c] = 0.5 * (sLo + sHi) + 0.5 * (sHi - sLo) * Math.cos(ang);
    chebW[c] = (c % 2 === 0 ? 1 : -1) * Math.sin(ang);
  }
  if (sHi === sLo) {
    // a single energy: evaluate the period integral there exactly
    chebS.fill(sLo);
  }

  // the output energies to compute [oFirst, oEnd) and the internal ones they need [kLo, kEnd)
  let oFirst = 0, oEnd = out.length, kLo = 0, kEnd = internal.length;
  if (opts.energyRange) {
    oFirst = opts.energyRange.first;
    oEnd = oFirst + opts.energyRange.count;
    if (!(Number.isInteger(oFirst) && oFirst >= 0 && oEnd > oFirst && oEnd <= out.length)) throw new RangeError(`energy range ${oFirst}+${opts.energyRange.count} outside 0..${out.length}`);
    if (sEps === 0) { kLo = oFirst; kEnd = oEnd; }
    else {
      kLo = internal.length; kEnd = 0;
      for (let i = oFirst; i < oEnd; i++) {
        const sig = sEps * out[i];
        for (let k = 0; k < internal.length; k++) {
          const x = (internal[k] - out[i]) / sig; // the test of `convolve` below
          if (x < -7 || x > 7) continue;
          if (k < kLo) kLo = k;
          if (k + 1 > kEnd) kEnd = k + 1;
        }
      }
    }
  }
  const sTask = opts.energyRange ? s.slice(kLo, kEnd) : s;

  // chunks of rows
  const rows = opts.rowsPerChunk ?? 4;
  const tasks: KernelTask[] = [];
  for (let r0 = 0; r0 < gy.theta.length; r0 += rows) {
    const r1 = Math.min(gy.theta.length, r0 + rows);
    tasks.push({
      gamma, kx: d.kx, ky: d.ky, phaseRad: d.phaseRad, periods: d.periods,
      tauNodes, tauWeights, chebS: sHi === sLo ? Float64Array.of(sLo) : chebS, chebW: sHi === sLo ? Float64Array.of(1) : chebW, s: sTask,
      thetaX: gx.theta, weightXOnAxis: gx.wOn, weightXAperture: gx.wAp,
      thetaY: gy.theta.slice(r0, r1), weightYOnAxis: gy.wOn.slice(r0, r1), weightYAperture: gy.wAp.slice(r0, r1),
    });
  }
  let results: Float64Array[];
  let workers = 0;
  if (opts.pool) {
    workers = opts.pool.workers;
    results = await Promise.all(tasks.map((t) => opts.pool!.run(t)));
  } else if (opts.workers && opts.workers > 0) {
    const pool = new SpectrumPool(opts.workers);
    workers = opts.workers;
    try {
      results = await Promise.all(tasks.map((t) => pool.run(t)));
    } finally {
      await pool.close();
    }
  } else {
    results = tasks.map(runKernel);
  }
  const nI = kEnd - kLo;
  const sumOn = new Float64Array(nI);
  const sumAp = new Float64Array(nI);
  for (const r of results) {
    for (let k = 0; k < nI; k++) {
      sumOn[k] += r[k];
      sumAp[k] += r[nI + k];
    }
  }
  // |A|² → ph/s/rad²/0.1%bw
  const scale = ALPHA_FINE * BW * (beam.currentA / E_CHARGE);
  const onI = sumOn.map((v) => v * scale * 1e-6);
  const apI = sumAp.map((v) => v * scale);

  // energy spread
  const convolve = (f: Float64Array): Float64Array => {
    if (sEps === 0) return f;
    const res = new Float64Array(oEnd - oFirst);
    for (let i = oFirst; i < oEnd; i++) {
      const sig = sEps * out[i];
      let sw = 0;
      let sf = 0;
      for (let k = 0; k < nI; k++) {
        const x = (internal[kLo + k] - out[i]) / sig;
        if (x < -7 || x > 7) continue;
        const w = Math.exp(-0.5 * x * x);
        sw += w;
        sf += w * f[k];
      }
      res[i - oFirst] = sf / sw;
    }
    return res;
  };
  const onAxis = convolve(onI);
  const aperture = ap ? convolve(apI) : undefined;
  if (opts.energyRange) out = out.slice(oFirst, oEnd);
  return {
    energiesEV: out,
    onAxisFluxDensity: onAxis,
    apertureFlux: aperture,
    peakOnAxis: peakOf(out, onAxis),
    peakAperture: aperture ? peakOf(out, aperture) : undefined,
    grid: {
      harmonicEnergyEV: en, angularStepRad: step, thetaXPoints: gx.theta.length, thetaYPoints: gy.theta.length,
      internalEnergies: internal.length, chebyshevPoints: sHi === sLo ? 1 : m, periodNodes: M, sigmaXPrimeRad: sxp, sigmaYPrimeRad: syp,
      energySpread: sigE, chunks: tasks.length, workers,
    },
  };
}

/** Peak of sampled data: the largest sample refined by the parabola through it and its neighbours. */
export function peakOf(x: ArrayLike<number>, y: ArrayLike<number>): { energyEV: number; value: number } {
  let i = 0;
  for (let k = 1; k < y.length; k++) if (y[k] > y[i]) i = k;
  if (i === 0 || i === y.length - 1) return { energyEV: x[i], value: y[i] };
  const h = x[i + 1] - x[i];
  const y0 = y[i - 1], y1 = y[i], y2 = y[i + 1];
  const den = y0 - 2 * y1 + y2;
  if (den >= 0) return { energyEV: x[i], value: y1 };
  const t = (0.5 * (y0 - y2)) / den; // in steps, |t| ≤ 1/2
  return { energyEV: x[i] + t * h, value: y1 - 0.25 * (y0 - y2) * t };
}

/**
 * The single-electron on-axis-or-any-direction flux density [ph/s/mrad²/0.1%bw] at one energy,
 * evaluated directly (no interpolation): used by tests and as the exact reference.
 */
export function singleElectronFluxDensity(d: DeviceSetting, beam: Pick<ElectronBeam, 'energyEV' | 'currentA'>, thetaXRad: number, thetaYRad: number, photonEnergyEV: number, periodNodes = 96): number {
  const [gl, gw] = gaussLegendre(periodNodes);
  const sVal = (photonEnergyEV * d.periodM) / HC_EVM;
  const r = runKernel({
    gamma: beam.energyEV / ELECTRON_MASS_EV, kx: d.kx, ky: d.ky, phaseRad: d.phaseRad, periods: d.periods,
    tauNodes: gl.map((x) => Math.PI * x), tauWeights: gw.map((w) => Math.PI * w),
    chebS: Float64Array.of(sVal), chebW: Float64Array.of(1), s: Float64Array.of(sVal),
    thetaX: Float64Array.of(thetaXRad), weightXOnAxis: Float64Array.of(1), weightXAperture: Float64Array.of(0),
    thetaY: Float64Array.of(thetaYRad), weightYOnAxis: Float64Array.of(1), weightYAperture: Float64Array.of(0),
  });
  return r[0] * ALPHA_FINE * BW * (beam.currentA / E_CHARGE) * 1e-6;
}
