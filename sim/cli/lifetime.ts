/**
 * `nanoterasu lifetime [--json] [--scenario FILE] [--current MA...] [--coupling K] [--rf-voltage MV] [--rf-only]`:
 * beam lifetime of the built-in ring (Touschek, gas, quantum, total) at the target current and at
 * 160 mA, and its dependence on coupling and RF voltage.
 */
import type { Command } from 'commander';
import { ringLifetime } from '../lifetime/ring.ts';
import { applyLifetimeConfig, fillOf } from '../topup/config.ts';
import { formatLifetime, lifetimeHours } from '../topup/run.ts';
import { cliBeam, loadTopupConfig } from './topup.ts';
import { UserError } from './main.ts';

function num(name: string) {
  return (v: string) => {
    const x = Number(v);
    if (!Number.isFinite(x)) throw new UserError(`--${name}: not a number (${v})`);
    return x;
  };
}

export function register(program: Command): void {
  program
    .command('lifetime')
    .description('beam lifetime of the built-in ring: Touschek, gas (elastic, bremsstrahlung), quantum, total')
    .option('--scenario <file>', 'scenario with a `topup.lifetime` section (default scenarios/topup.yaml)')
    .option('--current <mA>', 'stored current (default: the scenario target)', num('current'))
    .option('--coupling <k>', 'emittance ratio εy/εx', num('coupling'))
    .option('--rf-voltage <MV>', 'total RF voltage', num('rf-voltage'))
    .option('--rf-only', 'Touschek with the RF acceptance alone')
    .option('--ma-turns <n>', 'local momentum acceptance by tracking this many turns (slow: minutes)', num('ma-turns'))
    .option('--ma-file <file>', 'local momentum acceptance from `nanoterasu ma --json` (built-in ring)')
    .option('--ma-every <n>', 'with --ma-turns: every n-th element of the ring (default 10)', num('ma-every'))
    .option('--json', 'print JSON')
    .action(async (o: { scenario?: string; current?: number; coupling?: number; rfVoltage?: number; rfOnly?: boolean; maTurns?: number; maEvery?: number; maFile?: string; json?: boolean }) => {
      const { config, doc } = loadTopupConfig(o.scenario);
      const lt = { ...config.lifetime };
      if (o.coupling !== undefined) { if (!(o.coupling > 0)) throw new UserError('--coupling: must be > 0'); lt.coupling = o.coupling; }
      if (o.rfVoltage !== undefined) lt.rfVoltageMV = o.rfVoltage;
      if (o.rfOnly) lt.momentumAcceptance = 'rf';
      if (o.maTurns !== undefined) {
        if (!(Number.isInteger(o.maTurns) && o.maTurns >= 1)) throw new UserError('--ma-turns: must be a whole number ≥ 1');
        if (o.maEvery !== undefined && !(Number.isInteger(o.maEvery) && o.maEvery >= 1)) throw new UserError('--ma-every: must be a whole number ≥ 1');
        lt.tracking = { turns: o.maTurns, every: o.maEvery ?? lt.tracking?.every ?? 10 };
      }
      const { beam, notes } = await cliBeam(lt, { maFile: o.maFile, doc });
      const ring = applyLifetimeConfig(beam, lt);
      const fill = fillOf(config);
      const target = o.current ?? config.targetCurrentMA;
      if (!(target > 0)) throw new UserError('--current: must be > 0 mA');
      let at;
      try {
        at = ringLifetime(ring, target * 1e-3, fill);
      } catch (err) {
        // Name the option the user typed when the bad value came from one.
        const m = (err as Error).message.replace(/^voltageV:/, o.rfVoltage !== undefined ? '--rf-voltage:' : 'topup.lifetime.rfVoltageMV:');
        throw new UserError(m);
      }
      const currents = [...new Set([target, 400, 160])];
      const table = currents.map((mA) => ({ currentMA: mA, ...lifetimeHours(ringLifetime(ring, mA * 1e-3, fill)) }));
      const couplings = [0.005, 0.01, 0.02, 0.05].map((k) => ({ coupling: k, ...lifetimeHours(ringLifetime({ ...ring, coupling: k }, target * 1e-3, fill)) }));
      const voltages = [2.5, 3.0, 3.39, 3.6].map((mv) => {
        const l = ringLifetime({ ...ring, rf: { ...ring.rf, voltageV: mv * 1e6 } }, target * 1e-3, fill);
        return { rfVoltageMV: mv, rfAcceptance: l.rf.rfAcceptance, bunchLengthMM: l.bunchLengthM * 1e3, ...lifetimeHours(l) };
      });
      const rfOnly = lifetimeHours(ringLifetime({ ...ring, rfAcceptanceOnly: true }, target * 1e-3, fill));
      const fills = [592, 474, 296, 148].map((nb) => ({ filledBuckets: nb, ...lifetimeHours(ringLifetime(ring, target * 1e-3, { filledBuckets: nb })) }));
      let ibs: { growthEmittanceX: number; growthEnergySpread: number; emittanceXNm: number; energySpread: number; bunchLengthMM: number; touschekH: number | null; totalH: number | null } | string;
      try {
        const l = ringLifetime({ ...ring, ibs: true }, target * 1e-3, fill);
        ibs = {
          growthEmittanceX: l.ibs!.growth.emittanceX, growthEnergySpread: l.ibs!.growth.energySpread,
          emittanceXNm: l.emittanceXM * 1e9, energySpread: l.ibs!.energySpread, bunchLengthMM: l.bunchLengthM * 1e3,
          touschekH: lifetimeHours(l).touschek, totalH: lifetimeHours(l).total,
        };
      } catch (err) {
        ibs = (err as Error).message;
      }
      if (o.json) {
        process.stdout.write(JSON.stringify({
          currentMA: target,
          lifetimeH: lifetimeHours(at),
          rfAcceptanceOnlyTouschekH: rfOnly.touschek,
          rfAcceptance: at.rf.rfAcceptance,
          bunchLengthMM: at.bunchLengthM * 1e3,
          bunches: at.bunches,
          pressurePa: at.pressurePa,
          byCurrent: table,
          byCoupling: couplings,
          byRfVoltage: voltages,
          byFill: fills,
          ibs,
          source: ring.source,
          notes,
        }, null, 2) + '\n');
        return;
      }
      const f = (x: number | null, d = 2) => (x === null ? '∞' : x.toFixed(d));
      const out = ['Beam lifetime, built-in ring', '', formatLifetime(at, ring), '',
        `  Touschek with the RF acceptance alone: ${f(rfOnly.touschek)} h`, '',
        '  current [mA]  Touschek [h]  gas [h]  total [h]',
        ...table.map((r) => `  ${r.currentMA.toFixed(1).padStart(12)}  ${f(r.touschek).padStart(12)}  ${f(r.gas, 1).padStart(7)}  ${f(r.total).padStart(9)}`),
        '', `  coupling      Touschek [h]  total [h]   (at ${target} mA)`,
        ...couplings.map((r) => `  ${(r.coupling * 100).toFixed(1).padStart(6)} %    ${f(r.touschek).padStart(12)}  ${f(r.total).padStart(9)}`),
        '', `  V_RF [MV]  RF acc. [%]  σz [mm]  Touschek [h]  total [h]   (at ${target} mA)`,
        ...voltages.map((r) => `  ${r.rfVoltageMV.toFixed(2).padStart(9)}  ${(r.rfAcceptance * 100).toFixed(2).padStart(11)}  ${r.bunchLengthMM.toFixed(2).padStart(7)}  ${f(r.touschek).padStart(12)}  ${f(r.total).padStart(9)}`),
        '', `  filled buckets  Touschek [h]  total [h]   (uniform trains at ${target} mA)`,
        ...fills.map((r) => `  ${String(r.filledBuckets).padStart(14)}  ${f(r.touschek).padStart(12)}  ${f(r.total).padStart(9)}`),
        '', typeof ibs === 'string'
          ? `  IBS: ${ibs}`
          : `  IBS (Bane 2002) at ${target} mA: εx ×${ibs.growthEmittanceX.toFixed(4)} (${ibs.emittanceXNm.toFixed(3)} nm), σδ ×${ibs.growthEnergySpread.toFixed(4)}, σz ${ibs.bunchLengthMM.toFixed(3)} mm; Touschek ${f(ibs.touschekH)} h, total ${f(ibs.totalH)} h with IBS${ring.ibs ? ' (used above)' : ' (not used above; set topup.lifetime.ibs)'}`,
        '', 'Source and limits:', `  ${ring.source}`, ...notes.map((n) => `  - ${n}`),
        '  - not included: bunch lengthening with current (potential well, microwave instability), harmonic cavity, beam-loss-induced desorption transients',
      ];
      process.stdout.write(out.join('\n') + '\n');
    });
}
