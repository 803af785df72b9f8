/**
 * Insertion devices and the closed-form undulator source: resonance, harmonics and tuning curves,
 * Fn(K), central-cone flux, on-axis flux density, natural photon size and divergence (with the
 * energy-spread correction of Tanaka & Kitamura 2009), brilliance and coherent fraction — each
 * tagged with its convention — plus the bending-magnet-like spectrum of a planar wiggler.
 *
 * Units (as /work/shared/reference/undulator.md): SI inside (m, rad, eV, A); outputs
 *   flux density  ph/s/mrad²/0.1%bw,   flux  ph/s/0.1%bw,   brilliance  ph/s/mm²/mrad²/0.1%bw.
 *
 * K convention (stated once here because SRW/Sirepo users have been bitten by it, undulator.md §1):
 *   ky is the deflection parameter of the VERTICAL field By (horizontal wiggle, horizontal
 *   polarisation); kx that of the horizontal field Bx; K = e B0 λu/(2π m c) per component;
 *   βx = (ky/γ) cos τ, βy = −(kx/γ) cos(τ + φ)   (undulator.md §2.2, §2.11);
 *   K_eff² = kx² + ky². A planar device has kx = 0, ky = K. A helical device has kx = ky = K0 and
 *   φ = ±π/2 (K_eff = √2 K0). The "k" of a helical device file is K0, per component.
 */
import { ALPHA_FINE, C_LIGHT, E_CHARGE, ELECTRON_MASS_EV, H_PLANCK_EVS, HBAR_C_EVM } from '../../sim/constants.ts';
import { beamSizes, gammaOf, type ElectronBeam, type PlaneMoments } from './beam.ts';
import { besselJ, besselK, besselKIntegral, erf } from './special.ts';

/** hc [eV m]. */
export const HC_EVM = H_PLANCK_EVS * C_LIGHT;
/** 0.1 % bandwidth, the Δω/ω of every spectral output. */
export const BW = 1e-3;

export type DeviceType = 'planar' | 'helical' | 'elliptical' | 'wiggler';
export const DEVICE_TYPES: readonly DeviceType[] = ['planar', 'helical', 'elliptical', 'wiggler'];

/** One setting of a device: what the trajectory and the radiation depend on. */
export interface DeviceSetting {
  type: DeviceType;
  /** Period λu [m]. */
  periodM: number;
  /** Number of periods N (integer). */
  periods: number;
  /** Deflection parameter of the horizontal field Bx (vertical wiggle). */
  kx: number;
  /** Deflection parameter of the vertical field By (horizontal wiggle). */
  ky: number;
  /** Phase φ between the two components [rad]: ±π/2 for helical/elliptical, 0 for inclined linear. */
  phaseRad: number;
}

/** Device length L = N λu [m]. */
export const lengthM = (d: DeviceSetting) => d.periods * d.periodM;
/** K_eff² = kx² + ky². */
export const kEffSquared = (d: DeviceSetting) => d.kx * d.kx + d.ky * d.ky;

/** K = e B0 λu / (2π m c) (undulator.md §2.2), B0 in T, λu in m. */
export function kFromField(fieldT: number, periodM: number): number {
  return (C_LIGHT * fieldT * periodM) / (2 * Math.PI * ELECTRON_MASS_EV);
}
/** Peak field [T] of a deflection parameter K at period λu. */
export function fieldFromK(k: number, periodM: number): number {
  return (2 * Math.PI * ELECTRON_MASS_EV * k) / (C_LIGHT * periodM);
}

/**
 * Gap → peak field. Either the ideal Halbach pure-permanent-magnet array
 *   B0 = 2 Br [sin(π/M)/(π/M)] (1 − exp(−2π h/λu)) exp(−π g/λu)   (Halbach, NIM 187 (1981) 109;
 * undulator.md §2.2), or a fitted form B0 = exp(a + b (g/λu) + c (g/λu)²) as used for hybrid and
 * APPLE devices (coefficients from a magnetic measurement when one exists).
 */
