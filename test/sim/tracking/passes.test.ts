/**
 * Element families not covered by the pyAT trajectories (thin multipoles, correctors, undulators,
 * misalignments, exact drifts, bend fringe ψ, RF turn term, apertures, loss bookkeeping), each
 * against its defining formula.
 */
import { describe, expect, it } from 'vitest';
import { makeElement, type Element } from '../../../lattice/elements.ts';
import { makeLattice } from '../../../lattice/lattice.ts';
import { C_LIGHT, ELECTRON_MASS_EV } from '../../../sim/constants.ts';
import { undulatorFocusing } from '../../../sim/optics/maps.ts';
import { compileLattice, type CompileOptions } from '../../../sim/tracking/compile.ts';
import { elementsMatrix, symplecticError } from '../../../sim/tracking/jacobian.ts';
import { MAG } from '../../../sim/tracking/layout.ts';
import { bendEdge } from '../../../sim/tracking/passes/fringe.ts';
import { newLossArrays, passElements, trackTurns } from '../../../sim/tracking/track.ts';

const E0 = 3e9;
function prog(elements: Element[], opts: CompileOptions = {}) {
  return compileLattice(makeLattice({ name: 't', energyEV: E0, elements }), { mode: '6d', ...opts });
}
function pass(p: ReturnType<typeof prog>, x0: number[], turn = 0): Float64Array {
  const r = Float64Array.from(x0);
  passElements(p, r, 1, 0, p.nElements, turn, 0, 0, 0, 0, newLossArrays(1));
  return r;
}
const el = (spec: Record<string, unknown>) => makeElement(spec);

describe('thin multipole', () => {
  it('sextupole knl[2]: Δpx = −(K2L/2)(x² − y²), Δpy = K2L x y (MAD-X convention)', () => {
    const k2l = 3.7;
    const [x, y] = [1.3e-3, -0.7e-3];
    const r = pass(prog([el({ type: 'multipole', name: 'M', knl: [0, 0, k2l] })]), [x, 1e-5, y, 2e-5, 0.01, 0]);
    expect(r[1] - 1e-5).toBeCloseTo(-(k2l / 2) * (x * x - y * y), 17);
    expect(r[3] - 2e-5).toBeCloseTo(k2l * x * y, 17);
    expect([r[0], r[2], r[4], r[5]]).toEqual([x, y, 0.01, 0]);
  });
  it('a magnet moved by dx kicks as if the particle were at x − dx', () => {
    const p = prog([el({ type: 'multipole', name: 'M', knl: [0, 0.5, 20], dx: 2e-4 })]);
    const q = prog([el({ type: 'multipole', name: 'M', knl: [0, 0.5, 20] })]);
    const a = pass(p, [1e-3, 0, 3e-4, 0, 0, 0]);
    const b = pass(q, [1e-3 - 2e-4, 0, 3e-4, 0, 0, 0]);
    expect(Math.abs(a[1] - b[1])).toBeLessThan(1e-18);
    expect(Math.abs(a[3] - b[3])).toBeLessThan(1e-18);
  });
});

describe('misalignment of thick magnets', () => {
  const quad = { type: 'quadrupole', name: 'Q', length: 0.4, k1: 2.1, nSteps: 8 };
  it('tilt π/2 turns a focusing quadrupole into a defocusing one', () => {
    const a = pass(prog([el({ ...quad, tilt: Math.PI / 2 })]), [1e-3, 1e-4, -5e-4, 2e-5, 1e-3, 0]);
    const b = pass(prog([el({ ...quad, k1: -2.1 })]), [1e-3, 1e-4, -5e-4, 2e-5, 1e-3, 0]);
    for (let k = 0; k < 6; k++) expect(Math.abs(a[k] - b[k])).toBeLessThan(1e-15);
  });
  it('tilt +π/4 of k1 equals the skew quadrupole k1s = −k1 (pyAT rotation R1, A-polynomial a1 = k1s)', () => {
    const a = pass(prog([el({ ...quad, tilt: Math.PI / 4 })]), [1e-3, 1e-4, -5e-4, 2e-5, 1e-3, 0]);
    const b = pass(prog([el({ ...quad, k1: 0, k1s: -2.1 })]), [1e-3, 1e-4, -5e-4, 2e-5, 1e-3, 0]);
    for (let k = 0; k < 6; k++) expect(Math.abs(a[k] - b[k])).toBeLessThan(1e-15);
  });
  it('a shifted, tilted magnet is still symplectic', () => {
    const p = prog([el({ ...quad, k2: 30, dx: 1e-4, dy: -2e-4, tilt: 0.01 })]);
    expect(symplecticError(elementsMatrix(p, 0, 1, [1e-3, 1e-4, 5e-4, 0, 1e-3, 0], 1e-5))).toBeLessThan(1e-13);
  });
});

