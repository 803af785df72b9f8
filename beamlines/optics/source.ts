/**
 * The photon source seen by a beamline at one photon energy: spectral flux through the front-end
 * aperture, photon source size and divergence. Undulators use the closed forms of
 * `beamlines/devices/undulator.ts` (central-cone flux of the best odd harmonic whose K is inside
 * the device's range); wigglers the bending-magnet-like spectrum (2N poles) with the local
 * critical energy across the horizontal fan and the exact vertical distribution.
 *
 * Aperture (front-end slit) convention: full angles [rad] horizontally and vertically, centred on
 * a horizontal angle θ0 (0 = on axis; side branches of a wiggler fan take θ0 ≠ 0).
 *
 * Undulator: the central-cone flux F_n (ph/s/0.1%bw, Kim) is taken as Gaussian in angle with the
 * photon divergences Σx′, Σy′ (electron ⊕ natural, Kim sizes with the Tanaka–Kitamura energy-spread
 * factor); the fraction inside the aperture is a product of error functions. The harmonic is the one
 * that gives the most flux through the aperture. An energy no harmonic reaches is an error.
 *
 * Wiggler (K ≫ 1, Kim, X-ray Data Booklet §2.1): at horizontal angle θ the trajectory's local field
 * is B0 √(1 − (γθ/K)²), so the local critical energy falls off towards the fan edge |θ| = K/γ.
 * The flux per mrad horizontally (integrated vertically) is `wigglerFluxPerMrad` at that local
 * field; the vertical fraction inside the aperture uses the bending-magnet angular distribution
 *   d²F/dθdψ ∝ (1 + X²)² [K²_{2/3}(ξ) + X²/(1 + X²) K²_{1/3}(ξ)],  X = γψ,  ξ = (y/2)(1 + X²)^{3/2}
 * (Jackson 3rd ed. eq. 14.79; X-ray Data Booklet eq. 2.4), integrated numerically.
 * Source size of a wiggler: the electron beam size (the depth of the 2N poles and the wiggle
 * amplitude are neglected: they enlarge the apparent horizontal source, so the wiggler spot sizes
 * here are lower bounds).
 */
import { beamSizes, gammaOf, type ElectronBeam } from '../devices/beam.ts';
import { besselK, erf } from '../devices/special.ts';
import {
  centralConeFlux, criticalEnergyEV, fieldFromK, HC_EVM, kForEnergy, onAxisHarmonics, resonanceEnergyEV, settingFor, sourceAtWavelength,
  wigglerFluxPerMrad, type PolarisationMode,
} from '../devices/undulator.ts';
import type { CatalogueDevice } from '../catalogue/catalogue.ts';
import { OpticsError } from './errors.ts';

export interface Acceptance {
  /** Full horizontal and vertical angles [rad]. */
  horizontalRad: number;
  verticalRad: number;
  /** Horizontal angle of the aperture centre [rad]. */
  centreHorizontalRad: number;
}

export interface SourceAtEnergy {
  energyEV: number;
  /** Spectral flux through the aperture [ph/s/0.1%bw]. */
  spectralFlux: number;
  /** The same over an unlimited aperture (undulator: the whole central cone; wiggler: the whole fan). */
  spectralFluxUnlimited: number;
  /** Natural relative width of the line: 1/(nN) for an undulator harmonic, Infinity for a wiggler. */
  lineWidth: number;
  /** Photon source rms sizes [m] and divergences [rad]. */
  sizeXM: number;
  sizeYM: number;
  divergenceXRad: number;
  divergenceYRad: number;
  /** Undulator: harmonic and K used. */
  harmonic?: number;
  k?: number;
  description: string;
}

const MAX_HARMONIC = 15;

/** Fraction of a centred Gaussian of rms σ inside [c − a/2, c + a/2]. */
export function gaussianFraction(sigma: number, fullWidth: number, centre = 0): number {
  const s = Math.SQRT2 * sigma;
  return 0.5 * (erf((centre + fullWidth / 2) / s) - erf((centre - fullWidth / 2) / s));
}

function undulatorAt(device: CatalogueDevice, beam: ElectronBeam, energyEV: number, acc: Acceptance): SourceAtEnergy {
  const mode: PolarisationMode | undefined = device.type === 'elliptical' ? (Object.keys(device.kRanges)[0] as PolarisationMode) : undefined;
  const range = device.type === 'elliptical' ? device.kRanges[mode!]! : device.kRanges.default!;
  let best: SourceAtEnergy | undefined;
  const harmonics = onAxisHarmonics(settingFor(device.type, device.periodM, device.periods, 1, mode), MAX_HARMONIC);
  for (const n of harmonics) {
    const kEff = kForEnergy(device.periodM, beam.energyEV, n, energyEV);
    if (!Number.isFinite(kEff)) continue;
    // K of the device's convention: K_eff = K for planar and linear modes, √2 K0 for helical/circular.
    const probe = settingFor(device.type, device.periodM, device.periods, 1, mode);
    const k = kEff / Math.sqrt(probe.kx * probe.kx + probe.ky * probe.ky);
    if (k < range.kMin || k > range.kMax) continue;
    const d = settingFor(device.type, device.periodM, device.periods, k, mode);
    const e = resonanceEnergyEV(d, beam.energyEV, n);
    if (Math.abs(e / energyEV - 1) > 1e-9) continue;
    const F = centralConeFlux(d, beam, n);
    const sp = sourceAtWavelength(HC_EVM / energyEV, device.periodM * device.periods, n * device.periods, beam, 'kimEnergySpread', F);
    const frac = gaussianFraction(sp.x.divergenceRad, acc.horizontalRad, acc.centreHorizontalRad) * gaussianFraction(sp.y.divergenceRad, acc.verticalRad);
    const through = F * frac;
    if (!best || through > best.spectralFlux) {
      best = {
        energyEV, spectralFlux: through, spectralFluxUnlimited: F, lineWidth: 1 / (n * device.periods),
        sizeXM: sp.x.sizeM, sizeYM: sp.y.sizeM, divergenceXRad: sp.x.divergenceRad, divergenceYRad: sp.y.divergenceRad,
        harmonic: n, k, description: `${device.name}: harmonic ${n} at K = ${k.toFixed(3)}${mode ? ` (${mode})` : ''}`,
      };
    }
  }
  if (!best) {
    throw new OpticsError(`${device.name} (λu = ${(device.periodM * 1e3).toFixed(1)} mm, K ${range.kMin}–${range.kMax}) reaches no odd harmonic ≤ ${MAX_HARMONIC} at ${energyEV} eV`);
  }
  return best;
}

