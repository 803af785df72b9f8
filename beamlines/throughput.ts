/**
 * Throughput: measurement time per sample from the flux at the sample, and samples per hour per
 * station — the number the capacity planner (sim/capacity) consumes.
 *
 * One model for every technique, with per-technique parameters (all assumptions, editable per
 * station in beamlines/catalogue/optics/<BL>.yaml under `throughput:`):
 *
 *   t_sample = t_overhead + n_points · max(t_min, N_counts / (Φ · y))
 *   samples per hour = 3600 s / t_sample
 *
 *   Φ         photons/s at the sample (the station's flux at its operating energy)
 *   y         detected counts per incident photon (absorption, scattering or photoemission yield ×
 *             detector acceptance and efficiency)
 *   N_counts  counts per point for the target signal-to-noise: Poisson noise gives S/N = √N, so a
 *             relative precision p needs N = 1/p² (a spectrum measured to 10⁻³ of the edge step
 *             needs 10⁶ counts per point)
 *   n_points  energy points, frames, scan positions or pixels per sample
 *   t_min     the shortest useful dwell per point (motor moves, detector read-out, monochromator settling)
 *   t_overhead sample exchange, alignment, pump-down, edge calibration
 *
 * The model is counting statistics plus dead time. It saturates (t_min) at high flux, which is what
 * makes samples per hour flat against flux on a bright beamline and proportional to it on a dim one.
 */
import { OpticsError } from './optics/errors.ts';

export interface ThroughputParams {
  /** Counts per point for the target S/N. */
  countsPerPoint: number;
  /** Detected counts per incident photon. */
  detectedPerPhoton: number;
  /** Energy points / frames / positions per sample. */
  points: number;
  /** Shortest dwell per point [s]. */
  minDwellS: number;
  /** Per-sample overhead [s]. */
  overheadS: number;
}

export interface TechniqueModel extends ThroughputParams {
  description: string;
}

/**
 * Default parameters per technique model. Every number is an assumption (no NanoTerasu
 * measurement-time data are published); the reasoning is in `description`.
 */