describe('corrector', () => {
  it('zero length: px += hkick, py += vkick', () => {
    const r = pass(prog([el({ type: 'kicker', name: 'K', hkick: 1e-4, vkick: -2e-4 })]), [0, 1e-5, 0, 0, 0, 0]);
    expect(r[1]).toBe(1e-5 + 1e-4);
    expect(r[3]).toBe(-2e-4);
  });
  it('with length: the uniform-field result, equal to 2000 slices of drift + kick to 1e-12', () => {
    const [L, tx, ty] = [0.3, 3e-4, -1e-4];
    const x0 = [1e-3, 2e-4, -1e-3, 1e-4, 0.02, 0];
    const r = pass(prog([el({ type: 'kicker', name: 'K', length: L, hkick: tx, vkick: ty })]), x0);
    const ns = 2000;
    const slices: Element[] = [];
    for (let k = 0; k < ns; k++) {
      slices.push(el({ type: 'drift', name: `D${k}a`, length: L / ns / 2 }));
      slices.push(el({ type: 'kicker', name: `K${k}`, hkick: tx / ns, vkick: ty / ns }));
      slices.push(el({ type: 'drift', name: `D${k}b`, length: L / ns / 2 }));
    }
    const s = pass(prog(slices), x0);
    for (let k = 0; k < 6; k++) expect(Math.abs(r[k] - s[k])).toBeLessThan(1e-12);
  });
});

describe('undulator', () => {
  it('planar: vertical focusing ky = (K ku)²/(2γ²) (as sim/optics), M33 = cos(√ky L) to 1e-10, x untouched', () => {
    const [lu, K, np] = [0.022, 2.0, 100];
    const p = prog([el({ type: 'undulator', name: 'U', length: lu * np, periodM: lu, k: K, periods: np, nSteps: 10 })]);
    const ky = undulatorFocusing(K, lu, E0 / ELECTRON_MASS_EV);
    const m = elementsMatrix(p, 0, 1, [0, 0, 0, 0, 0, 0], 1e-6);
    expect(Math.abs(m[14] - Math.cos(Math.sqrt(ky) * lu * np))).toBeLessThan(1e-10);
    expect(Math.abs(m[0] - 1)).toBeLessThan(1e-12);
    expect(Math.abs(m[1] - lu * np)).toBeLessThan(1e-12);
    expect(symplecticError(m)).toBeLessThan(1e-12);
  });
});

describe('drifts', () => {
  it('exact drift: x += L px/pz, cτ += L((1+δ)/pz − 1); the paraxial one differs at O(p³)', () => {
    const [L, px, py, d] = [2, 2e-3, -1e-3, 0.01];
    const e = pass(prog([el({ type: 'drift', name: 'D', length: L })], { exactDrift: true }), [0, px, 0, py, d, 0]);
    const pz = Math.sqrt((1 + d) ** 2 - px * px - py * py);
    expect(e[0]).toBeCloseTo((L * px) / pz, 18);
    expect(e[5]).toBeCloseTo(L * ((1 + d) / pz - 1), 18);
    const a = pass(prog([el({ type: 'drift', name: 'D', length: L })]), [0, px, 0, py, d, 0]);
    expect(Math.abs(a[0] - e[0])).toBeLessThan(L * px * (px * px + py * py));
  });
});

describe('bend edge with a fringe field', () => {
  it('ψ = h gap fint (1 + sin²e)/cos e with gap = 2 hgap; py −= y h tan(e − ψ/(1+δ))', () => {
    const b = el({ type: 'sbend', name: 'B', length: 1.2, angle: 0.1, e1: 0.05, hgap: 0.015, fint: 0.6 });
    const p = prog([b]);
    const h = 0.1 / 1.2;
    const psi = (h * 0.03 * 0.6 * (1 + Math.sin(0.05) ** 2)) / Math.cos(0.05);
    expect(p.params[p.offsets[0] + MAG.PSI_IN]).toBeCloseTo(psi, 17);
    expect(p.params[p.offsets[0] + MAG.PSI_OUT]).toBe(0); // fintx = 0
    const r = new Float64Array([1e-3, 0, 2e-3, 0, 0.02, 0]);
    bendEdge(r, 0, h, h * Math.tan(0.05), 0.05, psi);
    expect(r[1]).toBeCloseTo(1e-3 * h * Math.tan(0.05), 18);
    expect(r[3]).toBeCloseTo(-2e-3 * h * Math.tan(0.05 - psi / 1.02), 18);
  });
});