export type GapModel =
  | { model: 'halbach'; remanenceT: number; blocksPerPeriod: number; blockHeightM: number }
  | { model: 'exp-fit'; a: number; b: number; c: number };

export function fieldFromGap(model: GapModel, gapM: number, periodM: number): number {
  const r = gapM / periodM;
  if (model.model === 'halbach') {
    const m = model.blocksPerPeriod;
    const packing = Math.sin(Math.PI / m) / (Math.PI / m);
    return 2 * model.remanenceT * packing * (1 - Math.exp((-2 * Math.PI * model.blockHeightM) / periodM)) * Math.exp(-Math.PI * r);
  }
  return Math.exp(model.a + model.b * r + model.c * r * r);
}

/**
 * The inverse of fieldFromGap: the gap [m] that gives peak field B0 [T]; NaN if the model cannot
 * reach it (B0 above the field at zero gap, or no falling branch of the fitted form).
 */
export function gapForField(model: GapModel, fieldT: number, periodM: number): number {
  if (!(fieldT > 0)) return NaN;
  if (model.model === 'halbach') {
    const b0 = fieldFromGap(model, 0, periodM);
    return fieldT <= b0 ? (-periodM / Math.PI) * Math.log(fieldT / b0) : NaN;
  }
  // ln B0 = a + b r + c r², on the branch where the field falls with the gap (b + 2 c r < 0)
  const { a, b, c } = model;
  const rhs = a - Math.log(fieldT);
  let r: number;
  if (Math.abs(c) < 1e-300) r = -rhs / b;
  else {
    const disc = b * b - 4 * c * rhs;
    if (disc < 0) return NaN;
    const roots = [(-b - Math.sqrt(disc)) / (2 * c), (-b + Math.sqrt(disc)) / (2 * c)].filter((x) => x >= 0 && b + 2 * c * x < 0);
    if (roots.length === 0) return NaN;
    r = Math.min(...roots);
  }
  return r >= 0 && b + 2 * c * r < 0 ? r * periodM : NaN;
}

// ---------------------------------------------------------------------------------------------
// Resonance and harmonics

/**
 * Photon energy [eV] of harmonic n at angle θ (undulator.md §2.3):
 *   E_n(θ) = n · 2γ² hc / (λu (1 + kx²/2 + ky²/2 + γ²θ²)).
 */
export function resonanceEnergyEV(d: DeviceSetting, beamEnergyEV: number, n: number, thetaRad = 0): number {
  const g = beamEnergyEV / ELECTRON_MASS_EV;
  return (n * 2 * g * g * HC_EVM) / (d.periodM * (1 + kEffSquared(d) / 2 + g * g * thetaRad * thetaRad));
}

/** K (of a planar device, or K_eff) that puts harmonic n at photon energy E; NaN if unreachable. */
export function kForEnergy(periodM: number, beamEnergyEV: number, n: number, photonEnergyEV: number): number {
  const g = beamEnergyEV / ELECTRON_MASS_EV;
  const onePlus = (n * 2 * g * g * HC_EVM) / (periodM * photonEnergyEV);
  return onePlus >= 1 ? Math.sqrt(2 * (onePlus - 1)) : NaN;
}

/** Thrown when a setting has no closed-form Fn (general phase): use the numerical spectrum. */
export class NoClosedFormError extends Error {}

/**
 * Fn on axis (Kim 1989; X-ray Data Booklet §2.1; undulator.md §2.4).
 * planar, odd n:  Fn = n²K²/(1+K²/2)² [J_{(n−1)/2}(x) − J_{(n+1)/2}(x)]²,  x = nK²/(4(1+K²/2));
 * elliptical (φ = ±π/2), odd n:
 *   Fn = n²/(1+kx²/2+ky²/2)² {ky²[J_{(n−1)/2}(x) − J_{(n+1)/2}(x)]² + kx²[J_{(n−1)/2}(x) + J_{(n+1)/2}(x)]²},
 *   x = n(ky² − kx²)/(4(1+kx²/2+ky²/2));  helical (kx = ky) gives F1 = 2K0²/(1+K0²)², F_{n>1} = 0.
 * Even harmonics vanish on axis. φ = 0 or π is a planar device of K_eff tilted in the transverse
 * plane. Other phases have no closed form here (NoClosedFormError).
 */
