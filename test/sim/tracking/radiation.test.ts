/**
 * Radiation in the kernels against pyAT's envelope_6d (ebs_hmba.ref.json: Ohmi envelope with
 * radiation ON in dipoles and quadrupoles and RF on, pyAT 0.8.0.dev0 da14bae): energy loss per
 * turn, synchronous phase, damping times and 6D tunes from the eigenvalues of the tracked one-turn
 * map at the 6D closed orbit; quantum excitation against Sands' diffusion rate and, with damping,
 * the horizontal excitation (I5) and the equilibrium energy spread of sim/optics (radiation
 * integrals; measured +2.2 %).
 */
import { readFileSync } from 'node:fs';
import { eigs } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { makeElement } from '../../../lattice/elements.ts';
import { parseRingJson } from '../../../lattice/formats/ringjson.ts';
import { makeLattice } from '../../../lattice/lattice.ts';
import { computeOpticsDetailed } from '../../../sim/optics/summary.ts';
import { C_LIGHT, ELECTRON_MASS_EV, HBAR_C_EVM, R_ELECTRON } from '../../../sim/constants.ts';
import { compileLattice } from '../../../sim/tracking/compile.ts';
import { oneTurnMatrix } from '../../../sim/tracking/jacobian.ts';
import { KIND, RFC } from '../../../sim/tracking/layout.ts';
import { closedOrbit } from '../../../sim/tracking/orbit.ts';
import { newLossArrays, passElements, trackTurns } from '../../../sim/tracking/track.ts';

const dir = new URL('../../fixtures/track/', import.meta.url);
const lat = parseRingJson(readFileSync(new URL('ebs_hmba.json', dir), 'utf8')).lattice;
const ref = JSON.parse(readFileSync(new URL('ebs_hmba.ref.json', dir), 'utf8'));
const env = ref.envelope_6d;

describe('classical radiation (EBS, 6D, RF on)', () => {
  const prog = compileLattice(lat, { mode: '6d', radiation: true });
  const co = closedOrbit(prog);

  it('energy loss per turn on the closed orbit = the RF energy gain = pyAT U0 to 1e-6', () => {
    const r = Float64Array.from(co);
    const loss = newLossArrays(1);
    let gain = 0;
    for (let p = 0; p < prog.periodicity; p++) {
      for (let e = 0; e < prog.nElements; e++) {
        const d0 = r[4];
        passElements(prog, r, 1, e, e + 1, 0, p, 0, 0, 0, loss);
        if (prog.kinds[e] === KIND.RF) gain += r[4] - d0;
      }
    }
    expect(Math.abs(r[4] - co[4])).toBeLessThan(1e-15); // really closed
    const u0 = gain * prog.energyEV;
    expect(Math.abs(u0 / env.energy_loss_per_turn_eV - 1)).toBeLessThan(1e-6);
  });

  it('synchronous cτ matches pyAT φs = π − asin(U0/V) to 1e-6', () => {
    const rf = prog.offsets[prog.kinds.indexOf(KIND.RF)];
    const k = (2 * Math.PI * prog.params[rf + RFC.FREQ]) / C_LIGHT;
    const want = (env.synchronous_phase_rad - Math.PI) / k;
    expect(Math.abs(co[5] / want - 1)).toBeLessThan(1e-6);
  });

  it('damping times and 6D tunes from the one-turn map agree with the envelope', () => {
    const M = oneTurnMatrix(prog, co, 1e-8);
    const rows = [0, 1, 2, 3, 4, 5].map((i) => Array.from(M.subarray(6 * i, 6 * i + 6)));
    const values = eigs(rows, { eigenvectors: false } as never).values as unknown as Array<{ re: number; im: number }>;
    const modes = values
      .filter((v) => v.im > 0)
      .map((v) => ({ tune: Math.atan2(v.im, v.re) / (2 * Math.PI), tau: -prog.revolutionPeriodS / Math.log(Math.hypot(v.re, v.im)) }))
      .sort((a, b) => b.tune - a.tune); // y (0.34), x (0.21), z (0.0035)
    const [y, x, z] = modes;
    const [qx, qy, qs] = env.fractional_tunes_6d;
    const [tx, ty, tz] = env.damping_times_s;
    expect(Math.abs(x.tune - qx)).toBeLessThan(1e-9);
    expect(Math.abs(y.tune - qy)).toBeLessThan(1e-9);
    expect(Math.abs(z.tune / qs - 1)).toBeLessThan(1e-4);
    expect(Math.abs(x.tau / tx - 1)).toBeLessThan(1e-5);
    expect(Math.abs(y.tau / ty - 1)).toBeLessThan(1e-5);
    expect(Math.abs(z.tau / tz - 1)).toBeLessThan(1e-4);
  });
});