export const TECHNIQUE_MODELS: Record<string, TechniqueModel> = {
  'xafs-transmission': {
    description: 'XAFS in transmission: 400 energy points (XANES + EXAFS to k ≈ 14 Å⁻¹), 10⁻³ noise on μx → 10⁶ counts/point, ' +
      '20 % of incident photons counted after the sample (μx ≈ 1.5) and ion chamber; 0.05 s/point continuous scan; 15 min exchange + edge calibration',
    countsPerPoint: 1e6, detectedPerPhoton: 0.2, points: 400, minDwellS: 0.05, overheadS: 900,
  },
  saxs: {
    description: 'SAXS: one frame of 10⁸ scattered counts on an area detector, 10⁻⁴ of the incident photons scattered into the detector ' +
      '(≈1 mm of a soft-matter sample); 16 frames for a time/temperature series; ≥ 0.1 s frames; 5 min exchange + alignment',
    countsPerPoint: 1e8, detectedPerPhoton: 1e-4, points: 16, minDwellS: 0.1, overheadS: 300,
  },
  xrd: {
    description: 'Powder / structure XRD: 10⁸ counts in the rings of one pattern, 10⁻³ of the incident photons diffracted into the detector; ' +
      '10 patterns (a temperature or in-situ series); ≥ 1 s per pattern; 5 min exchange',
    countsPerPoint: 1e8, detectedPerPhoton: 1e-3, points: 10, minDwellS: 1, overheadS: 300,
  },
  'saxs-waxs-imaging': {
    description: 'Hierarchical structure (SAXS/WAXS mapping): 400 map positions, 10⁶ counts each at 10⁻⁴ scattering yield, ≥ 0.05 s per position, 10 min set-up',
    countsPerPoint: 1e6, detectedPerPhoton: 1e-4, points: 400, minDwellS: 0.05, overheadS: 600,
  },
  'soft-xas': {
    description: 'Soft X-ray XAS (total electron / fluorescence yield): 300 energy points, 10⁶ counts/point at 10⁻³ detected per photon, ' +
      '≥ 0.1 s/point; 20 min load-lock transfer + alignment (operando cells longer)',
    countsPerPoint: 1e6, detectedPerPhoton: 1e-3, points: 300, minDwellS: 0.1, overheadS: 1200,
  },
  pes: {
    description: 'Photoelectron spectroscopy / ARPES: 50 spectra or k-cuts, 10⁶ counts each at 10⁻⁶ detected electrons per photon ' +
      '(cross-section × analyser acceptance), ≥ 10 s each; 1 h transfer, cleave, alignment',
    countsPerPoint: 1e6, detectedPerPhoton: 1e-6, points: 50, minDwellS: 10, overheadS: 3600,
  },
  haxpes: {
    description: 'Hard X-ray PES: cross-sections 10²–10³ lower than soft X-ray: 20 core levels / valence band, 10⁵ counts each at 10⁻⁸ per photon, ≥ 10 s; 1 h transfer + alignment',
    countsPerPoint: 1e5, detectedPerPhoton: 1e-8, points: 20, minDwellS: 10, overheadS: 3600,
  },
  rixs: {
    description: 'RIXS: 20 spectra (momenta / incident energies), 10⁴ counts each at 10⁻⁹ detected per photon (spectrometer acceptance × efficiency ' +
      'of an ultra-high-resolution VLS spectrometer); ≥ 60 s each; 1 h transfer + alignment',
    countsPerPoint: 1e4, detectedPerPhoton: 1e-9, points: 20, minDwellS: 60, overheadS: 3600,
  },
  'scanning-microscopy': {
    description: 'Scanning nano-probe (STXM / nano-XAS / XMCD imaging): 10⁴ pixels × 20 energies, 10³ counts/pixel, 30 % detected, ≥ 1 ms per pixel; 30 min set-up',
    countsPerPoint: 1e3, detectedPerPhoton: 0.3, points: 2e5, minDwellS: 1e-3, overheadS: 1800,
  },
  ptychography: {
    description: 'Ptychography / CDI: 2000 scan positions, 10⁸ detected photons each (high-angle speckle), 50 % detected, ≥ 10 ms per position; 30 min set-up',
    countsPerPoint: 1e8, detectedPerPhoton: 0.5, points: 2000, minDwellS: 0.01, overheadS: 1800,
  },
};

export function techniqueModel(name: string): TechniqueModel {
  const m = TECHNIQUE_MODELS[name];
  if (!m) throw new OpticsError(`unknown throughput model "${name}" (known: ${Object.keys(TECHNIQUE_MODELS).join(', ')})`);
  return m;
}

export interface ThroughputResult {
  /** Time per sample [s]. */
  timePerSampleS: number;
  samplesPerHour: number;
  /** Share of the time spent counting (the rest is overhead and dead time). */
  countingFraction: number;
  /** true when every point is at its minimum dwell (more flux would not help). */
  deadTimeLimited: boolean;
}

/** Time per sample and samples per hour at flux Φ [photons/s] (see the header). */
export function throughput(p: ThroughputParams, photonsPerS: number): ThroughputResult {
  if (!(photonsPerS > 0) || !Number.isFinite(photonsPerS)) throw new OpticsError(`throughput: flux at the sample must be a positive number of photons/s, got ${photonsPerS}`);
  for (const k of ['countsPerPoint', 'detectedPerPhoton', 'points'] as const) if (!(p[k] > 0)) throw new OpticsError(`throughput: ${k} must be > 0, got ${p[k]}`);
  for (const k of ['minDwellS', 'overheadS'] as const) if (!(p[k] >= 0)) throw new OpticsError(`throughput: ${k} must be ≥ 0, got ${p[k]}`);
  const countTime = p.countsPerPoint / (photonsPerS * p.detectedPerPhoton);
  const perPoint = Math.max(p.minDwellS, countTime);
  const t = p.overheadS + p.points * perPoint;
  return { timePerSampleS: t, samplesPerHour: 3600 / t, countingFraction: (p.points * countTime) / t, deadTimeLimited: countTime <= p.minDwellS };
}
