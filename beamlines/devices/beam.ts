/**
 * The electron beam at a source point: energy, current, emittances, energy spread and the Twiss
 * and dispersion functions at the centre of the straight, and the second moments they give.
 *
 * Conventions: Twiss (β, α) and dispersion (η, η′) as in pyAT / MAD-X; the beam is the uncoupled
 * sum of a betatron part ε·[β, −α; −α, γ] and a dispersive part σδ²·[η², ηη′; ηη′, η′²]
 * (Wiedemann, Particle Accelerator Physics, 4th ed., §8.3), so for α = 0:
 *   σx = √(εx βx + (ηx σδ)²),  σx′ = √(εx/βx + (η′x σδ)²)   (undulator.md §2.1).
 *
 * Until `sim/optics` provides the Twiss functions at each straight, the NanoTerasu beam comes from
 * the synthetic 4BA cell of nanoterasu.md §2.4 ([M]: NOT the real lattice; the real β at the straights
 * are not published). `beamFromTwiss` is the one place where optics output will plug in.
 */
import { readFileSync } from 'node:fs';
import { ELECTRON_MASS_EV } from '../../sim/constants.ts';

export interface ElectronBeam {
  /** Total electron energy [eV]. */
  energyEV: number;
  /** Stored current [A]. */
  currentA: number;
  /** Horizontal and vertical (geometric, rms) emittances [m rad]. */
  emittanceXM: number;
  emittanceYM: number;
  /** Relative rms energy spread σδ. */
  energySpread: number;
  /** Twiss functions at the source point (centre of the device). */
  betaXM: number;
  betaYM: number;
  alphaX: number;
  alphaY: number;
  /** Dispersion and its derivative at the source point. */
  etaXM: number;
  etaPrimeX: number;
  etaYM: number;
  etaPrimeY: number;
  /** Where these numbers come from, carried into every output. */
  source: string;
}

/** Lorentz factor of the beam. */
export function gammaOf(beam: Pick<ElectronBeam, 'energyEV'>): number {
  return beam.energyEV / ELECTRON_MASS_EV;
}

/**
 * One plane's 2×2 beam matrix [⟨x²⟩, ⟨xx′⟩, ⟨x′²⟩] (betatron + dispersion). The "size" and
 * "divergence" are the square roots of the diagonal; the determinant is the area that enters the
 * brilliance when α ≠ 0 or η′ ≠ 0 (undulator.md §2.1).
 */
export interface PlaneMoments {
  xx: number;
  xxp: number;
  xpxp: number;
}

export function planeMoments(emittance: number, beta: number, alpha: number, eta: number, etaPrime: number, sigmaDelta: number): PlaneMoments {
  const gammaT = (1 + alpha * alpha) / beta;
  const s2 = sigmaDelta * sigmaDelta;
  return {
    xx: emittance * beta + eta * eta * s2,
    xxp: -emittance * alpha + eta * etaPrime * s2,
    xpxp: emittance * gammaT + etaPrime * etaPrime * s2,
  };
}

export interface BeamSizes {
  sigmaXM: number;
  sigmaXPrimeRad: number;
  sigmaYM: number;
  sigmaYPrimeRad: number;
  x: PlaneMoments;
  y: PlaneMoments;
}

export function beamSizes(beam: ElectronBeam): BeamSizes {
  const x = planeMoments(beam.emittanceXM, beam.betaXM, beam.alphaX, beam.etaXM, beam.etaPrimeX, beam.energySpread);
  const y = planeMoments(beam.emittanceYM, beam.betaYM, beam.alphaY, beam.etaYM, beam.etaPrimeY, beam.energySpread);
  return {
    sigmaXM: Math.sqrt(x.xx),
    sigmaXPrimeRad: Math.sqrt(x.xpxp),
    sigmaYM: Math.sqrt(y.xx),
    sigmaYPrimeRad: Math.sqrt(y.xpxp),
    x,
    y,
  };
}

/**
 * NanoTerasu machine defaults (nanoterasu.md §1): 3 GeV [P]; εx0 = 1.14 nm rad [S]; design coupling
 * 1 % [S] split as εx = εx0/(1+κ), εy = κ εx0/(1+κ) (§1 "Coupling" row); σδ = 8.39e-4 [M];
 * design current 400 mA [S] (160 mA in the first user year: pass currentA to change it).
 */
export const NANOTERASU = {
  energyEV: 3e9,
  naturalEmittanceM: 1.14e-9,
  coupling: 0.01,
  energySpread: 8.39e-4,
  designCurrentA: 0.4,
  operationCurrentA: 0.16,
} as const;

/** Twiss at the straights of the synthetic cell, nanoterasu.md §2.4 [M] (α = 0 at both centres). */
export const NANOTERASU_STRAIGHT_OPTICS = {
  long: { betaXM: 15.18, betaYM: 3.71, etaXM: 0 },
  short: { betaXM: 3.16, betaYM: 2.54, etaXM: 0.053 },
} as const;

export type StraightKind = 'long' | 'short';

export interface TwissAtSource {
  betaXM: number;
  betaYM: number;
  alphaX?: number;
  alphaY?: number;
  etaXM?: number;
  etaPrimeX?: number;
  etaYM?: number;
  etaPrimeY?: number;
}