export function fn(d: DeviceSetting, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`harmonic must be a positive integer, got ${n}`);
  if (n % 2 === 0) return 0;
  const { kx, ky } = d;
  const planarK = kx === 0 ? ky : ky === 0 ? kx : Math.abs(Math.sin(d.phaseRad)) < 1e-12 ? Math.sqrt(kx * kx + ky * ky) : NaN;
  if (!Number.isNaN(planarK)) {
    const k2 = planarK * planarK;
    const x = (n * k2) / (4 * (1 + k2 / 2));
    const m = (n - 1) / 2;
    const dj = besselJ(m, x) - besselJ(m + 1, x);
    return ((n * n * k2) / ((1 + k2 / 2) ** 2)) * dj * dj;
  }
  if (Math.abs(Math.cos(d.phaseRad)) > 1e-12) {
    throw new NoClosedFormError(`no closed-form Fn for phase ${d.phaseRad} rad (kx = ${kx}, ky = ${ky}); use the numerical spectrum`);
  }
  const den = 1 + kx * kx / 2 + ky * ky / 2;
  const x = (n * (ky * ky - kx * kx)) / (4 * den);
  const m = (n - 1) / 2;
  const a = besselJ(m, x);
  const b = besselJ(m + 1, x);
  return ((n * n) / (den * den)) * (ky * ky * (a - b) ** 2 + kx * kx * (a + b) ** 2);
}

/** Qn = (1 + K_eff²/2) Fn / n (undulator.md §2.4). */
export function qn(d: DeviceSetting, n: number): number {
  return ((1 + kEffSquared(d) / 2) * fn(d, n)) / n;
}

/**
 * Central-cone flux [ph/s/0.1%bw] (Kim; undulator.md §2.6): Fn = π α N (Δω/ω) (I/e) Qn.
 * This is the angle-integrated flux on the harmonic's plateau just below E_n, 2× the value at E_n.
 */
export function centralConeFlux(d: DeviceSetting, beam: Pick<ElectronBeam, 'currentA'>, n: number): number {
  return Math.PI * ALPHA_FINE * d.periods * BW * (beam.currentA / E_CHARGE) * qn(d, n);
}

/**
 * On-axis flux density of a filament beam at E_n [ph/s/mrad²/0.1%bw] (undulator.md §2.5):
 *   d²F/dΩ = α N² γ² (Δω/ω) (I/e) Fn  per rad²  (×1e-6 per mrad²). Exact at resonance for large N.
 */
export function onAxisFluxDensity(d: DeviceSetting, beam: Pick<ElectronBeam, 'currentA' | 'energyEV'>, n: number): number {
  const g = gammaOf(beam);
  return ALPHA_FINE * d.periods * d.periods * g * g * BW * (beam.currentA / E_CHARGE) * fn(d, n) * 1e-6;
}

// ---------------------------------------------------------------------------------------------
// Natural photon beam and brilliance

/**
 * Energy-spread factor Q_a(x) = {2x² / [−1 + exp(−2x²) + √(2π) x erf(√2 x)]}^{1/2}
 * (Tanaka & Kitamura, JSR 16 (2009) 380, eq. 17). For small x the bracket cancels: its Taylor
 * series 2x² − (2/3)x⁴ + (4/15)x⁶ gives Q_a² = 1/(1 − x²/3 + 2x⁴/15).
 */
export function qa(x: number): number {
  const ax = Math.abs(x);
  if (ax < 1e-2) {
    const x2 = ax * ax;
    return 1 / Math.sqrt(1 - x2 / 3 + (2 * x2 * x2) / 15);
  }
  const den = -1 + Math.exp(-2 * ax * ax) + Math.sqrt(2 * Math.PI) * ax * erf(Math.SQRT2 * ax);
  return Math.sqrt((2 * ax * ax) / den);
}

