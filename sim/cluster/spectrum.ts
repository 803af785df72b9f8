/**
 * Shards of a numerical undulator spectrum (beamlines/devices/spectrum.ts): the items are the
 * output photon energies, in contiguous blocks. Each shard runs the same angular chunks of the
 * kernel over the internal energies its block's energy-spread convolution needs; every value is
 * bit-identical to the single run's (see `energyRange` there), so concatenating the blocks and
 * taking the peaks with the same `peakOf` gives the single-machine `nanoterasu spectrum --json`
 * object (the run time `meta.seconds` is the sum over the shards).
 */
import { peakOf } from '../../beamlines/devices/spectrum.ts';
import type { ShardFile } from './shard.ts';

/** Everything the numbers depend on (the device setting and beam in full). */
export interface SpectrumInputs {
  device: unknown; beam: unknown; harmonic: number; energiesEV: number[] | null; points: number;
  apertureRad: { x: number; y: number } | null; emittance: boolean; energySpread: boolean; angularStepRad: number | null;
}

export interface SpectrumPayload {
  /** The command's JSON `meta` (the same in every shard apart from seconds and grid.workers). */
  meta: Record<string, unknown> & { seconds: number };
  energiesEV: number[];
  onAxisFluxDensity: number[];
  apertureFlux: number[] | null;
}

export function spectrumShardInputs(o: SpectrumInputs): SpectrumInputs {
  return o;
}

/** The `nanoterasu spectrum --json` object. */
export function spectrumJson(meta: Record<string, unknown>, energiesEV: ArrayLike<number>, onAxis: ArrayLike<number>, aperture: ArrayLike<number> | undefined) {
  return {
    meta, energiesEV: Array.from(energiesEV), onAxisFluxDensity: Array.from(onAxis),
    apertureFlux: aperture ? Array.from(aperture) : undefined,
    peakOnAxis: peakOf(energiesEV, onAxis), peakAperture: aperture ? peakOf(energiesEV, aperture) : null,
  };
}

export function mergeSpectrum(shards: ShardFile<SpectrumPayload>[]): ReturnType<typeof spectrumJson> {
  let seconds = 0;
  for (const s of shards) seconds += s.payload.meta.seconds;
  const meta = { ...shards[0].payload.meta, seconds };
  const ap = shards[0].payload.apertureFlux ? shards.flatMap((s) => s.payload.apertureFlux!) : undefined;
  return spectrumJson(meta, shards.flatMap((s) => s.payload.energiesEV), shards.flatMap((s) => s.payload.onAxisFluxDensity), ap);
}