/** The beam at a source point from machine parameters and the Twiss functions there. */
export function beamFromTwiss(
  machine: { energyEV: number; currentA: number; emittanceXM: number; emittanceYM: number; energySpread: number },
  t: TwissAtSource,
  source: string,
): ElectronBeam {
  return {
    ...machine,
    betaXM: t.betaXM,
    betaYM: t.betaYM,
    alphaX: t.alphaX ?? 0,
    alphaY: t.alphaY ?? 0,
    etaXM: t.etaXM ?? 0,
    etaPrimeX: t.etaPrimeX ?? 0,
    etaYM: t.etaYM ?? 0,
    etaPrimeY: t.etaPrimeY ?? 0,
    source,
  };
}

/** NanoTerasu's beam at the centre of a long or short straight (documented defaults, see above). */
export function nanoterasuBeam(straight: StraightKind, opts: { currentA?: number; coupling?: number } = {}): ElectronBeam {
  const kappa = opts.coupling ?? NANOTERASU.coupling;
  const eps0 = NANOTERASU.naturalEmittanceM;
  return beamFromTwiss(
    {
      energyEV: NANOTERASU.energyEV,
      currentA: opts.currentA ?? NANOTERASU.designCurrentA,
      emittanceXM: eps0 / (1 + kappa),
      emittanceYM: (kappa * eps0) / (1 + kappa),
      energySpread: NANOTERASU.energySpread,
    },
    NANOTERASU_STRAIGHT_OPTICS[straight],
    `NanoTerasu default beam at a ${straight} straight: εx0 = 1.14 nm [S], coupling ${kappa * 100} % , ` +
      `σδ = 8.39e-4 [M], β/η of the synthetic 4BA cell [M] (nanoterasu.md §2.4), not the real lattice`,
  );
}

/** A user mistake in a beam or device file: names the file and the field. */
export class SourceInputError extends Error {
  constructor(readonly file: string, readonly field: string, detail: string) {
    super(`${file}: ${field}: ${detail}`);
    this.name = 'SourceInputError';
  }
}

/** The parsed JSON of a beam or device file; a SourceInputError if it cannot be read or parsed. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SourceInputError(file, '(file)', `cannot read (${(err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SourceInputError(file, '(file)', `not valid JSON (${(err as Error).message})`);
  }
}

/** The top-level JSON object of a beam or device file, refusing any field not in `known`. */
export function jsonObject(obj: unknown, file: string, known: readonly string[]): Record<string, unknown> {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new SourceInputError(file, '(root)', 'must be a JSON object');
  const o = obj as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new SourceInputError(file, k, `unknown field (expected one of ${known.join(', ')})`);
  return o;
}

/** Reads a required positive (or ≥ 0 when allowZero) finite number from a parsed object. */
export function requireNumber(obj: Record<string, unknown>, field: string, file: string, opts: { allowZero?: boolean; optional?: boolean; signed?: boolean } = {}): number | undefined {
  const v = obj[field];
  if (v === undefined) {
    if (opts.optional) return undefined;
    throw new SourceInputError(file, field, 'missing');
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SourceInputError(file, field, `must be a finite number, got ${JSON.stringify(v)}`);
  if (!opts.signed && (v < 0 || (v === 0 && !opts.allowZero))) throw new SourceInputError(file, field, `must be ${opts.allowZero ? '≥ 0' : '> 0'}, got ${v}`);
  return v;
}

/**
 * A beam file (JSON): {"energyEV", "currentA", "emittanceXM", "emittanceYM", "energySpread",
 * "betaXM", "betaYM"} with optional "alphaX", "alphaY", "etaXM", "etaPrimeX", "etaYM", "etaPrimeY"
 * (0 when absent: the source is taken at a waist with no dispersion).
 */
const BEAM_FILE_FIELDS = ['energyEV', 'currentA', 'emittanceXM', 'emittanceYM', 'energySpread', 'betaXM', 'betaYM', 'alphaX', 'alphaY', 'etaXM', 'etaPrimeX', 'etaYM', 'etaPrimeY', 'source', 'comment'];

export function parseBeam(obj: unknown, file: string): ElectronBeam {
  const o = jsonObject(obj, file, BEAM_FILE_FIELDS);
  const num = (f: string, opts = {}) => requireNumber(o, f, file, opts);
  const signed = { optional: true, signed: true };
  const energyEV = num('energyEV')!;
  if (energyEV <= ELECTRON_MASS_EV) throw new SourceInputError(file, 'energyEV', `must exceed the electron rest energy (${ELECTRON_MASS_EV} eV)`);
  return beamFromTwiss(
    {
      energyEV,
      currentA: num('currentA')!,
      emittanceXM: num('emittanceXM', { allowZero: true })!,
      emittanceYM: num('emittanceYM', { allowZero: true })!,
      energySpread: num('energySpread', { allowZero: true })!,
    },
    {
      betaXM: num('betaXM')!,
      betaYM: num('betaYM')!,
      alphaX: num('alphaX', signed),
      alphaY: num('alphaY', signed),
      etaXM: num('etaXM', signed),
      etaPrimeX: num('etaPrimeX', signed),
      etaYM: num('etaYM', signed),
      etaPrimeY: num('etaPrimeY', signed),
    },
    typeof o.source === 'string' ? o.source : `beam file ${file}`,
  );
}

export function loadBeamFile(file: string): ElectronBeam {
  return parseBeam(readJsonFile(file), file);
}
