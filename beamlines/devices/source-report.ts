/**
 * What the `source` command reports for one device on one beam: harmonics (closed forms plus the
 * numerical on-axis peak with the real beam), tuning curves, power, and the side-by-side with
 * SPring-8. Plain data out; the CLI formats it.
 */
import { beamSizes, jsonObject, readJsonFile, requireNumber, SourceInputError, type ElectronBeam } from './beam.ts';
import { onAxisPowerDensityHelical, onAxisPowerDensityPlanar, angularPowerDensity, powerThroughAperture, totalPowerW } from './power.ts';
import { computeSpectrum, SpectrumPool } from './spectrum.ts';
import {
  BRILLIANCE_CONVENTIONS, centralConeFlux, criticalEnergyEV, DEVICE_TYPES, fieldFromK, gapForField, harmonicSummary, HC_EVM, kEffSquared,
  kForEnergy, lengthM, onAxisHarmonics, resonanceEnergyEV, settingFor, sourcePoint, tuningCurve, wigglerFluxPerMrad,
  wigglerOnAxisFluxDensity, type BrillianceConvention, type DeviceSetting, type DeviceType, type GapModel, type PolarisationMode, type TuningPoint,
} from './undulator.ts';

export const UNITS = {
  energyEV: 'eV',
  centralConeFlux: 'ph/s/0.1%bw (Kim central cone, angle-integrated, on the harmonic plateau just below E_n)',
  onAxisFluxDensity: 'ph/s/mrad²/0.1%bw, filament (zero-emittance) beam, at E_n',
  onAxisFluxDensityBeam: 'ph/s/mrad²/0.1%bw, numerical, with the beam\'s angular spread and energy spread, at its peak near E_n',
  brilliance: 'ph/s/mm²/mrad²/0.1%bw',
  coherentFraction: 'dimensionless, Kim p = (λ/4π)²/(ΣxΣx′ΣyΣy′) with the Σ of kimEnergySpread (coherentFractionByConvention: the Σ of each convention)',
  totalPowerW: 'W',
  onAxisPowerDensityWPerMrad2: 'W/mrad²',
  sizes: 'm and rad (rms)',
} as const;

export interface HarmonicRow {
  n: number;
  energyEV: number;
  fn: number;
  qn: number;
  centralConeFlux: number;
  onAxisFluxDensity: number;
  onAxisFluxDensityBeam: number | null;
  onAxisFluxDensityBeamEnergyEV: number | null;
  brilliance: Record<BrillianceConvention, number>;
  /** Kim's coherent fraction with the sizes of the default convention (kimEnergySpread). */
  coherentFraction: number;
  /** The coherent fraction in every convention. */
  coherentFractionByConvention: Record<BrillianceConvention, number>;
  photonBeam: { sigmaXM: number; sigmaXPrimeRad: number; sigmaYM: number; sigmaYPrimeRad: number };
}

export interface SourceReport {
  device: DeviceSetting & { name: string; lengthM: number; kEff: number; mode?: PolarisationMode; gapModel?: GapModel; minGapM?: number; gapM?: number | null };
  beam: ElectronBeam & { sizes: { sigmaXM: number; sigmaXPrimeRad: number; sigmaYM: number; sigmaYPrimeRad: number } };
  harmonics: HarmonicRow[];
  tuningCurves: { n: number; kMin: number; kMax: number; points: TuningPoint[] }[];
  totalPowerW: number;
  onAxisPowerDensityWPerMrad2: number;
  wiggler?: { criticalEnergyEV: number; fieldT: number; rows: { energyEV: number; onAxisFluxDensity: number; fluxPerMradH: number }[] };
  /** Angular power density [W/mrad²] along the horizontal and vertical axes, ±(K + 3)/γ (trajectory formula). */
  powerProfile: { thetaXRad: number[]; alongX: number[]; thetaYRad: number[]; alongY: number[] };
  /** Power [W] through a centred rectangular aperture (full angles, rad), when asked for. */
  powerThroughAperture: { apertureRad: { x: number; y: number }; watts: number } | null;
}