/**
 * Conventions of the natural photon size σr and divergence σr′ (undulator.md §2.7):
 * - 'kim':            σr = √(2λL)/(4π), σr′ = √(λ/2L)  (X-ray Data Booklet; SPECTRA "GA" size)
 * - 'tanaka-kitamura': σr = √(2λL)/(2π), σr′ = √(λ/2L) (the text after T&K 2009 eq. 23, as xrt get_SIGMA)
 * - 'elleaume':       σr = 2.740/(4π) √(λL), σr′ = 0.69 √(λ/L) (Onuki & Elleaume 2003 Gaussian fit)
 * With energy spread (ε = 2π n N σδ), 'kim' and 'tanaka-kitamura' apply σr′ × Q_a(ε) and
 * σr × Q_a(ε/4)^{2/3} (T&K 2009 eq. 17, 23; as xrt). 'elleaume' has no energy-spread form.
 */
export type SizeConvention = 'kim' | 'tanaka-kitamura' | 'elleaume';

export interface NaturalBeam {
  sigmaRM: number;
  sigmaRPrimeRad: number;
}

export function naturalPhotonBeam(wavelengthM: number, lengthMeters: number, convention: SizeConvention, energySpreadFactor = 0): NaturalBeam {
  const lam = wavelengthM;
  const L = lengthMeters;
  let sr: number;
  let srp: number;
  if (convention === 'elleaume') {
    if (energySpreadFactor !== 0) throw new RangeError('the Elleaume convention has no energy-spread correction here');
    return { sigmaRM: (2.74 / (4 * Math.PI)) * Math.sqrt(lam * L), sigmaRPrimeRad: 0.69 * Math.sqrt(lam / L) };
  }
  sr = Math.sqrt(2 * lam * L) / (convention === 'kim' ? 4 * Math.PI : 2 * Math.PI);
  srp = Math.sqrt(lam / (2 * L));
  if (energySpreadFactor !== 0) {
    srp *= qa(energySpreadFactor);
    sr *= Math.pow(qa(energySpreadFactor / 4), 2 / 3);
  }
  return { sigmaRM: sr, sigmaRPrimeRad: srp };
}

/** Photon beam of one plane: electron moments plus the natural photon beam (uncorrelated). */
export interface PhotonPlane {
  sizeM: number;
  divergenceRad: number;
  /** √det of the 2×2 photon phase-space matrix = Σ Σ′ when α = η′ = 0 [m rad]. */
  areaM: number;
}

export function photonPlane(e: PlaneMoments, nat: NaturalBeam): PhotonPlane {
  const xx = e.xx + nat.sigmaRM * nat.sigmaRM;
  const pp = e.xpxp + nat.sigmaRPrimeRad * nat.sigmaRPrimeRad;
  return { sizeM: Math.sqrt(xx), divergenceRad: Math.sqrt(pp), areaM: Math.sqrt(xx * pp - e.xxp * e.xxp) };
}

/** The brilliance variants this module gives; every output is keyed by one of these names. */
export const BRILLIANCE_CONVENTIONS = {
  kim: 'Kim (X-ray Data Booklet): σr = √(2λL)/4π, σr′ = √(λ/2L), no energy-spread correction',
  kimEnergySpread: 'Kim sizes with the Tanaka & Kitamura (2009) energy-spread factors Qa (the SPECTRA "GA. Brilliance" convention; the default)',
  tanakaKitamura: 'Tanaka & Kitamura (2009) sizes σr = √(2λL)/2π, σr′ = √(λ/2L), no energy spread',
  tanakaKitamuraEnergySpread: 'Tanaka & Kitamura (2009) sizes with the energy-spread factors Qa',
  elleaume: 'Onuki & Elleaume (2003) Gaussian fit: σr = 2.740√(λL)/4π, σr′ = 0.69√(λ/L)',
} as const;
export type BrillianceConvention = keyof typeof BRILLIANCE_CONVENTIONS;

