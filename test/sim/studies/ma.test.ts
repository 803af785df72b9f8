/**
 * Momentum acceptance on a case with a known answer: a linear 10-cell FODO ring (no sextupoles,
 * no apertures) whose acceptance is the RF bucket. With pyAT's cavity and β = 1 (slip = α_c) the
 * stationary bucket half height is δ = √(2 V / (π h α_c E0)) (e.g. Wiedemann, Particle Accelerator
 * Physics, eq. 9.68 with φs = 0); α_c is measured on the tracked map (M56 / C). Particles outside the
 * bucket are lost when they slip out of it (|cτ − cτs| > λRF/2). The bucket of the expanded
 * Hamiltonian is slightly asymmetric (higher-order α), hence a 3 % tolerance (measured: +0.1 %, −1.4 %).
 */
import { describe, expect, it } from 'vitest';
import { makeElement } from '../../../lattice/elements.ts';
import { circumference, makeLattice } from '../../../lattice/lattice.ts';
import { momentumAcceptance } from '../../../sim/studies/ma.ts';
import { serialTracker } from '../../../sim/studies/tracker.ts';
import { compileLattice } from '../../../sim/tracking/compile.ts';
import { oneTurnMatrix } from '../../../sim/tracking/jacobian.ts';

const nc = 10;
const cell = [
  makeElement({ type: 'quadrupole', name: 'QF', length: 0.3, k1: 1.0 }),
  makeElement({ type: 'drift', name: 'D1', length: 0.5 }),
  makeElement({ type: 'sbend', name: 'B1', length: 1.5, angle: Math.PI / nc }),
  makeElement({ type: 'drift', name: 'D2', length: 0.5 }),
  makeElement({ type: 'quadrupole', name: 'QD', length: 0.3, k1: -1.0 }),
  makeElement({ type: 'drift', name: 'D3', length: 0.5 }),
  makeElement({ type: 'sbend', name: 'B2', length: 1.5, angle: Math.PI / nc }),
  makeElement({ type: 'drift', name: 'D4', length: 0.5 }),
];
const V = 2e6;
const h = 20;
const E0 = 1e9;
const ring = makeLattice({
  name: 'fodo-rf',
  energyEV: E0,
  elements: [makeElement({ type: 'rfcavity', name: 'RF', voltage: V, harmonic: h }), ...Array.from({ length: nc }, () => cell).flat()],
});

describe('local momentum acceptance', () => {
  it('equals the RF bucket height of a linear ring within 3 %, at every sampled element', async () => {
    const C = circumference(ring);
    const m = oneTurnMatrix(compileLattice(ring, { mode: '4d' }));
    const alpha = m[6 * 5 + 4] / C;
    const bucket = Math.sqrt((2 * V) / (Math.PI * h * alpha * E0));
    const res = await momentumAcceptance(ring, serialTracker(), { turns: 60, every: 20, deltaMax: 0.05, precision: 2e-4 });
    expect(res.points.length).toBeGreaterThanOrEqual(4);
    for (const p of res.points) {
      expect(Math.abs(p.deltaPlus / bucket - 1)).toBeLessThan(0.03);
      expect(Math.abs(-p.deltaMinus / bucket - 1)).toBeLessThan(0.03);
    }
    // s positions follow the lattice
    expect(res.points[1].sM).toBeGreaterThan(res.points[0].sM);
  }, 20_000);
});