export interface ReportOptions {
  name: string;
  type: DeviceType;
  periodM: number;
  periods: number;
  k: number;
  kMin: number;
  kMax: number;
  mode?: PolarisationMode;
  /** Highest harmonic (default 9). */
  maxHarmonic?: number;
  /** Points per tuning curve (default 21). */
  tuningPoints?: number;
  /** Compute the numerical on-axis peak with the beam (default true). */
  numeric?: boolean;
  workers?: number;
  pool?: SpectrumPool;
  /** Photon energies at which to tabulate a wiggler (default: a log grid 1–40 keV). */
  wigglerEnergiesEV?: number[];
  /** A device file's explicit (kx, ky, φ), overriding type/k. */
  setting?: DeviceSetting;
  /** Full angles [rad] of an aperture for the power through it (e.g. a front-end mask). */
  powerApertureRad?: { x: number; y: number };
  /** Gap → field model (gives the gap of every tuning point) and the minimum gap. */
  gapModel?: GapModel;
  minGapM?: number;
}

export async function buildSourceReport(beam: ElectronBeam, o: ReportOptions): Promise<SourceReport> {
  const d = o.setting ?? settingFor(o.type, o.periodM, o.periods, o.k, o.mode);
  const sizes = beamSizes(beam);
  const power = totalPowerW(d, beam);
  const isPlanarLike = d.kx === 0 || d.ky === 0 || Math.abs(Math.sin(d.phaseRad)) < 1e-12;
  const isHelical = d.kx === d.ky && Math.abs(Math.cos(d.phaseRad)) < 1e-12;
  const onAxisPower = isPlanarLike ? onAxisPowerDensityPlanar(d, beam) : isHelical ? onAxisPowerDensityHelical(d, beam) : angularPowerDensity(d, beam, 0, 0);
  const report: SourceReport = {
    device: {
      ...d, name: o.name, lengthM: lengthM(d), kEff: Math.sqrt(kEffSquared(d)), mode: o.mode, gapModel: o.gapModel, minGapM: o.minGapM,
      gapM: o.gapModel ? gapForField(o.gapModel, fieldFromK(o.k, d.periodM), d.periodM) : null,
    },
    beam: { ...beam, sizes: { sigmaXM: sizes.sigmaXM, sigmaXPrimeRad: sizes.sigmaXPrimeRad, sigmaYM: sizes.sigmaYM, sigmaYPrimeRad: sizes.sigmaYPrimeRad } },
    harmonics: [],
    tuningCurves: [],
    totalPowerW: power,
    onAxisPowerDensityWPerMrad2: onAxisPower,
    powerProfile: powerProfile(d, beam),
    powerThroughAperture: o.powerApertureRad ? { apertureRad: o.powerApertureRad, watts: powerThroughAperture(d, beam, o.powerApertureRad.x, o.powerApertureRad.y) } : null,
  };
  if (d.type === 'wiggler') {
    const fieldT = fieldFromK(d.ky, d.periodM);
    const energies = o.wigglerEnergiesEV ?? Array.from({ length: 17 }, (_, i) => 1000 * Math.pow(40, i / 16));
    report.wiggler = {
      criticalEnergyEV: criticalEnergyEV(fieldT, beam.energyEV),
      fieldT,
      rows: energies.map((e) => ({ energyEV: e, onAxisFluxDensity: wigglerOnAxisFluxDensity(d, beam, e), fluxPerMradH: wigglerFluxPerMrad(d, beam, e) })),
    };
    return report;
  }
  const ns = onAxisHarmonics(d, o.maxHarmonic ?? 9);
  // one pool for all harmonics (a worker's start-up, loading tsx, costs more than a harmonic)
  const ownPool = !o.pool && o.workers && o.workers > 0 && o.numeric !== false ? new SpectrumPool(o.workers) : undefined;
  const pool = o.pool ?? ownPool;
  try {
  for (const n of ns) {
    const h = harmonicSummary(d, beam, n);
    let beamPeak: { energyEV: number; value: number } | null = null;
    if (o.numeric !== false && h.fn > 0) {
      const r = await computeSpectrum(d, beam, { harmonic: n, points: 201, pool });
      beamPeak = r.peakOnAxis;
    }
    report.harmonics.push({
      n, energyEV: h.energyEV, fn: h.fn, qn: h.qn, centralConeFlux: h.centralConeFlux, onAxisFluxDensity: h.onAxisFluxDensity,
      onAxisFluxDensityBeam: beamPeak ? beamPeak.value : null, onAxisFluxDensityBeamEnergyEV: beamPeak ? beamPeak.energyEV : null,
      brilliance: h.brilliance, coherentFraction: h.coherentFraction.kimEnergySpread,
      coherentFractionByConvention: h.coherentFraction, photonBeam: h.photonBeam,
    });
    // a device file's setting: K scales kx and ky together (K = o.k at the given setting)
    const settingAt = o.setting ? (k: number) => ({ ...d, kx: (d.kx * k) / o.k, ky: (d.ky * k) / o.k }) : undefined;
    report.tuningCurves.push({ n, kMin: o.kMin, kMax: o.kMax, points: tuningCurve(d.type, d.periodM, d.periods, o.kMin, o.kMax, beam, n, { points: o.tuningPoints ?? 21, mode: o.mode, settingAt, gapModel: o.gapModel }) });
  }
  } finally {
    await ownPool?.close();
  }
  return report;
}

