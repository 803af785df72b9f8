/**
 * Compiles a Lattice into a tracking Program (layout.ts): every element's parameters are resolved
 * once here — strengths converted to pyAT's PolynomB/A, edge kicks, slice counts, flags — so the
 * kernels never look at element objects. The result is plain typed arrays that a worker thread (or
 * a browser Web Worker) receives in one message.
 *
 * Strength convention (MAD-X → pyAT): b_n = K_n / n! (b1 = k1, b2 = k2/2, b3 = k3/6), skew
 * a_n = K_ns / n!; thin multipoles b_n = knl[n]/n!, a_n = ksl[n]/n!.
 */
import { C_LIGHT } from '../constants.ts';
import { restEnergyEV } from '../constants.ts';
import { rbendAsSbend, LatticeError, type Element } from '../../lattice/elements.ts';
import { circumference, type Lattice } from '../../lattice/lattice.ts';
import { APE, COR, DRF, KIND, MAG, MAX_ORDER, RFC, THIN_MAX_ORDER, THN, UND, type Program } from './layout.ts';
import { cradM, quantumDiffusionM2 } from './radiation.ts';

export interface CompileOptions {
  /** '6d' (default): RF cavities active; '4d': cavities are drifts, δ is constant. */
  mode?: '4d' | '6d';
  /** Classical radiation damping in bends and quadrupoles (pyAT radiation_on default). */
  radiation?: boolean;
  /** Quantum excitation in bends and quadrupoles (seeded). */
  quantum?: boolean;
  /** Override every element's nSteps with this number of integrator slices. */
  slices?: number;
  /** Exact (square-root) drifts instead of pyAT's paraxial ones (drift elements only). */
  exactDrift?: boolean;
  /** Default round vacuum chamber radius [m] checked after every element; 0 = none. */
  chamberRadiusM?: number;
  /**
   * RF frequency = harmonic × c / circumference instead of the cavity's own frequency (pyAT keeps the
   * given frequency; if it differs from h c/C the beam settles off momentum, δ ≈ −(Δf/f)/α_c).
   */
  rfFromHarmonic?: boolean;
  /**
   * Longitudinal window [cτmin, cτmax] in m: a particle outside it has left its RF bucket and counts
   * as lost (momentum-acceptance studies set ±λRF/2 around the synchronous cτ). Default: none.
   */
  ctWindowM?: [number, number];
}

const FACT = [1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880];