const CONVENTION_PARTS: Record<BrillianceConvention, [SizeConvention, boolean]> = {
  kim: ['kim', false],
  kimEnergySpread: ['kim', true],
  tanakaKitamura: ['tanaka-kitamura', false],
  tanakaKitamuraEnergySpread: ['tanaka-kitamura', true],
  elleaume: ['elleaume', false],
};

export interface SourcePoint {
  convention: BrillianceConvention;
  natural: NaturalBeam;
  x: PhotonPlane;
  y: PhotonPlane;
  /** ph/s/mm²/mrad²/0.1%bw: Fn / ((2π)² Σx Σx′ Σy Σy′) (undulator.md §2.8), determinant form. */
  brilliance: number;
  /** Kim's coherent fraction p = (λ/4π)² / (Σx Σx′ Σy Σy′) with the same Σ (undulator.md §2.9). */
  coherentFraction: number;
  /** p × Fn [ph/s/0.1%bw]. */
  coherentFlux: number;
}

/** Brilliance and coherent fraction of harmonic n in one convention. */
export function sourcePoint(d: DeviceSetting, beam: ElectronBeam, n: number, convention: BrillianceConvention, flux?: number): SourcePoint {
  const lam = HC_EVM / resonanceEnergyEV(d, beam.energyEV, n);
  return sourceAtWavelength(lam, lengthM(d), n * d.periods, beam, convention, flux ?? centralConeFlux(d, beam, n));
}

/**
 * The same at a given wavelength λ [m] and device length L [m]; nN = harmonic × periods (enters
 * only the energy-spread factor ε = 2π nN σδ); F the flux [ph/s/0.1%bw] (1 gives brilliance per unit flux).
 */
export function sourceAtWavelength(lam: number, lengthMeters: number, nN: number, beam: ElectronBeam, convention: BrillianceConvention, F = 1): SourcePoint {
  const [size, withSpread] = CONVENTION_PARTS[convention];
  const eps = withSpread ? 2 * Math.PI * nN * beam.energySpread : 0;
  const natural = naturalPhotonBeam(lam, lengthMeters, size, eps);
  const e = beamSizes(beam);
  const x = photonPlane(e.x, natural);
  const y = photonPlane(e.y, natural);
  const area = x.areaM * y.areaM;
  const p = (lam / (4 * Math.PI)) ** 2 / area;
  return {
    convention,
    natural,
    x,
    y,
    brilliance: (F / ((2 * Math.PI) ** 2 * area)) * 1e-12,
    coherentFraction: p,
    coherentFlux: p * F,
  };
}

/** Everything the closed forms give for one harmonic at one setting. */
export interface HarmonicSummary {
  n: number;
  energyEV: number;
  wavelengthM: number;
  fn: number;
  qn: number;
  /** ph/s/0.1%bw */
  centralConeFlux: number;
  /** ph/s/mrad²/0.1%bw, filament beam, at E_n */
  onAxisFluxDensity: number;
  brilliance: Record<BrillianceConvention, number>;
  coherentFraction: Record<BrillianceConvention, number>;
  /** Photon beam sizes and divergences [m, rad] in the default convention (kimEnergySpread). */
  photonBeam: { sigmaXM: number; sigmaXPrimeRad: number; sigmaYM: number; sigmaYPrimeRad: number };
}

