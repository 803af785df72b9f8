/**
 * Filters and windows: transmission exp(−μt) of a foil of thickness t, with the linear
 * attenuation coefficient μ = 4πβ/λ from the material's optical constants (X-ray Data Booklet §1.7;
 * β includes photoabsorption and, through f2, nothing else — scattering out of the beam is small
 * at these energies and is neglected).
 */
import { HC_EVM } from '../devices/undulator.ts';
import { OpticsError } from './errors.ts';
import { betaOf, material } from './materials/index.ts';

/** Linear attenuation coefficient μ [1/m] of a material at photon energy E [eV]. */
export function attenuationPerM(materialName: string, energyEV: number): number {
  const lam = HC_EVM / energyEV;
  return (4 * Math.PI * betaOf(material(materialName), energyEV)) / lam;
}

export interface FilterSpec {
  name: string;
  material: string;
  thicknessM: number;
}

/** Transmission of a filter or window at photon energy E [eV]. */
export function filterTransmission(spec: FilterSpec, energyEV: number): number {
  if (!(spec.thicknessM >= 0)) throw new OpticsError(`filter ${spec.name}: thickness must be ≥ 0, got ${spec.thicknessM}`);
  return Math.exp(-attenuationPerM(spec.material, energyEV) * spec.thicknessM);
}