describe('RF cavity', () => {
  it('δ += −(V/E0) sin(2π f (cτ/c − (h/f − T0) n)): the turn term appears when f ≠ h c/C', () => {
    const elements = [el({ type: 'rfcavity', name: 'RF', voltage: 1e6, harmonic: 10, frequency: 1.0001 * (10 * C_LIGHT) / 30 }), el({ type: 'drift', name: 'D', length: 30 })];
    const p = prog(elements);
    const f = 1.0001 * (10 * C_LIGHT) / 30;
    const T0 = 30 / C_LIGHT;
    for (const n of [0, 7]) {
      const ct = 1e-3;
      const r = pass(p, [0, 0, 0, 0, 0, ct], n);
      expect(r[4]).toBeCloseTo(-(1e6 / E0) * Math.sin(2 * Math.PI * f * (ct / C_LIGHT - (10 / f - T0) * n)), 16);
    }
    // in 4D the cavity is off
    expect(pass(prog(elements, { mode: '4d' }), [0, 0, 0, 0, 0, 1e-3])[4]).toBe(0);
  });
});

describe('apertures and losses', () => {
  const ring = [
    el({ type: 'drift', name: 'D1', length: 1 }),
    el({ type: 'aperture', name: 'RECT', shape: 'rectangular', xLimit: 2e-3, yLimit: 1e-3 }),
    el({ type: 'drift', name: 'D2', length: 1 }),
    el({ type: 'aperture', name: 'ELL', shape: 'elliptical', xLimit: 3e-3, yLimit: 3e-3 }),
    el({ type: 'quadrupole', name: 'Q', length: 0.2, k1: 1 }),
  ];
  it('records the element and turn of each loss, NaNs the lost particle, leaves the others bit-identical', () => {
    const p = prog(ring, { mode: '4d' });
    const start = [
      [0, 0, 0, 0, 0, 0], // survives
      [2.1e-3, 0, 0, 0, 0, 0], // outside RECT in x
      [0, 0, 1.05e-3, 0, 0, 0], // outside RECT in y
      [1.5e-3, 1e-3, 0, 0, 0, 0], // inside at the start, x = 2.5e-3 after D1: lost at RECT
      [1e-4, 1e-5, 1e-4, 1e-5, 0, 0], // small amplitude
    ];
    const r = Float64Array.from(start.flat());
    const loss = newLossArrays(5);
    trackTurns(p, r, 5, 3, loss);
    expect(Array.from(loss.turn.slice(0, 4))).toEqual([-1, 0, 0, 0]);
    expect(Array.from(loss.element.slice(1, 4)).map((i) => p.names[i])).toEqual(['RECT', 'RECT', 'RECT']);
    expect(Number.isNaN(r[6])).toBe(true);
    // the survivors are tracked exactly as if alone
    const alone = Float64Array.from([...start[0], ...start[4]]);
    trackTurns(p, alone, 2, 3, newLossArrays(2));
    expect(Array.from(r.slice(0, 6))).toEqual(Array.from(alone.slice(0, 6)));
    if (loss.turn[4] < 0) expect(Array.from(r.slice(24, 30))).toEqual(Array.from(alone.slice(6, 12)));
  });
  it('an elliptical aperture cuts the corners a rectangle would pass; the default chamber radius', () => {
    const p = prog(ring, { mode: '4d' });
    // x = 1.7e-3 at RECT (inside), (2.9e-3, 0.9e-3) at ELL: inside a 3 mm square, outside the 3 mm circle
    const r = Float64Array.from([0.5e-3, 1.2e-3, 0.9e-3, 0, 0, 0]);
    const loss = newLossArrays(1);
    trackTurns(p, r, 1, 1, loss);
    expect([loss.turn[0], p.names[loss.element[0]]]).toEqual([0, 'ELL']);
    const q = prog(ring, { mode: '4d', chamberRadiusM: 1e-3 });
    const r2 = Float64Array.from([0.8e-3, 0, 0.8e-3, 0, 0, 0]); // 1.13 mm from the axis
    const l2 = newLossArrays(1);
    trackTurns(q, r2, 1, 1, l2);
    expect([l2.turn[0], q.names[l2.element[0]]]).toEqual([0, 'D1']);
  });
});