/** Vertical fraction of bending-magnet radiation at y = E/Ec inside |ψ| < ψmax (see the header). */
export function bendingVerticalFraction(y: number, gamma: number, fullAngleRad: number): number {
  const density = (x: number) => {
    const u = 1 + x * x;
    const xi = (y / 2) * Math.pow(u, 1.5);
    const k23 = besselK(2 / 3, xi);
    const k13 = besselK(1 / 3, xi);
    return u * u * (k23 * k23 + (x * x / u) * k13 * k13);
  };
  // The distribution narrows as (Ec/E)^(1/2) roughly; integrate in X = γψ up to where it is negligible.
  const xMax = Math.min(12, 3 * Math.max(1, 1 / Math.sqrt(y)) + 2);
  const nodes = 160;
  const h = xMax / nodes;
  let total = 0;
  let inside = 0;
  const xCut = (gamma * fullAngleRad) / 2;
  for (let i = 0; i < nodes; i++) {
    const x0 = i * h;
    const xm = x0 + h / 2;
    const w = density(xm) * h;
    total += w;
    if (x0 + h <= xCut) inside += w;
    else if (x0 < xCut) inside += w * ((xCut - x0) / h);
  }
  return total > 0 ? inside / total : 0;
}

function wigglerAt(device: CatalogueDevice, beam: ElectronBeam, energyEV: number, acc: Acceptance): SourceAtEnergy {
  const kw = device.kRanges.default!.kMax;
  const gamma = gammaOf(beam);
  const fanHalf = kw / gamma;
  const perMradAt = (theta: number) => {
    const r = 1 - (theta / fanHalf) ** 2;
    if (r <= 0) return 0;
    const d = settingFor('wiggler', device.periodM, device.periods, kw * Math.sqrt(r));
    return wigglerFluxPerMrad(d, beam, energyEV);
  };
  const integrate = (lo: number, hi: number) => {
    const a = Math.max(lo, -fanHalf);
    const b = Math.min(hi, fanHalf);
    if (!(b > a)) return 0;
    const nodes = 48;
    const h = (b - a) / nodes;
    let s = 0;
    for (let i = 0; i < nodes; i++) s += perMradAt(a + (i + 0.5) * h);
    return s * h * 1e3; // per mrad × mrad
  };
  const centre = acc.centreHorizontalRad;
  const horizontal = integrate(centre - acc.horizontalRad / 2, centre + acc.horizontalRad / 2);
  const whole = integrate(-fanHalf, fanHalf);
  const ec = wigglerCriticalEnergyEV(device, beam, centre);
  const vFrac = ec > 0 ? bendingVerticalFraction(energyEV / ec, gamma, acc.verticalRad) : 0;
  if (!(horizontal * vFrac > 0)) {
    throw new OpticsError(`${device.name}: no flux at ${energyEV} eV inside the aperture at θx = ${(centre * 1e3).toFixed(2)} mrad (the fan ends at ±${(fanHalf * 1e3).toFixed(2)} mrad)`);
  }
  const e = beamSizes(beam);
  return {
    energyEV, spectralFlux: horizontal * vFrac, spectralFluxUnlimited: whole, lineWidth: Infinity,
    sizeXM: e.sigmaXM, sizeYM: e.sigmaYM,
    divergenceXRad: acc.horizontalRad / Math.sqrt(12), divergenceYRad: Math.min(acc.verticalRad / Math.sqrt(12), 0.6 / gamma),
    description: `${device.name}: wiggler K = ${kw}, local Ec = ${(ec / 1e3).toFixed(2)} keV at θx = ${(centre * 1e3).toFixed(2)} mrad`,
  };
}

/** Local critical energy [eV] of a planar wiggler at horizontal angle θ [rad]: Ec of the local field. */
export function wigglerCriticalEnergyEV(device: CatalogueDevice, beam: ElectronBeam, thetaRad: number): number {
  const kw = device.kRanges.default!.kMax;
  const r = 1 - ((thetaRad * gammaOf(beam)) / kw) ** 2;
  if (r <= 0) return 0;
  return criticalEnergyEV(fieldFromK(kw * Math.sqrt(r), device.periodM), beam.energyEV);
}

/** The source at photon energy E through an aperture (see the header). */
export function sourceAt(device: CatalogueDevice, beam: ElectronBeam, energyEV: number, acc: Acceptance): SourceAtEnergy {
  if (!(energyEV > 0)) throw new OpticsError(`photon energy must be > 0, got ${energyEV}`);
  return device.type === 'wiggler' ? wigglerAt(device, beam, energyEV, acc) : undulatorAt(device, beam, energyEV, acc);
}
