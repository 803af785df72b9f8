/**
 * Matching on the ESRF-EBS cell (32 periods): tunes with two quadrupole families, chromaticity with
 * the sextupole families, an optics target at a named element, bounds, and a problem that cannot be
 * met (reported with the amount it misses by). Each result is re-evaluated independently.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadLattice } from '../../../lattice/formats/index.ts';
import { computeOptics } from '../../../sim/optics/summary.ts';
import { describeMissed, evaluateTargets, familyMatcher, match } from '../../../sim/optics/matching.ts';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/reference');
const ebs = loadLattice(join(FIX, 'ebs_hmba.json'), { format: 'ring-lattice-json' }).lattice;
const base = computeOptics(ebs, { skipNaturalChromaticity: true });

describe('matching', () => {
  it('family patterns: exact, glob, regex', () => {
    expect(familyMatcher('QF4A')('QF4A')).toBe(true);
    expect(familyMatcher('QF4A')('QF4AB')).toBe(false);
    expect(familyMatcher('QF4*')('QF4E')).toBe(true);
    expect(familyMatcher('Q?4*')('QD4')).toBe(true);
    expect(familyMatcher('/^SD1[AE]$/')('SD1E')).toBe(true);
    expect(familyMatcher('/^SD1[AE]$/')('SD1B')).toBe(false);
  });

  it('moves both tunes by +0.01/−0.02 with QF8*, QD5* to 1e-9 (checked by an independent evaluation)', () => {
    const goal: [number, number] = [base.tunes[0] + 0.01, base.tunes[1] - 0.02];
    const res = match(ebs, [{ family: 'QF8*' }, { family: 'QD5*' }], [
      { kind: 'tune', plane: 'x', value: goal[0] },
      { kind: 'tune', plane: 'y', value: goal[1] },
    ]);
    expect(res.missed).toEqual([]);
    const again = computeOptics(res.lattice, { skipNaturalChromaticity: true });
    expect(Math.abs(again.tunes[0] - goal[0])).toBeLessThan(1e-9);
    expect(Math.abs(again.tunes[1] - goal[1])).toBeLessThan(1e-9);
    expect(res.variables.map((v) => v.members)).toEqual([2, 2]);
    // family members stay equal
    const qf8 = res.lattice.elements.filter((e) => e.name.startsWith('QF8')) as Array<{ k1: number }>;
    expect(qf8[0].k1).toBe(qf8[1].k1);
  });

  it('sets the chromaticity to (2, 2) with the SF and SD families to 1e-6', () => {
    const res = match(ebs, [{ family: 'SF*' }, { family: 'SD*' }], [
      { kind: 'chromaticity', plane: 'x', value: 2 },
      { kind: 'chromaticity', plane: 'y', value: 2 },
    ]);
    expect(res.missed).toEqual([]);
    const again = computeOptics(res.lattice, { skipNaturalChromaticity: true });
    expect(Math.abs(again.chromaticity[0] - 2)).toBeLessThan(1e-6); // the default tolerance
    expect(Math.abs(again.chromaticity[1] - 2)).toBeLessThan(1e-6);
    // SD members with different strengths (SD1A ≠ SD1B) keep their ratio
    const sd = res.lattice.elements.filter((e) => e.name.startsWith('SD')) as Array<{ name: string; k2: number }>;
    const ratio = sd.find((e) => e.name === 'SD1B')!.k2 / sd.find((e) => e.name === 'SD1A')!.k2;
    expect(Math.abs(ratio - -148.37905075323468 / -157.91071158779965)).toBeLessThan(1e-12);
  });

  it('fits β_x at the ID marker together with the tunes', () => {
    const [bx0] = evaluateTargets(ebs, [{ kind: 'beta', plane: 'x', at: 'IDMarker', value: 0 }]);
    const res = match(ebs, [{ family: 'QF1*' }, { family: 'QD2*' }, { family: 'QF8*' }], [
      { kind: 'beta', plane: 'x', at: 'IDMarker', value: bx0 * 1.05 },
      { kind: 'tune', plane: 'x', value: base.tunes[0] },
      { kind: 'tune', plane: 'y', value: base.tunes[1] },
    ]);
    expect(res.missed).toEqual([]);
    const [bx] = evaluateTargets(res.lattice, [{ kind: 'beta', plane: 'x', at: 'IDMarker', value: 0 }]);
    expect(Math.abs(bx / (bx0 * 1.05) - 1)).toBeLessThan(1e-6);
  });

  it('an impossible problem says which targets are missed and by how much (bounded family)', () => {
    const res = match(ebs, [{ family: 'QF8*', min: 4.40, max: 4.45 }], [
      { kind: 'tune', plane: 'x', value: base.tunes[0] + 0.5 },
    ]);
    expect(res.missed.length).toBe(1);
    expect(res.variables[0].final).toBeLessThanOrEqual(4.45);
    const lines = describeMissed(res);
    expect(lines[0]).toMatch(/^Qx: wanted [\d.]+, got [\d.]+ \(off by -?\d\.\d{3}e[-+]\d+\)$/);
    expect(Math.abs(res.missed[0].residual)).toBeGreaterThan(0.1);
  });

  it('unknown family and unknown element are named errors', () => {
    expect(() => match(ebs, [{ family: 'NOPE*' }], [{ kind: 'tune', plane: 'x', value: 76 }])).toThrow(/family 'NOPE\*' matches no element/);
    expect(() => match(ebs, [{ family: 'QF8*' }], [{ kind: 'beta', plane: 'x', at: 'NOWHERE', value: 1 }])).toThrow(/no element named 'NOWHERE'/);
  });
});
