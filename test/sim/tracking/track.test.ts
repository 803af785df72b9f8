/**
 * Tracking kernels against pyAT (ebs_hmba.track.json: pyAT 0.8.0.dev0 at master da14bae, 4D,
 * BndMPoleSymplectic4Pass / StrMPoleSymplectic4Pass with num_int_steps from the JSON, scipy CODATA)
 * and the symplecticity of the maps.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRingJson } from '../../../lattice/formats/ringjson.ts';
import { compileLattice } from '../../../sim/tracking/compile.ts';
import { elementsMatrix, jacobian, oneTurnMatrix, symplecticError } from '../../../sim/tracking/jacobian.ts';
import { KIND, MAG } from '../../../sim/tracking/layout.ts';
import { newLossArrays, passElements, trackTurns } from '../../../sim/tracking/track.ts';
import { quadFringe } from '../../../sim/tracking/passes/fringe.ts';

const dir = new URL('../../fixtures/track/', import.meta.url);
const lat = parseRingJson(readFileSync(new URL('ebs_hmba.json', dir), 'utf8')).lattice;
const ref = JSON.parse(readFileSync(new URL('ebs_hmba.track.json', dir), 'utf8')) as {
  initial: number[][];
  cell_element_names: string[];
  cell_trajectory: number[][][];
  turns: Record<string, number[][]>;
};

/**
 * Agreement criterion: |ours − pyAT| ≤ 1e-10 × max(|pyAT|, scale_k), scale_k the largest |value| of
 * coordinate k in the reference set (so a coordinate that passes through zero is judged on its
 * own scale, not on its zero crossing).
 */
function worstError(got: number[][], want: number[][]): number {
  const scale = [0, 1, 2, 3, 4, 5].map((k) => Math.max(...want.map((w) => Math.abs(w[k]))));
  let worst = 0;
  got.forEach((g, p) => g.forEach((v, k) => {
    const tol = Math.max(Math.abs(want[p][k]), scale[k]);
    worst = Math.max(worst, Math.abs(v - want[p][k]) / tol);
  }));
  return worst;
}

describe('EBS HMBA cell vs pyAT, element by element', () => {
  const prog = compileLattice(lat, { mode: '4d' });
  it('the compiled cell has the reference element list', () => {
    expect(prog.names).toEqual(ref.cell_element_names.slice(0, -1));
  });
  it('agrees at every element entrance to 1e-10 (8 particles, incl. δ = ±0.5 %)', () => {
    const got: number[][] = [];
    const want: number[][] = [];
    ref.initial.forEach((x0, p) => {
      const r = Float64Array.from(x0);
      const loss = newLossArrays(1);
      for (let e = 0; e <= prog.nElements; e++) {
        got.push(Array.from(r));
        want.push(ref.cell_trajectory[p][e]);
        if (e < prog.nElements) passElements(prog, r, 1, e, e + 1, 0, 0, p, 0, 0, loss);
      }
      expect(loss.turn[0]).toBe(-1);
    });
    expect(worstError(got, want)).toBeLessThan(1e-10);
  });
});

describe('EBS ring (32 cells) vs pyAT after N turns', () => {
  const prog = compileLattice(lat, { mode: '4d' });
  const n = ref.initial.length;
  const r = Float64Array.from(ref.initial.flat());
  const loss = newLossArrays(n);
  let done = 0;
  for (const turns of [1, 10, 100]) {
    it(`after ${turns} turns: agrees to 1e-10`, () => {
      trackTurns(prog, r, n, turns - done, loss, { firstTurn: done });
      done = turns;
      const got = ref.initial.map((_, p) => Array.from(r.subarray(6 * p, 6 * p + 6)));
      expect(worstError(got, ref.turns[String(turns)])).toBeLessThan(1e-10);
      expect(Array.from(loss.turn)).toEqual(new Array(n).fill(-1));
    });
  }
});

describe('symplecticity (Jacobian by 4th-order central differences)', () => {
  it('one-turn 6D map of the EBS ring at the fixed point (RF on, no radiation): |MᵀJM − J| < 1e-12', () => {
    const prog = compileLattice(lat, { mode: '6d' });
    const m = oneTurnMatrix(prog);
    expect(symplecticError(m)).toBeLessThan(1e-12);
    // and it is a real, stable ring map: |trace| < 2 in both transverse planes
    expect(Math.abs(m[0] + m[7])).toBeLessThan(2);
    expect(Math.abs(m[14] + m[21])).toBeLessThan(2);
  });
  it('every element map of the cell off axis (x = 1 mm, y = 0.5 mm, δ = 1 %), quad fringes off: error < 1e-12', () => {
    const prog = compileLattice(lat, { mode: '6d' });
    for (let e = 0; e < prog.nElements; e++) {
      if (prog.kinds[e] === KIND.MAGNET) {
        prog.params[prog.offsets[e] + MAG.FQ_IN] = 0;
        prog.params[prog.offsets[e] + MAG.FQ_OUT] = 0;
      }
    }
    const x0 = [1e-3, 1e-4, 5e-4, -1e-4, 1e-2, 0];
    let worst = 0;
    for (let e = 0; e < prog.nElements; e++) {
      if (prog.kinds[e] === KIND.IDENTITY) continue;
      worst = Math.max(worst, symplecticError(elementsMatrix(prog, e, e + 1, x0, 1e-5)));
    }
    expect(worst).toBeLessThan(1e-12);
  });
  it("pyAT's explicit Lee-Whiting quad fringe is symplectic only to O(u² r⁴) (a property of the model we match)", () => {
    const fringeOnly = (amp: number) =>
      symplecticError(jacobian((r, n) => { for (let p = 0; p < n; p++) quadFringe(r, 6 * p, 4.46, 1); }, [amp, 0, amp / 2, 0, 0, 0], 1e-6));
    const e1 = fringeOnly(1e-3);
    const e2 = fringeOnly(2e-3);
    expect(e1).toBeLessThan(1e-11);
    // r⁴ scaling: doubling the amplitude multiplies the defect by 16 (±20 %)
    expect(e2 / e1).toBeGreaterThan(16 * 0.8);
    expect(e2 / e1).toBeLessThan(16 * 1.2);
  });
});