export function harmonicSummary(d: DeviceSetting, beam: ElectronBeam, n: number): HarmonicSummary {
  const energyEV = resonanceEnergyEV(d, beam.energyEV, n);
  const F = centralConeFlux(d, beam, n);
  const brilliance = {} as Record<BrillianceConvention, number>;
  const coherentFraction = {} as Record<BrillianceConvention, number>;
  let def: SourcePoint | undefined;
  for (const c of Object.keys(BRILLIANCE_CONVENTIONS) as BrillianceConvention[]) {
    const sp = sourcePoint(d, beam, n, c, F);
    brilliance[c] = sp.brilliance;
    coherentFraction[c] = sp.coherentFraction;
    if (c === 'kimEnergySpread') def = sp;
  }
  return {
    n,
    energyEV,
    wavelengthM: HC_EVM / energyEV,
    fn: fn(d, n),
    qn: qn(d, n),
    centralConeFlux: F,
    onAxisFluxDensity: onAxisFluxDensity(d, beam, n),
    brilliance,
    coherentFraction,
    photonBeam: { sigmaXM: def!.x.sizeM, sigmaXPrimeRad: def!.x.divergenceRad, sigmaYM: def!.y.sizeM, sigmaYPrimeRad: def!.y.divergenceRad },
  };
}

// ---------------------------------------------------------------------------------------------
// Tuning: a device's range of K and its polarisation modes

/**
 * Polarisation modes of an APPLE-II (and the one mode of the other types). The scalar K of a
 * mode maps to (kx, ky, φ):
 *   linear-horizontal  (0, K, 0)       linear-vertical  (K, 0, 0)
 *   circular-plus      (K, K, +π/2)    circular-minus   (K, K, −π/2)
 *   linear-inclined    (K/√2, K/√2, 0)  (a planar device of K tilted by 45°)
 * Which of ±π/2 is left- or right-handed depends on the observer's convention; we do not name it.
 */
export type PolarisationMode = 'linear-horizontal' | 'linear-vertical' | 'circular-plus' | 'circular-minus' | 'linear-inclined';
export const POLARISATION_MODES: readonly PolarisationMode[] = ['linear-horizontal', 'linear-vertical', 'circular-plus', 'circular-minus', 'linear-inclined'];

export function settingFor(type: DeviceType, periodM: number, periods: number, k: number, mode?: PolarisationMode): DeviceSetting {
  const base = { type, periodM, periods };
  if (type === 'planar' || type === 'wiggler') return { ...base, kx: 0, ky: k, phaseRad: 0 };
  if (type === 'helical') return { ...base, kx: k, ky: k, phaseRad: Math.PI / 2 };
  switch (mode ?? 'linear-horizontal') {
    case 'linear-horizontal': return { ...base, kx: 0, ky: k, phaseRad: 0 };
    case 'linear-vertical': return { ...base, kx: k, ky: 0, phaseRad: 0 };
    case 'circular-plus': return { ...base, kx: k, ky: k, phaseRad: Math.PI / 2 };
    case 'circular-minus': return { ...base, kx: k, ky: k, phaseRad: -Math.PI / 2 };
    case 'linear-inclined': return { ...base, kx: k / Math.SQRT2, ky: k / Math.SQRT2, phaseRad: 0 };
  }
}

/** Harmonics that carry flux on axis: odd ones, except a helical device (or circular mode): n = 1. */
export function onAxisHarmonics(d: DeviceSetting, maxN: number): number[] {
  const circular = d.kx !== 0 && d.ky !== 0 && Math.abs(Math.abs(d.kx) - Math.abs(d.ky)) < 1e-12 && Math.abs(Math.cos(d.phaseRad)) < 1e-12;
  if (circular) return [1];
  const out: number[] = [];
  for (let n = 1; n <= maxN; n += 2) out.push(n);
  return out;
}

export interface TuningPoint {
  k: number;
  energyEV: number;
  centralConeFlux: number;
  onAxisFluxDensity: number;
  brillianceKim: number;
  brillianceKimEnergySpread: number;
  coherentFractionKimEnergySpread: number;
  /** Gap [m] for this K from the device's field model (null without one). */
  gapM: number | null;
}

/**
 * Tuning curve of harmonic n: K from kMax down to kMin (so the photon energy rises), `points`
 * samples uniform in K. Closed forms only (a few µs per point). `settingAt` maps K to a setting
 * for devices that are not one of the standard modes (e.g. a file's fixed kx : ky ratio).
 */
