/**
 * Optics benchmark: one full linear-optics evaluation = compile the lattice, 4D closed orbits at
 * δ = 0 and ±1.5e-6, Twiss (β, α, μ, η, η') at every element entrance, tunes, chromaticity and the
 * radiation integrals with the equilibrium — on the ESRF-EBS ring (32 × 121 elements) and the
 * built-in NanoTerasu ring. Goal: < 2 ms per evaluation.
 *
 * "warm" reuses the per-element compile cache (the common case: matching, scans, scenarios share
 * element objects); "cold" recompiles every element. `computeOptics` adds the natural
 * chromaticity (two more orbits), the 6×6 momentum compaction and the RF numbers.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { loadLattice } from '../lattice/formats/index.ts';
import type { Lattice } from '../lattice/lattice.ts';
import { chromaticityFromOrbits } from '../sim/optics/chromaticity.ts';
import { compileLattice } from '../sim/optics/maps.ts';
import { equilibrium, radiationIntegrals } from '../sim/optics/radiation.ts';
import { computeOptics } from '../sim/optics/summary.ts';
import { linearOptics } from '../sim/optics/twiss.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Closed orbit, Twiss at every element, tunes, chromaticity, radiation integrals and equilibrium. */
export function fullEvaluation(lat: Lattice, cache = true): number {
  const ring = compileLattice(lat, { cache });
  const opt = linearOptics(ring);
  const chrom = chromaticityFromOrbits(ring, opt.orbits.plus, opt.orbits.minus);
  const ri = radiationIntegrals(opt);
  const eq = equilibrium(ri.total, ring.energyEV, ring.gamma, ring.circumferenceM);
  return opt.tunes[0] + chrom[0] + eq.emittanceM;
}

export async function suite(): Promise<Bench> {
  const ebs = loadLattice(join(here, '../test/fixtures/reference/ebs_hmba.json'), { format: 'ring-lattice-json' }).lattice;
  const bench = new Bench({ time: 1000, warmupTime: 300 });
  bench
    .add('EBS (32×121): full evaluation, warm', () => { fullEvaluation(ebs); })
    .add('EBS (32×121): full evaluation, cold compile', () => { fullEvaluation(ebs, false); })
    .add('EBS (32×121): computeOptics (summary)', () => { computeOptics(ebs); });
  try {
    const { nanoterasuRing } = await import('../lattice/nanoterasu.ts');
    const nt = nanoterasuRing();
    const n = nt.elements.length * nt.periodicity;
    bench
      .add(`NanoTerasu (${n} el.): full evaluation, warm`, () => { fullEvaluation(nt); })
      .add(`NanoTerasu (${n} el.): full evaluation, cold compile`, () => { fullEvaluation(nt, false); })
      .add(`NanoTerasu (${n} el.): computeOptics (summary)`, () => { computeOptics(nt); });
  } catch (err) {
    console.log(`(built-in ring not available: ${(err as Error).message})`);
  }
  await bench.run();
  return bench;
}
