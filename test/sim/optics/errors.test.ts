/**
 * Bad input: clear errors, never NaN. An unstable lattice names the plane, |trace|/2 and δ; a closed
 * orbit that cannot be found says so; a ring without bends has no radiation equilibrium.
 */
import { describe, expect, it } from 'vitest';
import { makeElement, type Element } from '../../../lattice/elements.ts';
import { makeLattice } from '../../../lattice/lattice.ts';
import { OpticsError } from '../../../sim/optics/maps.ts';
import { closedOrbit4 } from '../../../sim/optics/orbit.ts';
import { compileLattice } from '../../../sim/optics/maps.ts';
import { computeOptics } from '../../../sim/optics/summary.ts';
import { linearOptics } from '../../../sim/optics/twiss.ts';

const el = (spec: Record<string, unknown>) => makeElement(spec);

function fodo(k: number, extra: Element[] = []): Element[] {
  return [
    el({ type: 'quadrupole', name: 'QF', length: 0.2, k1: k }),
    el({ type: 'drift', name: 'D1', length: 0.5 }),
    el({ type: 'sbend', name: 'B1', length: 1.0, angle: Math.PI / 16 }),
    el({ type: 'drift', name: 'D2', length: 0.5 }),
    el({ type: 'quadrupole', name: 'QD', length: 0.2, k1: -k }),
    el({ type: 'drift', name: 'D3', length: 0.5 }),
    el({ type: 'sbend', name: 'B2', length: 1.0, angle: Math.PI / 16 }),
    el({ type: 'drift', name: 'D4', length: 0.5 }),
    ...extra,
  ];
}

describe('bad input', () => {
  it('an over-focused FODO ring gives "no stable optics: horizontal |trace|/2 = … at δ = 0"', () => {
    const lat = makeLattice({ name: 'unstable', energyEV: 3e9, periodicity: 16, elements: fodo(8) });
    expect(() => linearOptics(lat)).toThrow(OpticsError);
    expect(() => computeOptics(lat)).toThrow(/no stable optics: horizontal \|trace\|\/2 = \d+\.\d{4} at δ = 0/);
  });

  it('a stable FODO ring gives finite numbers everywhere', () => {
    const s = computeOptics(makeLattice({ name: 'ok', energyEV: 3e9, periodicity: 16, elements: fodo(1.2) }));
    expect(Number.isFinite(s.emittanceM) && s.emittanceM > 0).toBe(true);
    expect(s.rf).toBeNull(); // no cavity
  });

  it('a closed orbit that cannot converge is a clear error (huge kick through a strong octupole)', () => {
    const lat = makeLattice({
      name: 'divergent', energyEV: 3e9, periodicity: 1,
      elements: fodo(1.2, [
        el({ type: 'hkicker', name: 'HK', length: 0, kick: 0.5 }),
        el({ type: 'octupole', name: 'OCT', length: 0.2, k3: 1e6 }),
      ]),
    });
    expect(() => closedOrbit4(compileLattice(lat), 0)).toThrow(/closed orbit at δ = 0 (did not converge|diverged)/);
  });

  it('a ring without bends has no radiation equilibrium (named), not NaN', () => {
    const els = [
      el({ type: 'quadrupole', name: 'QF', length: 0.2, k1: 1.2 }),
      el({ type: 'drift', name: 'D1', length: 2 }),
      el({ type: 'quadrupole', name: 'QD', length: 0.2, k1: -1.2 }),
      el({ type: 'drift', name: 'D2', length: 2 }),
    ];
    expect(() => computeOptics(makeLattice({ name: 'straight', energyEV: 3e9, periodicity: 8, elements: els })))
      .toThrow(/no bending \(I2 = 0\)/);
  });

  it('RF voltage below the energy loss: no stable bucket (named), not NaN', () => {
    const lat = makeLattice({
      name: 'weak-rf', energyEV: 3e9, periodicity: 16,
      elements: fodo(1.2, [el({ type: 'rfcavity', name: 'RF', voltage: 10, harmonic: 100 })]),
    });
    expect(() => computeOptics(lat)).toThrow(/is not above the energy loss per turn/);
  });
});
