/**
 * Chromaticity dQ/dδ as pyAT computes it (get_optics(get_chrom=True)): the central difference of
 * the tunes of the one-period map at the off-momentum closed orbits δ = ±1.5e-6. The model is
 * pyAT's default: expanded Hamiltonian (magnet focusing scaled by 1/(1+δ) through x' = px/(1+δ)),
 * linear δ-independent horizontal edge kicks, sextupole/octupole feed-down along the off-momentum
 * orbit (maps.ts). Natural chromaticity: the same with every sextupole and octupole component
 * (also inside bends and thin multipoles) set to zero.
 */
import type { Lattice } from '../../lattice/lattice.ts';
import { compileLattice, type CompiledRing } from './maps.ts';
import { closedOrbit4, type Orbit4 } from './orbit.ts';
import { DELTA_STEP, isCoupled, periodPhases } from './twiss.ts';

/** dQ/dδ of the full ring from the orbits at +δ and −δ. */
export function chromaticityFromOrbits(ring: CompiledRing, plus: Orbit4, minus: Orbit4): [number, number] {
  const p = periodPhases(plus.periodJ, isCoupled(plus.periodJ), plus.delta);
  const m = periodPhases(minus.periodJ, isCoupled(minus.periodJ), minus.delta);
  const out: [number, number] = [0, 0];
  for (let k = 0; k < 2; k++) {
    let d = p[k] - m[k];
    if (d > Math.PI) d -= 2 * Math.PI;
    if (d < -Math.PI) d += 2 * Math.PI;
    out[k] = (ring.periodicity * d) / (2 * Math.PI * (plus.delta - minus.delta));
  }
  return out;
}

/** Chromaticity of a lattice (sextupoles as given). */
export function chromaticity(lat: Lattice | CompiledRing): [number, number] {
  const ring = 'gamma' in lat ? lat : compileLattice(lat);
  const plus = closedOrbit4(ring, DELTA_STEP);
  const minus = closedOrbit4(ring, -DELTA_STEP);
  return chromaticityFromOrbits(ring, plus, minus);
}

/** Natural chromaticity: sextupole and octupole components off. */
export function naturalChromaticity(lat: Lattice, model: 'exact' | 'integrator' = 'exact'): [number, number] {
  return chromaticity(compileLattice(lat, { multipolesOff: true, model }));
}