describe('quantum excitation', () => {
  it('one cell, particles on axis: ⟨Δδ²⟩ = 2 Cq γ² CRAD I3/32 (4000 particles, seeded: within 3 standard errors)', () => {
    const prog = compileLattice(lat, { mode: '4d', quantum: true });
    const cell = { ...prog, periodicity: 1 };
    const n = 4000;
    const r = new Float64Array(6 * n);
    trackTurns(cell, r, n, 1, newLossArrays(n), { seed: 2024 });
    let s1 = 0;
    let s2 = 0;
    for (let p = 0; p < n; p++) {
      s1 += r[6 * p + 4];
      s2 += r[6 * p + 4] ** 2;
    }
    const want = (prog.quantumDiffusion * ref.radiation_integrals.I3_per_m2) / ref.periodicity;
    const variance = s2 / n;
    const stderr = want * Math.sqrt(2 / n);
    expect(Math.abs(variance - want)).toBeLessThan(3 * stderr);
    expect(Math.abs(s1 / n)).toBeLessThan(3 * Math.sqrt(want / n));
    // the coefficient is Sands' (55/(24√3)) r_e λ̄_e γ⁵ (SLAC-121 eq. 5.14), λ̄_e = ħ/(m_e c)
    const gamma = prog.gamma;
    const sands = (55 / (24 * Math.sqrt(3))) * R_ELECTRON * (HBAR_C_EVM / ELECTRON_MASS_EV) * gamma ** 5;
    expect(Math.abs(prog.quantumDiffusion / sands - 1)).toBeLessThan(1e-12);
    // and with pyAT's constants (ref.constants): 2 Cq γ² Cγ E³/(2π)
    const c = ref.constants;
    const g = ref.energy_eV / c.e_mass_eV;
    const crad = (c.Cgamma_m_per_eV3 * ref.energy_eV ** 3) / (2 * Math.PI);
    expect(Math.abs(prog.quantumDiffusion / (2 * c.Cq_m * g * g * crad) - 1)).toBeLessThan(1e-8);
  });
});

describe('radiation equilibrium from tracking', () => {
  // A strongly damped toy ring (8 GeV, ρ = 4.8 m: U0/E0 ≈ 1 % per turn, τz ≈ 84 turns, τx ≈ 440
  // turns, 200 MV of RF) so that the equilibrium is reached in a few hundred turns.
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
  const ring = makeLattice({
    name: 'toy', energyEV: 8e9,
    elements: [makeElement({ type: 'rfcavity', name: 'RF', voltage: 200e6, harmonic: 20 }), ...Array.from({ length: nc }, () => cell).flat()],
  });

  it('σδ of 100 particles (turns 300…499, seeded) = optics σδ = √(Cq γ² I3/(Je I2)) within 6 %', () => {
    const { summary } = computeOpticsDetailed(ring, { skipNaturalChromaticity: true });
    const co = closedOrbit(compileLattice(ring, { mode: '6d', radiation: true }));
    const prog = compileLattice(ring, { mode: '6d', radiation: true, quantum: true });
    const n = 100;
    const r = new Float64Array(6 * n);
    for (let p = 0; p < n; p++) r.set(co, 6 * p);
    const loss = newLossArrays(n);
    trackTurns(prog, r, n, 300, loss, { seed: 11 });
    let s2 = 0;
    let m = 0;
    for (let t = 0; t < 200; t++) {
      trackTurns(prog, r, n, 1, loss, { seed: 11, firstTurn: 300 + t });
      for (let p = 0; p < n; p++) { s2 += (r[6 * p + 4] - co[4]) ** 2; m++; }
    }
    expect(Array.from(loss.turn).every((t) => t < 0)).toBe(true);
    expect(Math.abs(Math.sqrt(s2 / m) / summary.energySpread - 1)).toBeLessThan(0.06);
  }, 20_000);
  it('horizontal excitation per turn (4D, quantum only, 10000 particles from the axis): ⟨J⟩ = Cq γ² CRAD I5 within 5 %', () => {
    const { summary, twiss } = computeOpticsDetailed(ring, { skipNaturalChromaticity: true });
    const prog = compileLattice(ring, { mode: '4d', quantum: true });
    const n = 10000;
    const r = new Float64Array(6 * n);
    trackTurns(prog, r, n, 1, newLossArrays(n), { seed: 9 });
    const [b, a, eta, etap] = [twiss.betaX[0], twiss.alphaX[0], twiss.etaX[0], twiss.etaPX[0]];
    let J = 0;
    for (let p = 0; p < n; p++) {
      const d = r[6 * p + 4];
      const x = r[6 * p] - eta * d;
      const xp = r[6 * p + 1] - etap * d;
      J += (((1 + a * a) / b) * x * x + 2 * a * x * xp + b * xp * xp) / 2;
    }
    // each kick Δδ adds H Δδ²/2 to the action: Σ over a turn = ½ · 2 Cq γ² CRAD I5
    const want = (prog.quantumDiffusion / 2) * summary.radiationIntegrals.I5;
    expect(Math.abs(J / n / want - 1)).toBeLessThan(0.05);
  });
});
