/**
 * A lattice at a glance: counts, circumference, bend angle, survey closure, RF. Shared by the
 * `lattice` command and the scenario runner (the JSON keys are read by tools: keep them stable).
 */
import { C_LIGHT } from '../sim/constants.ts';
import type { ElementType } from './elements.ts';
import { circumference, countByType, totalBendAngle, totalRfVoltage, type Lattice } from './lattice.ts';
import { survey, type Survey } from './survey.ts';

export interface LatticeSummary {
  name: string;
  source?: string;
  /** Total energy of the reference particle [eV]. */
  energyEV: number;
  particle: string;
  periodicity: number;
  /** Elements in the whole ring (all periods). */
  elementCount: number;
  circumferenceM: number;
  totalBendAngleRad: number;
  /** Distance between the start and the end of the surveyed ring [m] (0 for a closed ring). */
  surveyClosureM: number;
  /** Angle between the start and end frames of the surveyed ring [rad]. */
  surveyClosureRad: number;
  /** Element counts by type over the whole ring. */
  counts: Partial<Record<ElementType, number>>;
  /** Total RF voltage [V] (all cavities of the ring). */
  rfVoltageV: number;
  rfCavityCount: number;
  /** Harmonic number given on the cavities (0 if none gives one). */
  rfHarmonic: number;
  /** RF frequency [Hz] from the cavities, or h·c/C if they give only the harmonic (0 if neither). */
  rfFrequencyHz: number;
  /** Notes from the loader (elements it could not model exactly, …). */
  warnings: string[];
}

/** Summarises a lattice; pass the survey if it is already computed. */
export function summarizeLattice(lat: Lattice, warnings: readonly string[] = [], sv: Survey = survey(lat)): LatticeSummary {
  const counts = countByType(lat);
  const C = circumference(lat);
  let harmonic = 0, frequency = 0;
  for (const e of lat.elements) {
    if (e.type !== 'rfcavity') continue;
    if (!harmonic && e.harmonic) harmonic = e.harmonic;
    if (!frequency && e.frequency) frequency = e.frequency;
  }
  if (!frequency && harmonic && C > 0) frequency = (harmonic * C_LIGHT) / C;
  return {
    name: lat.name,
    ...(lat.source !== undefined ? { source: lat.source } : {}),
    energyEV: lat.energyEV,
    particle: lat.particle,
    periodicity: lat.periodicity,
    elementCount: lat.elements.length * lat.periodicity,
    circumferenceM: C,
    totalBendAngleRad: totalBendAngle(lat),
    surveyClosureM: sv.closure.distanceM,
    surveyClosureRad: sv.closure.angleRad,
    counts,
    rfVoltageV: totalRfVoltage(lat),
    rfCavityCount: counts.rfcavity ?? 0,
    rfHarmonic: harmonic,
    rfFrequencyHz: frequency,
    warnings: [...warnings],
  };
}

/** The summary as aligned text lines (for the CLI and the scenario report). */
export function formatLatticeSummary(s: LatticeSummary): string {
  const rows: [string, string][] = [];
  rows.push(['lattice', s.name]);
  if (s.source) rows.push(['source', s.source]);
  rows.push(['energy', `${(s.energyEV / 1e9).toFixed(4)} GeV (${s.particle})`]);
  rows.push(['periodicity', String(s.periodicity)]);
  rows.push(['circumference', `${s.circumferenceM.toFixed(6)} m`]);
  rows.push(['total bend angle', `${s.totalBendAngleRad.toFixed(12)} rad (${((s.totalBendAngleRad * 180) / Math.PI).toFixed(9)}°)`]);
  rows.push(['survey closure', `${s.surveyClosureM.toExponential(2)} m, ${s.surveyClosureRad.toExponential(2)} rad`]);
  rows.push([
    'RF',
    s.rfCavityCount
      ? `${s.rfCavityCount} cavities, ${(s.rfVoltageV / 1e6).toFixed(4)} MV total, h = ${s.rfHarmonic || '—'}, ${s.rfFrequencyHz ? (s.rfFrequencyHz / 1e6).toFixed(6) + ' MHz' : 'frequency —'}`
      : 'no cavity',
  ]);
  const order = Object.entries(s.counts).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  rows.push(['elements', `${s.elementCount}: ${order.map(([t, n]) => `${n} ${t}`).join(', ')}`]);
  rows.push(['warnings', s.warnings.length ? String(s.warnings.length) : 'none']);
  const w = Math.max(...rows.map((r) => r[0].length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`);
  for (const msg of s.warnings) lines.push(`    - ${msg}`);
  return lines.join('\n');
}
