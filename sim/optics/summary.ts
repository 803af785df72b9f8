/**
 * `computeOptics(lattice)`: everything a physicist reads first about a ring, in one plain object
 * whose keys the CLI prints as JSON (tools read them): tunes, chromaticities, momentum compaction,
 * radiation integrals, equilibrium emittance, energy spread, damping, RF. SI units, full ring.
 * No NaN ever: an unstable lattice or a missing piece throws an OpticsError with a clear message.
 */
import type { Lattice } from '../../lattice/lattice.ts';
import { chromaticityFromOrbits, naturalChromaticity } from './chromaticity.ts';
import { compileLattice, OpticsError, type CompiledRing } from './maps.ts';
import { equilibrium, radiationIntegrals, type RadiationIntegrals } from './radiation.ts';
import { closedOrbit6, momentumCompactionFromMap, rfParameters, type RfParameters } from './rf.ts';
import { linearOptics, type LinearOptics, type TwissTable } from './twiss.ts';

export interface OpticsSummary {
  name: string;
  energyEV: number;
  circumferenceM: number;
  periodicity: number;
  /** Full-ring tunes with their integer part [Qx, Qy] (Edwards–Teng modes when coupled). */
  tunes: [number, number];
  chromaticity: [number, number];
  naturalChromaticity: [number, number];
  /** α_c = I1/C. */
  momentumCompaction: number;
  /** α_c from the 6×6 one-turn map along the dispersion orbit (agrees with I1/C). */
  momentumCompactionFromMap: number;
  radiationIntegrals: RadiationIntegrals;
  energyLossPerTurnEV: number;
  emittanceM: number;
  energySpread: number;
  dampingPartition: [number, number, number];
  dampingTimesS: [number, number, number];
  revolutionPeriodS: number;
  /**
   * Present when a cavity has voltage. Also from the 6D one-turn map with the cavities (closedOrbit6):
   * the synchrotron eigen-tune and the synchronous ct of the 6D closed orbit (null when the map
   * cannot be built: harmonic not a multiple of the periodicity, frequency off h·f0).
   */
  rf: (RfParameters & { synchrotronTuneFromMap: number | null; synchronousCtM: number | null }) | null;
  coupled: boolean;
  /** Present when the lattice has undulators with K > 0: the same equilibrium with every gap open. */
  undulatorsOpen: {
    tunes: [number, number];
    radiationIntegrals: RadiationIntegrals;
    energyLossPerTurnEV: number;
    emittanceM: number;
    energySpread: number;
    dampingTimesS: [number, number, number];
  } | null;
}

export interface ComputeOpticsOptions {
  /** Skip the natural chromaticity (two more orbits). */
  skipNaturalChromaticity?: boolean;
  /** 'exact' maps (default) or pyAT's 'integrator' slices (maps.ts CompileOptions.model). */
  model?: 'exact' | 'integrator';
}

/** Result plus the detailed objects (Twiss table, compiled ring) for callers that need them. */
export interface OpticsResult {
  summary: OpticsSummary;
  optics: LinearOptics;
  twiss: TwissTable;
}

function equilibriumOf(ring: CompiledRing, opt: LinearOptics) {
  const ri = radiationIntegrals(opt);
  if (!(ri.total.I2 > 0)) {
    throw new OpticsError(`lattice '${ring.lattice.name}' has no bending (I2 = 0): no radiation equilibrium`);
  }
  return { ri, eq: equilibrium(ri.total, ring.energyEV, ring.gamma, ring.circumferenceM) };
}

