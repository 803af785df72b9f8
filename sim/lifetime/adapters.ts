/**
 * Where the lifetime model gets its beam: from the optics of a lattice (sim/optics) and the local
 * momentum acceptance (sim/studies/ma.ts) when those modules are available, else the documented
 * fallback of nanoterasu-model.ts ([M] values, flat acceptance). The notes say which was used.
 */
import { nanoterasuFallbackBeam } from './nanoterasu-model.ts';
import type { RingBeam } from './ring.ts';

export interface BeamSource {
  beam: RingBeam;
  notes: string[];
}

/** The beam of the built-in ring (fallback values; see the module comment). */
export async function builtinBeam(): Promise<BeamSource> {
  const beam = nanoterasuFallbackBeam();
  return {
    beam,
    notes: [
      'optics: [M] synthetic-cell Twiss at the element ends of nanoterasu.md §2.4 (17 points per cell), εx 1.14 nm, σδ 8.39e-4, αc 4.12e-4, U0 0.615 MeV',
      'momentum acceptance: flat, limited by the RF acceptance (no local acceptance from tracking)',
      'no lifetime of NanoTerasu is published: compare with typical 4th-generation rings (5–20 h at design current)',
    ],
  };
}
