/**
 * Validation against peer codes on the reference rings (test/fixtures/reference, copied from
 * ../shared/reference/lattices): MAD-X 5.09.03 (exact thick maps) for tunes, β, α, η, μ; pyAT
 * (master da14bae, scipy CODATA) for radiation integrals, equilibrium, chromaticity, RF.
 *
 * Every ring is read twice: from the reference JSON (ring-lattice-json) and from the plain MAD-X
 * file (lattice/formats/madx.ts); both must give the same numbers against the references.
 *
 * Dispersion near zero (straights): compared as |η − η_ref| / max|η_ref| over the period.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadLattice } from '../../../lattice/formats/index.ts';
import { computeOpticsDetailed } from '../../../sim/optics/summary.ts';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/reference');
const LATTICES = ['ebs_hmba', 'esrf_dba_ring', 'as_3gev'] as const;
const CASES = LATTICES.flatMap((name) => [
  { name, source: 'json' as const },
  { name, source: 'madx' as const },
]);

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe.each(CASES)('$name (read from .$source) against MAD-X and pyAT', ({ name, source }) => {
  const { lattice } = source === 'json'
    ? loadLattice(join(FIX, `${name}.json`), { format: 'ring-lattice-json' })
    : loadLattice(join(FIX, `${name}.madx`));
  const ref = JSON.parse(readFileSync(join(FIX, `${name}.ref.json`), 'utf8'));
  const mad = JSON.parse(readFileSync(join(FIX, `${name}.madx.json`), 'utf8'));
  const { summary, twiss } = computeOpticsDetailed(lattice);

  it('tunes within 1e-6 of MAD-X (exact maps)', () => {
    expect(Math.abs(summary.tunes[0] - mad.tunes[0])).toBeLessThan(1e-6);
    expect(Math.abs(summary.tunes[1] - mad.tunes[1])).toBeLessThan(1e-6);
  });

  it('β within 1e-5 relative, α and η within 1e-5 of their maximum, at every element entrance (MAD-X)', () => {
    const o = mad.optics;
    expect(twiss.s.length).toBe(o.s.length);
    const maxAbs = (v: number[]) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    const ex = maxAbs(o.eta_x), epx = maxAbs(o.eta_px), ax = maxAbs(o.alpha_x), ay = maxAbs(o.alpha_y);
    let worst = { bx: 0, by: 0, ax: 0, ay: 0, eta: 0, etap: 0, s: 0, mux: 0, muy: 0 };
    for (let i = 0; i < o.s.length; i++) {
      worst = {
        bx: Math.max(worst.bx, rel(twiss.betaX[i], o.beta_x[i])),
        by: Math.max(worst.by, rel(twiss.betaY[i], o.beta_y[i])),
        ax: Math.max(worst.ax, Math.abs(twiss.alphaX[i] - o.alpha_x[i]) / ax),
        ay: Math.max(worst.ay, Math.abs(twiss.alphaY[i] - o.alpha_y[i]) / ay),
        eta: Math.max(worst.eta, Math.abs(twiss.etaX[i] - o.eta_x[i]) / ex),
        etap: Math.max(worst.etap, Math.abs(twiss.etaPX[i] - o.eta_px[i]) / epx),
        s: Math.max(worst.s, Math.abs(twiss.s[i] - o.s[i])),
        mux: Math.max(worst.mux, Math.abs(twiss.muX[i] - o.mu_x[i])),
        muy: Math.max(worst.muy, Math.abs(twiss.muY[i] - o.mu_y[i])),
      };
    }
    expect(worst.bx).toBeLessThan(1e-5);
    expect(worst.by).toBeLessThan(1e-5);
    expect(worst.ax).toBeLessThan(1e-5);
    expect(worst.ay).toBeLessThan(1e-5);
    expect(worst.eta).toBeLessThan(1e-5);
    expect(worst.etap).toBeLessThan(1e-5);
    expect(worst.s).toBeLessThan(1e-6); // MAD-X prints s to ~1e-8
    // μ over one period: 1e-6·2π (the MAD-X tunes are printed to 1e-8)
    expect(worst.mux).toBeLessThan(2 * Math.PI * 1e-6);
    expect(worst.muy).toBeLessThan(2 * Math.PI * 1e-6);
  });

  it('radiation integrals I1..I5 within 1e-4 relative of pyAT', () => {
    const r = ref.radiation_integrals;
    const I = summary.radiationIntegrals;
    expect(rel(I.I1, r.I1_m)).toBeLessThan(1e-4);
    expect(rel(I.I2, r.I2_per_m)).toBeLessThan(1e-4);
    expect(rel(I.I3, r.I3_per_m2)).toBeLessThan(1e-4);
    expect(rel(I.I4, r.I4_per_m)).toBeLessThan(1e-4);
    expect(rel(I.I5, r.I5_per_m)).toBeLessThan(1e-4);
  });

  it('U0, emittance, energy spread, partitions and damping times within 1e-4 relative of pyAT', () => {
    expect(rel(summary.energyLossPerTurnEV, ref.energy_loss_per_turn_eV)).toBeLessThan(1e-4);
    expect(rel(summary.emittanceM, ref.natural_emittance_m)).toBeLessThan(1e-4);
    expect(rel(summary.energySpread, ref.energy_spread)).toBeLessThan(1e-4);
    for (let k = 0; k < 3; k++) {
      expect(rel(summary.dampingPartition[k], ref.damping_partition[k])).toBeLessThan(1e-4);
      expect(rel(summary.dampingTimesS[k], ref.damping_times_s[k])).toBeLessThan(1e-4);
    }
    expect(rel(summary.revolutionPeriodS, ref.revolution_period_s)).toBeLessThan(1e-9);
    expect(rel(summary.circumferenceM, ref.circumference_m)).toBeLessThan(1e-12);
  });

  it('momentum compaction: I1/C within 1e-4 of pyAT, and the 6×6 map agrees with I1/C to 1e-6', () => {
    expect(rel(summary.momentumCompaction, ref.momentum_compaction)).toBeLessThan(1e-4);
    expect(rel(summary.momentumCompactionFromMap, summary.momentumCompaction)).toBeLessThan(1e-6);
  });

  it("chromaticity and natural chromaticity within 1e-3 of pyAT's (same physics model)", () => {
    for (let k = 0; k < 2; k++) {
      expect(Math.abs(summary.chromaticity[k] - ref.chromaticity[k])).toBeLessThan(1e-3);
      expect(Math.abs(summary.naturalChromaticity[k] - ref.natural_chromaticity[k])).toBeLessThan(1e-3);
    }
  });

  it('RF: synchronous phase, synchrotron tune and frequency, bunch length within 1e-4 of pyAT; exact voltage, frequency, harmonic', () => {
    const rf = summary.rf!;
    expect(rf).not.toBeNull();
    expect(rel(rf.totalVoltageV, ref.rf.total_voltage_V)).toBeLessThan(1e-12);
    // the .madx files give HARMON only: f = h β c / C differs from pyAT's h c / C by 1 − β ≈ 1/(2γ²)
    expect(rel(rf.frequencyHz, ref.rf.frequency_Hz)).toBeLessThan(source === 'json' ? 1e-12 : 2e-8);
    expect(rf.harmonicNumber).toBe(ref.rf.harmonic_number);
    expect(rel(rf.synchronousPhaseRad, ref.rf.synchronous_phase_rad)).toBeLessThan(1e-6);
    expect(rel(rf.synchrotronTune, ref.rf.synchrotron_tune)).toBeLessThan(1e-4);
    expect(rel(rf.synchrotronFrequencyHz, ref.rf.synchrotron_frequency_Hz)).toBeLessThan(1e-4);
    expect(rel(rf.bunchLengthM, ref.rf.bunch_length_m)).toBeLessThan(1e-4);
    expect(rel(rf.slipFactor, ref.slip_factor)).toBeLessThan(1e-4);
    expect(rf.energyAcceptance).toBeGreaterThan(0);
    // 6D map with the cavities (no damping) vs pyAT's 6D Ohmi envelope tune (radiation on) and our formula
    expect(rel(rf.synchrotronTuneFromMap!, ref.envelope_6d.fractional_tunes_6d[2])).toBeLessThan(1e-3);
    expect(rel(rf.synchrotronTuneFromMap!, rf.synchrotronTune)).toBeLessThan(5e-4);
    // synchronous position: sin(2π f ct/c) = −U0/V
    expect(Math.abs(Math.sin((2 * Math.PI * rf.frequencyHz * rf.synchronousCtM!) / 299792458) + summary.energyLossPerTurnEV / rf.totalVoltageV)).toBeLessThan(1e-9);
  });
});
