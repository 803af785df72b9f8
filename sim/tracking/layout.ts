/**
 * Memory layout of a compiled tracking program (the "schema" half of each element family; the
 * kernels in passes/ are the other half). Every element is one kind code plus a parameter block in
 * a flat Float64Array, resolved once by compile.ts; kernels read their block once per element and
 * then loop over particles.
 *
 * Particles: a Float64Array of N × 6 coordinates (x, px, y, py, δ, cτ) as in pyAT:
 * x, y [m]; px, py = P/p0; δ = (p − p0)/p0; cτ [m] = path lengthening, > 0 = late.
 * A lost particle has NaN coordinates (kernels skip it by testing x !== x).
 */

/** Kind codes (Int32). */
export const KIND = {
  /** Marker, monitor, zero-length or disabled element. */
  IDENTITY: 0,
  /** Paraxial drift (pyAT DriftPass). */
  DRIFT: 1,
  /** Exact drift (square-root Hamiltonian), option `exactDrift`. */
  DRIFT_EXACT: 2,
  /** Thick straight or sector-bend magnet, 4th-order integrator (pyAT *MPoleSymplectic4Pass). */
  MAGNET: 3,
  /** Thin multipole (pyAT ThinMPolePass). */
  THIN: 4,
  /** Orbit corrector (pyAT CorrectorPass). */
  CORRECTOR: 5,
  /** RF cavity (pyAT RFCavityPass). */
  RF: 6,
  /** Aperture (rectangular / elliptical). */
  APERTURE: 7,
  /** Undulator: drift with its natural linear focusing (see passes/undulator.ts). */
  UNDULATOR: 8,
} as const;

/** Highest multipole order stored for thick magnets (0 dipole error … 3 octupole). */
export const MAX_ORDER = 3;

/** Parameter block of a thick magnet (KIND.MAGNET), offsets from the block start. */
export const MAG = {
  L: 0,
  /** Number of integrator slices. */
  NSTEPS: 1,
  /** Highest non-zero order of B/A (pyAT MaxOrder). */
  MAXORDER: 2,
  /** Curvature h = angle / L [1/m] (0 = straight). */
  H: 3,
  /** 1 = apply the bend edge kicks (sector bends). */
  EDGES: 4,
  /** Entrance: h tan(e1). */
  FX_IN: 5,
  /** Entrance: e1 and ψ1 = h gap fint (1 + sin²e1)/cos e1 (vertical edge with fringe). */
  E_IN: 6,
  PSI_IN: 7,
  FX_OUT: 8,
  E_OUT: 9,
  PSI_OUT: 10,
  /** Lee-Whiting quadrupole fringe at entrance / exit (1 = on, only set when b1 ≠ 0). */
  FQ_IN: 11,
  FQ_OUT: 12,
  /** 1 = classical radiation in the body. */
  RAD: 13,
  /** 1 = quantum excitation in the body. */
  QUANTUM: 14,
  /** 1 = misaligned: shift (DX, DY) then roll by TILT (cos, sin). */
  MISALIGNED: 15,
  DX: 16,
  DY: 17,
  COS: 18,
  SIN: 19,
  /** b_n (n = 0..MAX_ORDER) then a_n: (By + iBx)/Bρ0 = Σ (b_n + i a_n)(x + iy)^n (pyAT PolynomB/A). */
  B: 20,
  A: 24,
  SIZE: 28,
} as const;

/** Thin multipole (KIND.THIN): integrated b_n L, a_n L up to THIN_MAX_ORDER. */
export const THIN_MAX_ORDER = 9;
export const THN = {
  MAXORDER: 0,
  MISALIGNED: 1, DX: 2, DY: 3, COS: 4, SIN: 5,
  B: 6,
  A: 6 + THIN_MAX_ORDER + 1,
  SIZE: 6 + 2 * (THIN_MAX_ORDER + 1),
} as const;

/** Corrector (KIND.CORRECTOR). */
export const COR = { L: 0, HKICK: 1, VKICK: 2, SIZE: 3 } as const;

/** RF cavity (KIND.RF). */
export const RFC = {
  L: 0,
  /** Peak voltage over the reference energy V/E0 (pyAT "nv"). */
  NV: 1,
  FREQ: 2,
  HARMONIC: 3,
  /** Time lag [m] (pyAT TimeLag). */
  TIMELAG: 4,
  /** Phase lag [rad] (pyAT PhaseLag). */
  PHILAG: 5,
  /** Revolution period of the ring [s] (for the turn term when f ≠ h f0). */
  T0: 6,
  SIZE: 7,
} as const;

/** Aperture (KIND.APERTURE): shape 0 = rectangular, 1 = elliptical; half widths [m]. */
export const APE = { SHAPE: 0, XLIM: 1, YLIM: 2, SIZE: 3 } as const;

/** Undulator (KIND.UNDULATOR): focusing strengths kx, ky [1/m²] at δ = 0. */
export const UND = { L: 0, NSTEPS: 1, KX: 2, KY: 3, SIZE: 4 } as const;

/** Drift (KIND.DRIFT / DRIFT_EXACT). */
export const DRF = { L: 0, SIZE: 1 } as const;

/**
 * A compiled lattice: plain typed arrays (structured-clone friendly, so a worker receives it as
 * one message) plus names for the reports.
 */
export interface Program {
  /** Elements in one period. */
  nElements: number;
  /** The turn tracks the period this many times. */
  periodicity: number;
  kinds: Int32Array;
  offsets: Int32Array;
  params: Float64Array;
  /** Element names (one period), for loss reports. */
  names: string[];
  /** Reference total energy [eV]. */
  energyEV: number;
  /** Lorentz factor of the reference particle. */
  gamma: number;
  /** pyAT CRAD = Cγ E0³ / (2π) [m] (classical energy loss per unit B²·length). */
  crad: number;
  /** Quantum diffusion: ⟨Δδ²⟩ per unit |b|³ length = 2 Cq γ² CRAD [m²] (radiation.ts). */
  quantumDiffusion: number;
  /** Default vacuum chamber radius [m] checked after every element (0 = none). */
  chamberRadiusM: number;
  /** Longitudinal window [m]: a particle with cτ outside [ctMinM, ctMaxM] is lost (left its RF bucket). */
  ctMinM: number;
  ctMaxM: number;
  /** Ring circumference [m] and revolution period [s]. */
  circumferenceM: number;
  revolutionPeriodS: number;
  /** What the program was compiled with. */
  mode: '4d' | '6d';
  radiation: boolean;
  quantum: boolean;
}