export function compileLattice(lat: Lattice, opts: CompileOptions = {}): Program {
  const mode = opts.mode ?? '6d';
  const radiation = opts.radiation ?? false;
  const quantum = opts.quantum ?? false;
  if (opts.slices !== undefined && !(Number.isInteger(opts.slices) && opts.slices >= 1)) {
    throw new LatticeError(`slices must be a whole number ≥ 1 (got ${opts.slices})`, { field: 'slices' });
  }
  const chamber = opts.chamberRadiusM ?? 0;
  if (!(chamber >= 0 && Number.isFinite(chamber))) {
    throw new LatticeError(`chamber radius must be ≥ 0 m (got ${chamber})`, { field: 'chamberRadiusM' });
  }
  const circ = circumference(lat);
  const t0 = circ / C_LIGHT;
  const gamma = lat.energyEV / restEnergyEV(lat.particle);
  const n = lat.elements.length;
  const kinds = new Int32Array(n);
  const offsets = new Int32Array(n);
  const blocks: number[] = [];
  const names: string[] = [];

  const push = (kind: number, block: number[], i: number) => {
    kinds[i] = kind;
    offsets[i] = blocks.length;
    for (const v of block) blocks.push(v);
  };

  lat.elements.forEach((el0, i) => {
    names.push(el0.name);
    const el: Element = el0.type === 'rbend' ? rbendAsSbend(el0) : el0;
    const where = { element: el.name };
    switch (el.type) {
      case 'drift':
      case 'marker':
      case 'monitor':
        if (el.length > 0) push(opts.exactDrift ? KIND.DRIFT_EXACT : KIND.DRIFT, [el.length], i);
        else push(KIND.IDENTITY, [], i);
        return;
      case 'sbend':
      case 'quadrupole':
      case 'sextupole':
      case 'octupole': {
        const b = [0, el.k1, el.k2 / 2, el.k3 / 6];
        const a = [0, el.k1s, el.k2s / 2, el.k3s / 6];
        let mo = 0;
        for (let k = MAX_ORDER; k >= 0; k--) if (b[k] !== 0 || a[k] !== 0) { mo = k; break; }
        const isBend = el.type === 'sbend';
        const h = isBend ? el.angle / el.length : 0;
        const misaligned = el.dx !== 0 || el.dy !== 0 || el.tilt !== 0;
        if (!isBend && mo === 0 && b[0] === 0 && a[0] === 0 && !misaligned) {
          push(opts.exactDrift ? KIND.DRIFT_EXACT : KIND.DRIFT, [el.length], i);
          return;
        }
        const nSteps = opts.slices ?? el.nSteps ?? 10;
        const blk = new Array<number>(MAG.SIZE).fill(0);
        blk[MAG.L] = el.length;
        blk[MAG.NSTEPS] = nSteps;
        blk[MAG.MAXORDER] = mo;
        blk[MAG.H] = h;
        if (isBend) {
          const gap = 2 * el.hgap; // pyAT FullGap
          const psi = (e: number, fint: number) =>
            fint !== 0 && gap !== 0 ? (h * gap * fint * (1 + Math.sin(e) ** 2)) / Math.cos(e) : 0;
          blk[MAG.EDGES] = 1;
          blk[MAG.FX_IN] = h * Math.tan(el.e1);
          blk[MAG.E_IN] = el.e1;
          blk[MAG.PSI_IN] = psi(el.e1, el.fint);
          blk[MAG.FX_OUT] = h * Math.tan(el.e2);
          blk[MAG.E_OUT] = el.e2;
          blk[MAG.PSI_OUT] = psi(el.e2, el.fintx);
        }
        if (el.fringeQuadEntrance > 1 || el.fringeQuadExit > 1) {
          throw new LatticeError('only the Lee-Whiting quadrupole fringe (1) is modelled', { ...where, field: 'fringeQuadEntrance' });
        }
        blk[MAG.FQ_IN] = el.fringeQuadEntrance === 1 && b[1] !== 0 ? 1 : 0;
        blk[MAG.FQ_OUT] = el.fringeQuadExit === 1 && b[1] !== 0 ? 1 : 0;
        const radiates = isBend || el.type === 'quadrupole';
        blk[MAG.RAD] = radiation && radiates ? 1 : 0;
        blk[MAG.QUANTUM] = quantum && radiates ? 1 : 0;
        blk[MAG.MISALIGNED] = misaligned ? 1 : 0;
        blk[MAG.DX] = el.dx;
        blk[MAG.DY] = el.dy;
        blk[MAG.COS] = Math.cos(el.tilt);
        blk[MAG.SIN] = Math.sin(el.tilt);
        for (let k = 0; k <= MAX_ORDER; k++) {
          blk[MAG.B + k] = b[k];
          blk[MAG.A + k] = a[k];
        }
        push(KIND.MAGNET, blk, i);
        return;
      }
      case 'multipole': {
        if (el.knl.length > THIN_MAX_ORDER + 1 || el.ksl.length > THIN_MAX_ORDER + 1) {
          throw new LatticeError(`thin multipoles are tracked up to order ${THIN_MAX_ORDER} (knl/ksl of at most ${THIN_MAX_ORDER + 1} entries)`, { ...where, field: 'knl' });
        }
        if (el.length !== 0) {
          throw new LatticeError('a thin multipole must have zero length', { ...where, field: 'length' });
        }
        const blk = new Array<number>(THN.SIZE).fill(0);
        let mo = 0;
        for (let k = 0; k <= THIN_MAX_ORDER; k++) {
          const bk = (el.knl[k] ?? 0) / FACT[k];
          const ak = (el.ksl[k] ?? 0) / FACT[k];
          blk[THN.B + k] = bk;
          blk[THN.A + k] = ak;
          if (bk !== 0 || ak !== 0) mo = k;
        }
        blk[THN.MAXORDER] = mo;
        blk[THN.MISALIGNED] = el.dx !== 0 || el.dy !== 0 || el.tilt !== 0 ? 1 : 0;
        blk[THN.DX] = el.dx;
        blk[THN.DY] = el.dy;
        blk[THN.COS] = Math.cos(el.tilt);
        blk[THN.SIN] = Math.sin(el.tilt);
        push(KIND.THIN, blk, i);
        return;
      }
      case 'hkicker':
      case 'vkicker':
      case 'kicker': {
        const blk = new Array<number>(COR.SIZE).fill(0);
        blk[COR.L] = el.length;
        blk[COR.HKICK] = el.type === 'hkicker' ? el.kick : el.type === 'kicker' ? el.hkick : 0;
        blk[COR.VKICK] = el.type === 'vkicker' ? el.kick : el.type === 'kicker' ? el.vkick : 0;
        push(KIND.CORRECTOR, blk, i);
        return;
      }
      case 'rfcavity': {
        if (mode === '4d' || el.voltage === 0) {
          if (el.length > 0) push(KIND.DRIFT, [el.length], i);
          else push(KIND.IDENTITY, [], i);
          return;
        }
        let f = el.frequency;
        let hn = el.harmonic;
        if (f === 0 && hn === 0) {
          throw new LatticeError('an active RF cavity needs a frequency or a harmonic number', { ...where, field: 'frequency' });
        }
        if (hn === 0) hn = Math.round((f * circ) / C_LIGHT);
        if (f === 0 || opts.rfFromHarmonic) f = (hn * C_LIGHT) / circ;
        const blk = new Array<number>(RFC.SIZE).fill(0);
        blk[RFC.L] = el.length;
        blk[RFC.NV] = el.voltage / lat.energyEV;
        blk[RFC.FREQ] = f;
        blk[RFC.HARMONIC] = hn;
        blk[RFC.TIMELAG] = 0;
        blk[RFC.PHILAG] = 2 * Math.PI * el.lag; // MAD-X LAG [2π] taken as pyAT PhaseLag
        blk[RFC.T0] = t0;
        push(KIND.RF, blk, i);
        return;
      }
      case 'aperture': {
        if (el.length > 0) {
          throw new LatticeError('an aperture element must have zero length (put a drift next to it)', { ...where, field: 'length' });
        }
        push(KIND.APERTURE, [el.shape === 'elliptical' ? 1 : 0, el.xLimit, el.yLimit].slice(0, APE.SIZE), i);
        return;
      }
      case 'undulator': {
        const ku = (2 * Math.PI) / el.periodM;
        const k = (el.k * ku) ** 2 / (2 * gamma * gamma);
        const blk = new Array<number>(UND.SIZE).fill(0);
        blk[UND.L] = el.length;
        blk[UND.NSTEPS] = opts.slices ?? el.nSteps ?? 10;
        blk[UND.KX] = el.kind === 'helical' ? k : 0;
        blk[UND.KY] = k;
        push(KIND.UNDULATOR, blk, i);
        return;
      }
    }
  });
  void DRF;
  const crad = cradM(lat.energyEV);
  return {
    nElements: n,
    periodicity: lat.periodicity,
    kinds,
    offsets,
    params: Float64Array.from(blocks),
    names,
    energyEV: lat.energyEV,
    gamma,
    crad,
    quantumDiffusion: quantumDiffusionM2(lat.energyEV, gamma),
    chamberRadiusM: chamber,
    ctMinM: opts.ctWindowM?.[0] ?? -Infinity,
    ctMaxM: opts.ctWindowM?.[1] ?? Infinity,
    circumferenceM: circ,
    revolutionPeriodS: t0,
    mode,
    radiation,
    quantum,
  };
}

/**
 * Relative mismatch (f − h c/C)/(h c/C) of the first active cavity, 0 without one: a non-zero value
 * moves the beam off momentum (pyAT tracks it the same way).
 */
export function rfFrequencyMismatch(prog: Program): number {
  for (let e = 0; e < prog.nElements; e++) {
    if (prog.kinds[e] !== KIND.RF) continue;
    const o = prog.offsets[e];
    const f = prog.params[o + RFC.FREQ];
    const f0h = (prog.params[o + RFC.HARMONIC] * C_LIGHT) / prog.circumferenceM;
    return (f - f0h) / f0h;
  }
  return 0;
}

/** Name of the element at a ring-wide index (period × elements + index) with its period. */
export function elementLabel(prog: Program, ringIndex: number): string {
  const period = Math.floor(ringIndex / prog.nElements);
  const name = prog.names[ringIndex - period * prog.nElements];
  return prog.periodicity > 1 ? `${name} (period ${period + 1})` : name;
}