export function tuningCurve(
  type: DeviceType, periodM: number, periods: number, kMin: number, kMax: number, beam: ElectronBeam, n: number,
  opts: { points?: number; mode?: PolarisationMode; settingAt?: (k: number) => DeviceSetting; gapModel?: GapModel } = {},
): TuningPoint[] {
  const points = opts.points ?? 41;
  const out: TuningPoint[] = [];
  for (let i = 0; i < points; i++) {
    const k = kMax - ((kMax - kMin) * i) / (points - 1);
    const d = opts.settingAt ? opts.settingAt(k) : settingFor(type, periodM, periods, k, opts.mode);
    const F = centralConeFlux(d, beam, n);
    const kim = sourcePoint(d, beam, n, 'kim', F);
    const kes = sourcePoint(d, beam, n, 'kimEnergySpread', F);
    out.push({
      k,
      energyEV: resonanceEnergyEV(d, beam.energyEV, n),
      centralConeFlux: F,
      onAxisFluxDensity: onAxisFluxDensity(d, beam, n),
      brillianceKim: kim.brilliance,
      brillianceKimEnergySpread: kes.brilliance,
      coherentFractionKimEnergySpread: kes.coherentFraction,
      gapM: opts.gapModel ? gapForField(opts.gapModel, fieldFromK(k, periodM), periodM) : null,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Planar wiggler: an undulator with K ≫ 1, whose spectrum is 2N times a bending magnet's of the
// peak field (incoherent sum of 2N poles; Kim, X-ray Data Booklet §2.1, "wiggler").

/** Critical photon energy [eV] of the peak field: Ec = 3ħcγ³/(2ρ), 1/ρ = cB/E (Ec[keV] = 0.665 E²[GeV] B[T]). */
export function criticalEnergyEV(fieldT: number, beamEnergyEV: number): number {
  const g = beamEnergyEV / ELECTRON_MASS_EV;
  const invRho = (C_LIGHT * fieldT) / beamEnergyEV;
  return 1.5 * HBAR_C_EVM * g * g * g * invRho;
}

/**
 * Wiggler on-axis flux density [ph/s/mrad²/0.1%bw] at photon energy E:
 *   2N · (3α/4π²) γ² (Δω/ω) (I/e) y² K_{2/3}(y/2)²,  y = E/Ec   (Kim, X-ray Data Booklet eq. 2.5, ×2N).
 */
export function wigglerOnAxisFluxDensity(d: DeviceSetting, beam: Pick<ElectronBeam, 'currentA' | 'energyEV'>, photonEnergyEV: number): number {
  const g = gammaOf(beam);
  const ec = criticalEnergyEV(fieldFromK(d.ky, d.periodM), beam.energyEV);
  const y = photonEnergyEV / ec;
  const k = besselK(2 / 3, y / 2);
  return 2 * d.periods * ((3 * ALPHA_FINE) / (4 * Math.PI * Math.PI)) * g * g * BW * (beam.currentA / E_CHARGE) * y * y * k * k * 1e-6;
}

/**
 * Wiggler flux per mrad of horizontal angle, integrated over the vertical [ph/s/mrad/0.1%bw]:
 *   2N · (√3/2π) α γ (Δω/ω) (I/e) G1(y),  G1(y) = y ∫_y^∞ K_{5/3}   (X-ray Data Booklet eq. 2.6).
 * Valid inside the horizontal fan |θx| < K/γ (the field reaches its peak value at every pole).
 */
export function wigglerFluxPerMrad(d: DeviceSetting, beam: Pick<ElectronBeam, 'currentA' | 'energyEV'>, photonEnergyEV: number): number {
  const g = gammaOf(beam);
  const ec = criticalEnergyEV(fieldFromK(d.ky, d.periodM), beam.energyEV);
  const y = photonEnergyEV / ec;
  return 2 * d.periods * (Math.sqrt(3) / (2 * Math.PI)) * ALPHA_FINE * g * BW * (beam.currentA / E_CHARGE) * y * besselKIntegral(5 / 3, y) * 1e-3;
}
