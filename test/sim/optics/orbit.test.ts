/**
 * Closed orbit and Twiss consistency: a corrector kick gives the textbook orbit
 * x(s) = θ √(β β0) cos(|μ − μ0| − πQ) / (2 sin πQ) (closed-orbit distortion from a single dipole kick,
 * e.g. S. Y. Lee, Accelerator Physics, ch. 2); the optics inside an element end on the
 * next element's entrance values; dispersion agrees with the analytic δ column of the 6×6 maps.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeElement, type Element } from '../../../lattice/elements.ts';
import { loadLattice } from '../../../lattice/formats/index.ts';
import { makeLattice } from '../../../lattice/lattice.ts';
import { compileLattice, elementMatrix6 } from '../../../sim/optics/maps.ts';
import { linearOptics, twissInside } from '../../../sim/optics/twiss.ts';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/reference');
const el = (spec: Record<string, unknown>) => makeElement(spec);

function ring(extra: Element[]): Element[] {
  const cell = [
    el({ type: 'quadrupole', name: 'QF', length: 0.2, k1: 1.2 }),
    el({ type: 'drift', name: 'D1', length: 0.5 }),
    el({ type: 'sbend', name: 'B1', length: 1.0, angle: Math.PI / 8, e1: 0.05, e2: 0.05 }),
    el({ type: 'drift', name: 'D2', length: 0.5 }),
    el({ type: 'quadrupole', name: 'QD', length: 0.2, k1: -1.2 }),
    el({ type: 'drift', name: 'D3', length: 0.5 }),
    el({ type: 'sbend', name: 'B2', length: 1.0, angle: Math.PI / 8, e1: 0.05, e2: 0.05 }),
    el({ type: 'drift', name: 'D4', length: 0.5 }),
  ];
  const all: Element[] = [];
  for (let p = 0; p < 8; p++) all.push(...cell);
  return [...all, ...extra];
}

describe('closed orbit', () => {
  it('a small horizontal kick gives the textbook orbit at every element (1e-6 relative to its amplitude)', () => {
    const theta = 1e-6;
    const bare = linearOptics(makeLattice({ name: 'bare', energyEV: 3e9, elements: ring([el({ type: 'marker', name: 'K' })]) }));
    const kicked = linearOptics(makeLattice({ name: 'kicked', energyEV: 3e9, elements: ring([el({ type: 'hkicker', name: 'K', kick: theta })]) }));
    const t = bare.twiss;
    const n = t.s.length - 1;
    const k = n - 1; // the kicker is the last element (thin): its entrance
    const Q = bare.tunes[0];
    let worst = 0, amp = 0;
    for (let i = 0; i <= n; i++) {
      // phase from the kick point, going forward around the ring
      const dmu = i > k ? t.muX[i] - t.muX[k] : t.muX[i] + (t.muX[n] - t.muX[k]);
      const x = (theta * Math.sqrt(t.betaX[i] * t.betaX[k]) * Math.cos(dmu - Math.PI * Q)) / (2 * Math.sin(Math.PI * Q));
      worst = Math.max(worst, Math.abs(kicked.twiss.orbit[i * 4] - x));
      amp = Math.max(amp, Math.abs(x));
    }
    expect(worst / amp).toBeLessThan(1e-6);
  });

  it('dispersion from the ±δ orbits equals the fixed point of the analytic δ column (1e-7 of max η)', () => {
    const { lattice } = loadLattice(join(FIX, 'ebs_hmba.json'), { format: 'ring-lattice-json' });
    const opt = linearOptics(lattice);
    const r = compileLattice(lattice);
    // propagate (η, η') from the period start with the 6×6 maps
    let eta = opt.twiss.etaX[0], etap = opt.twiss.etaPX[0];
    const M = new Float64Array(36);
    let worst = 0;
    const emax = Math.max(...opt.twiss.etaX);
    r.elements.forEach((e, i) => {
      elementMatrix6(e, M);
      const ne = M[0] * eta + M[1] * etap + M[4];
      const np = M[6] * eta + M[7] * etap + M[10];
      eta = ne; etap = np;
      worst = Math.max(worst, Math.abs(eta - opt.twiss.etaX[i + 1]) / emax);
    });
    expect(worst).toBeLessThan(1e-7);
  });
});

describe('optics inside elements', () => {
  it('inside bends: fraction 0 is the entrance, fraction 1 the next entrance (β, η), s is interpolated', () => {
    const { lattice } = loadLattice(join(FIX, 'esrf_dba_ring.json'), { format: 'ring-lattice-json' });
    const opt = linearOptics(lattice);
    const t = opt.twiss;
    const bends = opt.ring.elements.map((e, i) => [e, i] as const).filter(([e]) => e.h !== 0).slice(0, 5);
    for (const [, i] of bends) {
      const rows = twissInside(opt, i, [0, 0.5, 1]);
      expect(Math.abs(rows[2].betaX / t.betaX[i + 1] - 1)).toBeLessThan(1e-12);
      expect(Math.abs(rows[2].betaY / t.betaY[i + 1] - 1)).toBeLessThan(1e-12);
      expect(Math.abs(rows[2].etaX - t.etaX[i + 1])).toBeLessThan(1e-9);
      expect(Math.abs(rows[0].betaX / t.betaX[i] - 1)).toBeLessThan(1e-12);
      expect(rows[1].s).toBeCloseTo(t.s[i] + 0.5 * (t.s[i + 1] - t.s[i]), 12);
    }
  });
});

describe('one-turn matrix', () => {
  it('EBS: the cell matrix equals pyAT find_m44 to 1e-4 (integrator truncation), and the one-turn trace gives the tune', async () => {
    const { readFileSync } = await import('node:fs');
    const { oneTurnMatrix4 } = await import('../../../sim/optics/twiss.ts');
    const { lattice } = loadLattice(join(FIX, 'ebs_hmba.json'), { format: 'ring-lattice-json' });
    const ref = JSON.parse(readFileSync(join(FIX, 'ebs_hmba.ref.json'), 'utf8'));
    const opt = linearOptics(lattice);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) {
      expect(Math.abs(opt.periodMatrix[r * 4 + c] - ref.cell_matrix_4x4[r][c])).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref.cell_matrix_4x4[r][c])));
    }
    const M = oneTurnMatrix4(opt);
    const frac = opt.tunes[0] - Math.floor(opt.tunes[0]);
    expect(Math.abs((M[0] + M[5]) / 2 - Math.cos(2 * Math.PI * frac))).toBeLessThan(1e-9);
  });
});