export function computeOpticsDetailed(lattice: Lattice, opts: ComputeOpticsOptions = {}): OpticsResult {
  const model = opts.model ?? 'exact';
  const ring = compileLattice(lattice, { model });
  const opt = linearOptics(ring);
  const chrom = chromaticityFromOrbits(ring, opt.orbits.plus, opt.orbits.minus);
  const nat = opts.skipNaturalChromaticity ? chrom : naturalChromaticity(lattice, model);
  const { ri, eq } = equilibriumOf(ring, opt);
  const alphaMap = momentumCompactionFromMap(opt);
  const rfBase = rfParameters(ring, eq.energyLossPerTurnEV, eq.energySpread, eq.momentumCompaction);
  let rf: OpticsSummary['rf'] = null;
  if (rfBase) {
    let fromMap: number | null = null, ct: number | null = null;
    try {
      const o6 = closedOrbit6(opt, eq.energyLossPerTurnEV, alphaMap);
      fromMap = o6.tunes[2];
      ct = o6.orbit[5];
    } catch (err) {
      if (!(err instanceof OpticsError)) throw err;
    }
    rf = { ...rfBase, synchrotronTuneFromMap: fromMap, synchronousCtM: ct };
  }
  let undulatorsOpen: OpticsSummary['undulatorsOpen'] = null;
  if (ri.undulators.I2 > 0) {
    const ringOpen = compileLattice(lattice, { undulatorsOff: true, model });
    const optOpen = linearOptics(ringOpen);
    const open = equilibriumOf(ringOpen, optOpen);
    const ro = radiationIntegrals(optOpen, { undulators: false }).total;
    undulatorsOpen = {
      tunes: optOpen.tunes,
      radiationIntegrals: ro,
      energyLossPerTurnEV: open.eq.energyLossPerTurnEV,
      emittanceM: open.eq.emittanceM,
      energySpread: open.eq.energySpread,
      dampingTimesS: open.eq.dampingTimesS,
    };
  }
  const summary: OpticsSummary = {
    name: lattice.name,
    energyEV: lattice.energyEV,
    circumferenceM: ring.circumferenceM,
    periodicity: ring.periodicity,
    tunes: opt.tunes,
    chromaticity: chrom,
    naturalChromaticity: nat,
    momentumCompaction: eq.momentumCompaction,
    momentumCompactionFromMap: alphaMap,
    radiationIntegrals: ri.total,
    energyLossPerTurnEV: eq.energyLossPerTurnEV,
    emittanceM: eq.emittanceM,
    energySpread: eq.energySpread,
    dampingPartition: eq.dampingPartition,
    dampingTimesS: eq.dampingTimesS,
    revolutionPeriodS: eq.revolutionPeriodS,
    rf,
    coupled: opt.coupled,
    undulatorsOpen,
  };
  assertFinite(summary, 'optics summary');
  return { summary, optics: opt, twiss: opt.twiss };
}

/** The summary of a ring's linear optics and radiation equilibrium. */
export function computeOptics(lattice: Lattice, opts: ComputeOpticsOptions = {}): OpticsSummary {
  return computeOpticsDetailed(lattice, opts).summary;
}

/** Throws if any number in a result is not finite (never NaN in output). */
export function assertFinite(x: unknown, path: string): void {
  if (x === null) return;
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new OpticsError(`${path} is not a finite number (${x}): the optics are ill-defined for this lattice`);
  } else if (Array.isArray(x) || ArrayBuffer.isView(x)) {
    (x as ArrayLike<number>).length;
    Array.from(x as ArrayLike<unknown>).forEach((v, i) => assertFinite(v, `${path}[${i}]`));
  } else if (x && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) assertFinite(v, `${path}.${k}`);
  }
}

/** The Twiss table expanded over the full ring (periodicity copies, s and μ continued). */
export function fullRingTwiss(t: TwissTable, periodicity: number): Record<string, number[] | string[]> {
  const n = t.s.length - 1;
  const L = t.s[n], mx = t.muX[n], my = t.muY[n];
  const out: Record<string, any[]> = { name: [], s: [], betaX: [], betaY: [], alphaX: [], alphaY: [], etaX: [], etaPX: [], muX: [], muY: [] };
  for (let p = 0; p < periodicity; p++) {
    for (let i = 0; i < n + (p === periodicity - 1 ? 1 : 0); i++) {
      out.name.push(t.names[i]);
      out.s.push(t.s[i] + p * L);
      out.betaX.push(t.betaX[i]); out.betaY.push(t.betaY[i]);
      out.alphaX.push(t.alphaX[i]); out.alphaY.push(t.alphaY[i]);
      out.etaX.push(t.etaX[i]); out.etaPX.push(t.etaPX[i]);
      out.muX.push(t.muX[i] + p * mx); out.muY.push(t.muY[i] + p * my);
    }
  }
  return out;
}
