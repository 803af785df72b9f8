/**
 * Optical constants of coatings, windows and filters, n = 1 − δ + iβ, read from the table that
 * `generate.py` made from xraylib (Kissel anomalous scattering factors; see README.md). No network
 * at run time. δ and β are interpolated linearly in (log E, log δ) and (log E, log β) between the
 * tabulated energies (about 46 per decade, 30 eV – 40 keV); outside the table is an error.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpticsError } from '../errors.ts';
import { logBracket } from '../table.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface Material {
  name: string;
  formula: string;
  densityGPerCm3: number;
  note: string;
  /** Tabulated energies [eV] and the constants there (shared grid). */
  energyEV: Float64Array;
  delta: Float64Array;
  beta: Float64Array;
}

interface TableFile {
  source: string;
  energyEV: number[];
  materials: Record<string, { formula: string; densityGPerCm3: number; note: string; delta: number[]; beta: number[] }>;
}

let cache: { source: string; materials: Map<string, Material> } | undefined;

function load(): { source: string; materials: Map<string, Material> } {
  if (cache) return cache;
  const raw = JSON.parse(readFileSync(join(HERE, 'optical-constants.json'), 'utf8')) as TableFile;
  const energyEV = Float64Array.from(raw.energyEV);
  const materials = new Map<string, Material>();
  for (const [name, m] of Object.entries(raw.materials)) {
    materials.set(name, {
      name, formula: m.formula, densityGPerCm3: m.densityGPerCm3, note: m.note, energyEV,
      delta: Float64Array.from(m.delta), beta: Float64Array.from(m.beta),
    });
  }
  cache = { source: raw.source, materials };
  return cache;
}

/** Where the tables come from (printed with results). */
export function materialsSource(): string {
  return load().source;
}

export function materialNames(): string[] {
  return [...load().materials.keys()];
}

/** A material by name (case-sensitive as in the table: Au, Pt, Rh, Ni, C, diamond, Si, Be, …). */
export function material(name: string): Material {
  const m = load().materials.get(name);
  if (!m) throw new OpticsError(`unknown material "${name}" (known: ${materialNames().join(', ')})`);
  return m;
}

function logInterp(m: Material, values: Float64Array, energyEV: number, what: string): number {
  const e = m.energyEV;
  const n = e.length;
  if (!(energyEV >= e[0] && energyEV <= e[n - 1])) {
    throw new OpticsError(`${m.name}: ${what} is tabulated from ${e[0]} eV to ${e[n - 1]} eV, not at ${energyEV} eV`);
  }
  const { lo, hi, t } = logBracket(e, energyEV);
  const a = values[lo];
  const b = values[hi];
  if (a > 0 && b > 0) return a * Math.pow(b / a, t);
  return a + (b - a) * t;
}

/** δ at photon energy E [eV]. */
export function deltaOf(m: Material, energyEV: number): number {
  return logInterp(m, m.delta, energyEV, 'δ');
}

/** β at photon energy E [eV]. */
export function betaOf(m: Material, energyEV: number): number {
  return logInterp(m, m.beta, energyEV, 'β');
}
