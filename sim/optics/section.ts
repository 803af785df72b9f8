/**
 * Scenario section `optics`: linear optics and radiation equilibrium of the scenario's ring
 * (`computeOpticsDetailed`, the same call as `npx nanoterasu optics`). The bundle carries the summary
 * and the Twiss functions at every element entrance, which the 3D view plots.
 * `optics: {}` runs it with the exact-map model; `model: integrator` uses pyAT's slices.
 */
import { z } from 'zod';
import type { ScenarioSection } from '../scenario/schema.ts';
import { computeOpticsDetailed, fullRingTwiss, type OpticsSummary } from './summary.ts';

const schema = z.object({
  model: z.enum(['exact', 'integrator']).default('exact'),
  /** εy/εx for the beam sizes in the bundle: 1 % design, ~2 % measured [S] (nanoterasu.md §1). */
  coupling: z.number().min(0).max(1).default(0.01),
}).strict();
type Config = z.infer<typeof schema>;
interface Result {
  summary: OpticsSummary;
  twiss: Record<string, number[] | string[]>;
  /** RMS beam sizes [m] at every element entrance: σx = √(βx εx + (ηx σδ)²), σy = √(βy εy), εx = ε0/(1+κ), εy = κ ε0/(1+κ). */
  beamSize: { coupling: number; emittanceXM: number; emittanceYM: number; sigmaXM: number[]; sigmaYM: number[] };
}

const f = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

export const opticsSection: ScenarioSection<Config, Result> = {
  name: 'optics',
  summary: 'linear optics, tunes, chromaticity, radiation integrals, emittance, RF (exact maps)',
  schema,
  run(cfg, ctx) {
    const { summary, twiss } = computeOpticsDetailed(ctx.lattice, { model: cfg.model });
    const table = fullRingTwiss(twiss, summary.periodicity);
    const k = cfg.coupling;
    const ex = summary.emittanceM / (1 + k), ey = (k * summary.emittanceM) / (1 + k), sd = summary.energySpread;
    const bx = table.betaX as number[], by = table.betaY as number[], eta = table.etaX as number[];
    return {
      summary,
      twiss: table,
      beamSize: {
        coupling: k, emittanceXM: ex, emittanceYM: ey,
        sigmaXM: bx.map((b, i) => Math.sqrt(b * ex + (eta[i] * sd) ** 2)),
        sigmaYM: by.map((b) => Math.sqrt(b * ey)),
      },
    };
  },
  report({ summary: s }) {
    const lines = [
      `tunes             ${f(s.tunes[0])} / ${f(s.tunes[1])}`,
      `chromaticity      ${f(s.chromaticity[0], 3)} / ${f(s.chromaticity[1], 3)}   (natural ${f(s.naturalChromaticity[0], 2)} / ${f(s.naturalChromaticity[1], 2)})`,
      `emittance         ${(s.emittanceM * 1e9).toFixed(4)} nm rad`,
      `damping partition Jx ${f(s.dampingPartition[0])}, Jy ${f(s.dampingPartition[1])}, Jz ${f(s.dampingPartition[2])}`,
      `energy loss       ${(s.energyLossPerTurnEV / 1e6).toFixed(4)} MeV/turn;  energy spread ${s.energySpread.toExponential(3)}`,
      `damping times     ${s.dampingTimesS.map((t) => (t * 1e3).toFixed(2)).join(' / ')} ms`,
      `momentum compact. ${s.momentumCompaction.toExponential(4)} (I1/C); ${s.momentumCompactionFromMap.toExponential(4)} (6D map)`,
    ];
    if (s.rf) {
      lines.push(
        `RF                φs ${((s.rf.synchronousPhaseRad * 180) / Math.PI).toFixed(2)}°, νs ${s.rf.synchrotronTune.toExponential(3)}, σz ${(s.rf.bunchLengthM * 1e3).toFixed(3)} mm, acceptance ${(s.rf.energyAcceptance * 100).toFixed(2)} %`,
      );
    }
    return lines.join('\n');
  },
  bundle(r) {
    return { ...r.summary, twiss: r.twiss, beamSize: r.beamSize };
  },
};