function powerProfile(d: DeviceSetting, beam: ElectronBeam): SourceReport['powerProfile'] {
  const g = beam.energyEV / 510998.95;
  const span = (k: number) => (Math.abs(k) + 3) / g;
  const axis = (half: number) => Array.from({ length: 41 }, (_, i) => -half + (2 * half * i) / 40);
  const tx = axis(span(d.ky));
  const ty = axis(span(d.kx));
  return { thetaXRad: tx, alongX: tx.map((t) => angularPowerDensity(d, beam, t, 0)), thetaYRad: ty, alongY: ty.map((t) => angularPowerDensity(d, beam, 0, t)) };
}

/** A device file: {"type", "periodM", "periods", "k"} or {"kx", "ky"[, "phaseRad"]}, optional "kMin", "kMax", "name". */
export interface DeviceFile {
  name: string;
  setting: DeviceSetting;
  kMin: number;
  kMax: number;
  k: number;
}

export function parseDeviceFile(obj: unknown, file: string): DeviceFile {
  const o = jsonObject(obj, file, ['type', 'periodM', 'periods', 'k', 'kx', 'ky', 'phaseRad', 'kMin', 'kMax', 'name', 'comment']);
  const type = o.type;
  if (typeof type !== 'string' || !DEVICE_TYPES.includes(type as DeviceType)) throw new SourceInputError(file, 'type', `must be one of ${DEVICE_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  const periodM = requireNumber(o, 'periodM', file)!;
  const periods = requireNumber(o, 'periods', file)!;
  if (!Number.isInteger(periods)) throw new SourceInputError(file, 'periods', `must be an integer, got ${periods}`);
  const hasK = o.k !== undefined;
  const hasXY = o.kx !== undefined || o.ky !== undefined;
  if (hasK === hasXY) throw new SourceInputError(file, 'k', 'give either "k" or "kx" and "ky"');
  let setting: DeviceSetting;
  if (hasK) {
    const k = requireNumber(o, 'k', file)!;
    if (o.phaseRad !== undefined) throw new SourceInputError(file, 'phaseRad', 'only with "kx" and "ky"');
    setting = settingFor(type as DeviceType, periodM, periods, k);
  } else {
    if (type === 'planar' || type === 'wiggler') throw new SourceInputError(file, 'kx', `a ${type} device takes "k" (its vertical-field K)`);
    const kx = requireNumber(o, 'kx', file, { allowZero: true })!;
    const ky = requireNumber(o, 'ky', file, { allowZero: true })!;
    const phaseRad = requireNumber(o, 'phaseRad', file, { optional: true, signed: true }) ?? Math.PI / 2;
    if (kx === 0 && ky === 0) throw new SourceInputError(file, 'kx', 'kx and ky cannot both be 0');
    if (type === 'helical' && kx !== ky) throw new SourceInputError(file, 'kx', `a helical device has kx = ky (got ${kx}, ${ky}); use "elliptical"`);
    setting = { type: type as DeviceType, periodM, periods, kx, ky, phaseRad };
  }
  const kNow = hasK ? (o.k as number) : Math.hypot(setting.kx, setting.ky);
  const kMax = requireNumber(o, 'kMax', file, { optional: true }) ?? kNow;
  const kMin = requireNumber(o, 'kMin', file, { optional: true, allowZero: true }) ?? Math.min(0.2, kMax);
  if (kMin > kMax) throw new SourceInputError(file, 'kMin', `must be ≤ kMax (${kMax})`);
  return { name: typeof o.name === 'string' ? o.name : file, setting, kMin, kMax, k: kNow };
}

export function loadDeviceFile(file: string): DeviceFile {
  return parseDeviceFile(readJsonFile(file), file);
}

// ---------------------------------------------------------------------------------------------
// Side-by-side with SPring-8: brilliance envelopes against photon energy

export interface EnvelopePoint {
  energyEV: number;
  /** Best brilliance over the odd harmonics that reach this energy within [kMin, kMax] (0 if none). */
  brilliance: number;
  /** Coherent flux p·Fn [ph/s/0.1%bw] at the same harmonic and K (same convention). */
  coherentFlux: number;
  harmonic: number;
  k: number;
}

/**
 * The brilliance envelope of a planar-like device (kimEnergySpread convention by default): for each
 * photon energy, the best odd harmonic n ≤ maxN whose K = kForEnergy(E) lies in [kMin, kMax].
 */
export function brillianceEnvelope(
  dev: { type: DeviceType; periodM: number; periods: number; kMin: number; kMax: number; mode?: PolarisationMode },
  beam: ElectronBeam, energiesEV: number[], opts: { maxN?: number; convention?: BrillianceConvention } = {},
): EnvelopePoint[] {
  const conv = opts.convention ?? 'kimEnergySpread';
  return energiesEV.map((e) => {
    let best: EnvelopePoint = { energyEV: e, brilliance: 0, coherentFlux: 0, harmonic: 0, k: NaN };
    const circular = dev.type === 'helical' || dev.mode === 'circular-plus' || dev.mode === 'circular-minus';
    for (let n = 1; n <= (circular ? 1 : opts.maxN ?? 15); n += 2) {
      // K_eff for E; per-component K0 = K_eff/√2 for circular, K for linear modes
      const kEff = kForEnergy(dev.periodM, beam.energyEV, n, e);
      const k = circular ? kEff / Math.SQRT2 : kEff;
      if (!(k >= dev.kMin && k <= dev.kMax)) continue;
      const d = settingFor(dev.type, dev.periodM, dev.periods, k, dev.mode);
      const sp = sourcePoint(d, beam, n, conv, centralConeFlux(d, beam, n));
      if (sp.brilliance > best.brilliance) best = { energyEV: e, brilliance: sp.brilliance, coherentFlux: sp.coherentFlux, harmonic: n, k };
    }
    return best;
  });
}

export interface Comparison {
  convention: BrillianceConvention;
  rows: { energyEV: number; nanoterasu: EnvelopePoint; spring8: EnvelopePoint; ratio: number | null }[];
  /** Energy intervals [eV] where NanoTerasu's envelope is above SPring-8's (both defined). */
  nanoterasuBrighter: [number, number][];
}

export function compareEnvelopes(
  nt: Parameters<typeof brillianceEnvelope>[0], ntBeam: ElectronBeam,
  s8: Parameters<typeof brillianceEnvelope>[0], s8Beam: ElectronBeam,
  energiesEV: number[], convention: BrillianceConvention = 'kimEnergySpread',
): Comparison {
  const a = brillianceEnvelope(nt, ntBeam, energiesEV, { convention });
  const b = brillianceEnvelope(s8, s8Beam, energiesEV, { convention });
  const rows = energiesEV.map((e, i) => ({ energyEV: e, nanoterasu: a[i], spring8: b[i], ratio: a[i].brilliance > 0 && b[i].brilliance > 0 ? a[i].brilliance / b[i].brilliance : a[i].brilliance > 0 ? Infinity : null }));
  const brighter: [number, number][] = [];
  let start: number | null = null;
  rows.forEach((r, i) => {
    const yes = r.nanoterasu.brilliance > r.spring8.brilliance;
    if (yes && start === null) start = r.energyEV;
    if ((!yes || i === rows.length - 1) && start !== null) {
      brighter.push([start, yes ? r.energyEV : rows[i - 1].energyEV]);
      start = null;
    }
  });
  return { convention, rows, nanoterasuBrighter: brighter };
}

/** A log-spaced photon-energy grid. */
export function logGrid(loEV: number, hiEV: number, points: number): number[] {
  return Array.from({ length: points }, (_, i) => loEV * Math.pow(hiEV / loEV, i / (points - 1)));
}

export { BRILLIANCE_CONVENTIONS, HC_EVM, resonanceEnergyEV };
