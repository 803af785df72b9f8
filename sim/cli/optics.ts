/**
 * `nanoterasu optics`: linear optics and radiation equilibrium of a ring (sim/optics/summary.ts).
 *
 *   npx nanoterasu optics [--lattice FILE] [--format F] [--json] [--twiss FILE.csv] [--model exact|integrator]
 *
 * --model integrator reproduces pyAT's own numbers (its 4th-order drift–kick slices, num_int_steps
 * per magnet); the default exact maps agree with MAD-X.
 * Without --lattice: the built-in NanoTerasu ring (lattice/nanoterasu.ts). The reference rings are
 * read with `--format ring-lattice-json`.
 *
 * JSON keys (stable; tools read them), SI units, full ring: name, energyEV, circumferenceM,
 * periodicity, tunes[2], chromaticity[2], naturalChromaticity[2], momentumCompaction,
 * momentumCompactionFromMap, radiationIntegrals{I1,I2,I3,I4,I5}, energyLossPerTurnEV, emittanceM,
 * energySpread, dampingPartition[3], dampingTimesS[3], revolutionPeriodS,
 * rf{totalVoltageV, frequencyHz, harmonicNumber, synchronousPhaseRad, synchrotronTune,
 * synchrotronFrequencyHz, bunchLengthM, energyAcceptance, slipFactor, synchrotronTuneFromMap,
 * synchronousCtM} (null without a cavity),
 * coupled, undulatorsOpen (null without undulators), warnings[], and with --twiss:
 * twiss{name[], s[], betaX[], betaY[], alphaX[], alphaY[], etaX[], etaPX[], muX[], muY[]} at every
 * element entrance of the full ring plus its end (also written as CSV to FILE).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadLattice } from '../../lattice/formats/index.ts';
import type { Lattice } from '../../lattice/lattice.ts';
import { computeOpticsDetailed, fullRingTwiss, type OpticsSummary } from '../optics/summary.ts';
import { UserError } from './main.ts';

interface Options { lattice?: string; format?: string; json?: boolean; twiss?: string; model: string }

export async function opticsLattice(opts: { lattice?: string; format?: string }): Promise<{ lattice: Lattice; warnings: string[] }> {
  if (opts.format && !opts.lattice) throw new UserError('--format needs --lattice FILE');
  if (opts.lattice) return loadLattice(opts.lattice, opts.format ? { format: opts.format } : {});
  const { nanoterasuRing } = await import('../../lattice/nanoterasu.ts');
  return { lattice: nanoterasuRing(), warnings: [] };
}

export function register(program: Command): void {
  program
    .command('optics')
    .description('linear optics (closed orbit, Twiss, tunes, chromaticity) and radiation equilibrium of a ring')
    .option('--lattice <file>', 'lattice file (default: the built-in NanoTerasu ring)')
    .option('--format <name>', 'lattice format when the extension does not say (e.g. ring-lattice-json)')
    .option('--json', 'print JSON instead of a table')
    .option('--twiss <file.csv>', 'write s, betaX, betaY, alphaX, alphaY, etaX, etaPX, muX, muY of every element to a CSV')
    .option('--model <name>', "'exact' maps (as MAD-X) or pyAT's 'integrator' slices", 'exact')
    .action(async (opts: Options) => {
      if (opts.model !== 'exact' && opts.model !== 'integrator') throw new UserError(`--model must be 'exact' or 'integrator' (got '${opts.model}')`);
      const { lattice, warnings } = await opticsLattice(opts);
      const { summary, twiss } = computeOpticsDetailed(lattice, { model: opts.model });
      const table = opts.twiss ? fullRingTwiss(twiss, summary.periodicity) : null;
      if (opts.twiss && table) {
        try {
          writeFileSync(opts.twiss, twissCsv(table));
        } catch (err) {
          throw new UserError(`cannot write ${opts.twiss} (${(err as Error).message})`);
        }
      }
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ...summary, warnings, ...(table ? { twiss: table } : {}) }, null, 1)}\n`);
      } else {
        process.stdout.write(formatSummary(summary));
        if (opts.twiss) process.stdout.write(`Twiss of ${(table!.s as number[]).length} points written to ${opts.twiss}\n`);
      }
    });
}

const COLUMNS = ['s', 'betaX', 'betaY', 'alphaX', 'alphaY', 'etaX', 'etaPX', 'muX', 'muY'] as const;

export function twissCsv(t: Record<string, (number | string)[]>): string {
  const lines = [`name,${COLUMNS.join(',')}`];
  const n = t.s.length;
  for (let i = 0; i < n; i++) {
    const name = String(t.name[i]);
    const quoted = /[",\n]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
    lines.push(`${quoted},${COLUMNS.map((c) => (t[c][i] as number).toPrecision(12)).join(',')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatSummary(s: OpticsSummary): string {
  const f = (x: number, d = 6) => x.toPrecision(d);
  const rows: [string, string][] = [
    ['lattice', `${s.name} (${s.periodicity > 1 ? `${s.periodicity} periods` : '1 period'})`],
    ['energy', `${f(s.energyEV / 1e9)} GeV`],
    ['circumference', `${f(s.circumferenceM, 9)} m`],
    ['tunes Qx, Qy', `${s.tunes[0].toFixed(6)}, ${s.tunes[1].toFixed(6)}${s.coupled ? ' (Edwards–Teng modes)' : ''}`],
    ['chromaticity ξx, ξy', `${s.chromaticity[0].toFixed(4)}, ${s.chromaticity[1].toFixed(4)}`],
    ['natural chromaticity', `${s.naturalChromaticity[0].toFixed(4)}, ${s.naturalChromaticity[1].toFixed(4)}`],
    ['momentum compaction', `${s.momentumCompaction.toExponential(5)} (map: ${s.momentumCompactionFromMap.toExponential(5)})`],
    ['I1..I5', `${Object.values(s.radiationIntegrals).map((v) => v.toExponential(5)).join(', ')}`],
    ['energy loss U0', `${f(s.energyLossPerTurnEV / 1e3)} keV/turn`],
    ['emittance εx', `${f(s.emittanceM * 1e9)} nm rad`],
    ['energy spread σδ', `${s.energySpread.toExponential(4)}`],
    ['damping partitions', s.dampingPartition.map((j) => j.toFixed(4)).join(', ')],
    ['damping times x, y, z', `${s.dampingTimesS.map((t) => (t * 1e3).toFixed(3)).join(', ')} ms`],
  ];
  if (s.rf) {
    rows.push(
      ['RF voltage, frequency, h', `${f(s.rf.totalVoltageV / 1e6)} MV, ${f(s.rf.frequencyHz / 1e6, 9)} MHz, ${s.rf.harmonicNumber}`],
      ['synchronous phase', `${f(s.rf.synchronousPhaseRad)} rad (${f((s.rf.synchronousPhaseRad * 180) / Math.PI)}°)`],
      ['synchrotron tune', `${s.rf.synchrotronTune.toExponential(5)} (${f(s.rf.synchrotronFrequencyHz / 1e3)} kHz)${s.rf.synchrotronTuneFromMap !== null ? `; 6D map: ${s.rf.synchrotronTuneFromMap.toExponential(5)}` : ''}`],
      ['bunch length σz', `${f(s.rf.bunchLengthM * 1e3)} mm`],
      ['RF energy acceptance', `${f(s.rf.energyAcceptance * 100, 4)} %`],
    );
  } else rows.push(['RF', 'no cavity with voltage']);
  if (s.undulatorsOpen) {
    rows.push(
      ['with ID gaps open: U0', `${f(s.undulatorsOpen.energyLossPerTurnEV / 1e3)} keV/turn`],
      ['with ID gaps open: εx', `${f(s.undulatorsOpen.emittanceM * 1e9)} nm rad`],
    );
  }
  const w = Math.max(...rows.map((r) => r[0].length));
  return `${rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')}\n`;
}
