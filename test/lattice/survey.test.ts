import { describe, expect, it } from 'vitest';
import { makeElement, type Element } from '../../lattice/elements.ts';
import { expandPeriods, makeLattice } from '../../lattice/lattice.ts';
import { survey, surveyAt } from '../../lattice/survey.ts';

const lat = (elements: Element[], periodicity = 1) => makeLattice({ name: 't', energyEV: 3e9, elements, periodicity });
const drift = (name: string, length: number) => makeElement({ type: 'drift', name, length });
const sbend = (name: string, length: number, angle: number, tilt = 0) => makeElement({ type: 'sbend', name, length, angle, tilt });

describe('survey of a single sector bend against hand geometry', () => {
  const L = 2, alpha = 0.3, rho = L / alpha;
  const sv = survey(lat([sbend('B', L, alpha)]));

  it('ends on the arc: X = ρ(cos α − 1), Z = ρ sin α, θ = −α (bends towards −x, as MAD-X)', () => {
    expect(sv.x[1]).toBeCloseTo(rho * (Math.cos(alpha) - 1), 13);
    expect(sv.z[1]).toBeCloseTo(rho * Math.sin(alpha), 13);
    expect(sv.y[1]).toBe(0);
    expect(sv.theta[1]).toBeCloseTo(-alpha, 14);
    expect(sv.s[1]).toBe(L);
  });

  it('chord = 2ρ sin(α/2) and sagitta = ρ(1 − cos(α/2)) at the arc middle', () => {
    const chord = Math.hypot(sv.x[1] - sv.x[0], sv.z[1] - sv.z[0]);
    expect(chord).toBeCloseTo(2 * rho * Math.sin(alpha / 2), 13);
    const mid = surveyAt(sv, L / 2, false);
    // Distance of the middle point from the chord line.
    const cx = sv.x[1], cz = sv.z[1];
    const sagitta = Math.abs(cx * mid.z - cz * mid.x) / chord;
    expect(sagitta).toBeCloseTo(rho * (1 - Math.cos(alpha / 2)), 13);
  });

  it('every point inside the bend lies on the circle of radius ρ centred at (−ρ, 0, 0), tangent to it', () => {
    for (const u of [0.1, 0.7, 1.3, 1.99]) {
      const p = surveyAt(sv, u, false);
      expect(Math.hypot(p.x + rho, p.z)).toBeCloseTo(rho, 12);
      // tangent ⟂ radius
      expect(p.tangent[0] * (p.x + rho) + p.tangent[2] * p.z).toBeCloseTo(0, 12);
      expect(p.theta).toBeCloseTo(-(alpha * u) / L, 14);
    }
  });
});

describe('survey of rectangular and tilted bends', () => {
  it('an rbend (length = chord) ends exactly one chord length from its entrance, along the arc', () => {
    const chord = 1.5, angle = 0.2;
    const sv = survey(lat([makeElement({ type: 'rbend', name: 'RB', length: chord, angle })]));
    expect(Math.hypot(sv.x[1], sv.y[1], sv.z[1])).toBeCloseTo(chord, 13);
    expect(sv.s[1]).toBeCloseTo((chord * angle) / 2 / Math.sin(angle / 2), 13);
    expect(sv.theta[1]).toBeCloseTo(-angle, 14);
  });

  it('tilt = π/2 turns the bend into a vertical one (MAD-X: Y = ρ(cos α − 1), φ = −α, X = 0)', () => {
    const L = 1, alpha = 0.1, rho = L / alpha;
    const sv = survey(lat([sbend('BV', L, alpha, Math.PI / 2)]));
    expect(sv.x[1]).toBeCloseTo(0, 14);
    expect(sv.y[1]).toBeCloseTo(rho * (Math.cos(alpha) - 1), 13);
    expect(sv.z[1]).toBeCloseTo(rho * Math.sin(alpha), 13);
    expect(sv.phi[1]).toBeCloseTo(-alpha, 14);
    expect(sv.theta[1]).toBeCloseTo(0, 14);
  });

  it('tilt = π bends the other way (X > 0, θ = +α)', () => {
    const L = 1, alpha = 0.1, rho = L / alpha;
    const sv = survey(lat([sbend('BL', L, alpha, Math.PI)]));
    expect(sv.x[1]).toBeCloseTo(-rho * (Math.cos(alpha) - 1), 13);
    expect(sv.y[1]).toBeCloseTo(0, 13);
    expect(sv.theta[1]).toBeCloseTo(alpha, 14);
  });
});

describe('survey of a square ring of four bends', () => {
  // Drift D, then a quarter circle of radius 1, four times: a square of side D with rounded corners.
  const D = 3, rho = 1;
  const q = sbend('B', (rho * Math.PI) / 2, Math.PI / 2);
  const cell = [drift('D', D), q];
  const sv = survey(lat(cell, 4));

  it('visits the hand-computed corners and closes', () => {
    // After drift 1 and bend 1: (−ρ, D + ρ), heading −X.
    expect(sv.x[2]).toBeCloseTo(-rho, 13);
    expect(sv.z[2]).toBeCloseTo(D + rho, 13);
    // After drift 2 and bend 2: (−(D + 2ρ), D), heading −Z.
    expect(sv.x[4]).toBeCloseTo(-(D + 2 * rho), 13);
    expect(sv.z[4]).toBeCloseTo(D, 13);
    expect(sv.theta[4]).toBeCloseTo(-Math.PI, 14);
    expect(sv.closure.distanceM).toBeLessThan(1e-12);
    expect(sv.closure.angleRad).toBeLessThan(1e-12);
    expect(sv.theta[8]).toBeCloseTo(-2 * Math.PI, 13); // θ is continued, not wrapped (MAD-X PROXIM)
  });

  it('surveys every period (the same as the expanded lattice), or one period on request', () => {
    const expanded = survey(expandPeriods(lat(cell, 4)));
    expect(sv.n).toBe(9);
    for (let i = 0; i < sv.n; i++) expect(sv.x[i]).toBe(expanded.x[i]);
    const one = survey(lat(cell, 4), { onePeriod: true });
    expect(one.n).toBe(3);
    expect(one.closure.distanceM).toBeCloseTo(Math.hypot(D + rho, rho), 12);
  });

  it('surveyAt wraps round the ring and interpolates drifts linearly', () => {
    const C = sv.s[sv.n - 1];
    const a = surveyAt(sv, 1.25);
    const b = surveyAt(sv, 1.25 + 2 * C);
    const c = surveyAt(sv, 1.25 - C);
    expect(b.x).toBeCloseTo(a.x, 12);
    expect(c.z).toBeCloseTo(a.z, 12);
    expect(a.z).toBeCloseTo(1.25, 14);
    expect(a.x).toBe(0);
    expect(a.tangent).toEqual([0, 0, 1]);
    expect(() => surveyAt(sv, C + 1, false)).toThrow(/outside/);
  });

  it('the start point can be placed and rotated', () => {
    const moved = survey(lat(cell, 4), { start: { x: 10, z: -5, theta: Math.PI / 2 } });
    // Heading +X at the start: after the first drift we are at (10 + D, −5).
    expect(moved.x[1]).toBeCloseTo(10 + D, 13);
    expect(moved.z[1]).toBeCloseTo(-5, 13);
    expect(moved.closure.distanceM).toBeLessThan(1e-12);
  });
});
