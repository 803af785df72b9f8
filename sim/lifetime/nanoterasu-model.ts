/**
 * Fallback beam model of the built-in ring for the lifetime and top-up modules, used when the optics
 * (`sim/optics`) and momentum-acceptance (`sim/studies/ma.ts`) modules are not available.
 *
 * Every number is from shared/reference/nanoterasu.md and carries its tag there:
 *  - [M] synthetic 4BA cell (§2.4): Twiss at the element ends of the half cell, mirrored; αc, U0, σδ,
 *    damping times, V_RF = 3.39 MV (σz = 2.92 mm, RF acceptance 4.6 %). NOT the real lattice.
 *  - [S] εx = 1.14 nm, coupling 1 % (design) / 2 % (measured), h = 592, C = 348.843 m.
 * The dispersion slope η' is not tabulated: it is estimated by finite differences of η between the
 * tabulated points (exact only in the drifts). The momentum acceptance is flat (lattice acceptance
 * unknown: the RF acceptance limits it).
 *
 * Assumptions that have no published value (each also in scenarios/topup.yaml):
 *  - vacuum: 1e-7 Pa average at zero current (typical of a conditioned 4th-generation ring), rising by
 *    2.5e-7 Pa per ampere; composition 75 % H2, 15 % CO, 5 % CO2, 5 % CH4 (typical of baked,
 *    NEG-coated chambers);
 *  - apertures: vertical half-gap 2 mm (an in-vacuum undulator closed to 4 mm) at βy = 3.71 m (LSS
 *    centre); horizontal 5 mm (dynamic aperture scale) at βx = 15.18 m (LSS centre).
 */
import type { RingBeam } from './ring.ts';
import type { LocalOptics } from './touschek.ts';

export const HALF_CELL_M = 10.90134;
export const CELLS = 16;

/** [M] optics at the element ends of the half cell (nanoterasu.md §2.4): s, βx, αx, βy, αy, ηx. */
const HALF_CELL_TABLE: ReadonlyArray<readonly [number, number, number, number, number, number]> = [
  [0.0, 15.18, 0, 3.71, 0, 0],
  [2.72, 15.67, -0.18, 5.71, -0.73, 0],
  [3.8858, 2.32, 3.57, 19.46, -8.52, 0],
  [5.0301, 1.45, -2.58, 18.82, 8.89, 0.061],
  [5.8474, 9.21, -6.92, 7.12, 5.42, 0.154],
  [6.2533, 10.24, 4.81, 5.96, -2.13, 0.162],
  [7.8014, 1.13, 1.18, 14.01, -3.01, 0.045],
  [8.9457, 1.59, -1.7, 8.28, 6.3, 0.03],
  [10.90134, 3.16, 0, 2.54, 0, 0.053],
];

/** One full cell (half + mirrored half) of the [M] optics, with η' from finite differences. */
export function fallbackCellOptics(): LocalOptics {
  const half = HALF_CELL_TABLE;
  const rows: number[][] = half.map((r) => [...r]);
  for (let i = half.length - 2; i >= 0; i--) {
    const [s, bx, ax, by, ay, eta] = half[i];
    rows.push([2 * HALF_CELL_M - s, bx, -ax, by, -ay, eta]);
  }
  const n = rows.length;
  const etaP = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - 1);
    const hi = Math.min(n - 1, i + 1);
    etaP[i] = (rows[hi][5] - rows[lo][5]) / (rows[hi][0] - rows[lo][0]);
  }
  // η' vanishes at the symmetry points (LSS and SSS centres).
  etaP[0] = 0;
  etaP[n - 1] = 0;
  etaP[half.length - 1] = 0;
  return {
    sM: Float64Array.from(rows, (r) => r[0]),
    betaX: Float64Array.from(rows, (r) => r[1]),
    alphaX: Float64Array.from(rows, (r) => r[2]),
    betaY: Float64Array.from(rows, (r) => r[3]),
    alphaY: Float64Array.from(rows, (r) => r[4]),
    etaX: Float64Array.from(rows, (r) => r[5]),
    etaPX: etaP,
  };
}

/** The fallback RingBeam of the built-in ring ([M]/[S] values and the documented assumptions). */
export function nanoterasuFallbackBeam(overrides: Partial<RingBeam> = {}): RingBeam {
  return {
    name: 'nanoterasu',
    energyEV: 3e9,
    circumferenceM: 348.843,
    harmonic: 592,
    optics: fallbackCellOptics(),
    momentumAcceptancePos: 0.1,
    momentumAcceptanceNeg: 0.1, // no lattice limit known: the RF acceptance (4.6 %) limits it
    source:
      'fallback: [M] synthetic-cell Twiss at 17 points per cell (nanoterasu.md §2.4), flat momentum acceptance = RF acceptance; sim/optics and sim/studies/ma.ts not used',
    naturalEmittanceM: 1.14e-9,
    coupling: 0.01,
    energySpread: 8.39e-4,
    rf: { voltageV: 3.39e6, energyLossPerTurnEV: 0.615e6, momentumCompaction: 4.12e-4 },
    dampingTimesS: { x: 8.18e-3, y: 11.36e-3, z: 7.05e-3 },
    apertures: { xHalfM: 5e-3, betaXAtApertureM: 15.18, yHalfM: 2e-3, betaYAtApertureM: 3.71 },
    vacuum: {
      basePressurePa: 1e-7,
      pressurePerAmpPa: 2.5e-7,
      temperatureK: 295,
      composition: { H2: 0.75, CO: 0.15, CO2: 0.05, CH4: 0.05 },
    },
    ...overrides,
  };
}
