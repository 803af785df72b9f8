/**
 * `nanoterasu topup [--hours H] [--seed S] [--current MA] [--json] [--csv FILE] [--plot FILE]
 *                   [--scenario FILE] [--no-faults] [--days N --workers W]`:
 * the stored current over time with top-up injection, faults and refills (sim/topup/simulate.ts);
 * with --days, a Monte Carlo of N independent simulated days over worker threads.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { readAcceptanceFile, resolveBeam, type BeamSource, type LocalAcceptance } from '../lifetime/adapters.ts';
import { validate } from '../scenario/schema.ts';
import { loadYaml, ScenarioError, type YamlDoc } from '../scenario/yaml.ts';
import { topupConfigSchema, type LifetimeConfig, type TopupConfig } from '../topup/config.ts';
import { resolveTrackedEfficiencyPooled } from '../topup/injection-tracking.ts';
import { formatMonteCarlo, runMonteCarlo } from '../topup/montecarlo.ts';
import { formatLifetime, formatTopup, runTopupStudy, timelineCsv, timelinePlot, topupJson } from '../topup/run.ts';
import { UserError } from './main.ts';

export const DEFAULT_TOPUP_SCENARIO = fileURLToPath(new URL('../../scenarios/topup.yaml', import.meta.url));

/** Reads and validates the `topup` section of a scenario (errors name the YAML line). */
export function loadTopupConfig(file?: string): { config: TopupConfig; doc?: YamlDoc } {
  const path = file ?? (existsSync(DEFAULT_TOPUP_SCENARIO) ? DEFAULT_TOPUP_SCENARIO : undefined);
  if (!path) return { config: topupConfigSchema.parse({}) };
  const doc = loadYaml(path);
  const data = doc.data as Record<string, unknown> | null;
  if (!data || typeof data !== 'object' || !('topup' in data)) throw new ScenarioError('has no `topup` section', path);
  return { config: validate(doc, topupConfigSchema, data.topup ?? {}, ['topup']), doc };
}

/**
 * The beam for the CLI commands: the built-in ring, with a local momentum acceptance from
 * `--ma-file` (relative to the working folder), else from `lifetime.momentumAcceptanceFile`
 * (relative to the scenario file), else by tracking (`lifetime.tracking`), else flat (RF).
 */
export async function cliBeam(lt: LifetimeConfig, opts: { maFile?: string; doc?: YamlDoc }): Promise<BeamSource> {
  let acceptance: LocalAcceptance | undefined;
  if (opts.maFile) {
    try { acceptance = readAcceptanceFile(opts.maFile); } catch (err) { throw new UserError(`--ma-file: ${(err as Error).message}`); }
  } else if (lt.momentumAcceptanceFile) {
    const path = opts.doc ? resolve(dirname(opts.doc.file), lt.momentumAcceptanceFile) : lt.momentumAcceptanceFile;
    try { acceptance = readAcceptanceFile(path); } catch (err) {
      if (opts.doc) throw opts.doc.error(['topup', 'lifetime', 'momentumAcceptanceFile'], (err as Error).message);
      throw new UserError((err as Error).message);
    }
  }
  return resolveBeam({
    ...(acceptance ? { acceptance } : { tracking: lt.tracking }),
    ...(lt.rfVoltageMV !== undefined ? { rfVoltageV: lt.rfVoltageMV * 1e6 } : {}),
  });
}

function num(name: string, integer = false) {
  return (v: string) => {
    const x = Number(v);
    if (!Number.isFinite(x) || (integer && !Number.isSafeInteger(x))) throw new UserError(`--${name}: not a${integer ? ' whole' : ''} number (${v})`);
    return x;
  };
}

export function register(program: Command): void {
  program
    .command('topup')
    .description('top-up operation: stored current over time, injection shots, losses, faults, availability')
    .option('--scenario <file>', 'scenario with a `topup` section (default scenarios/topup.yaml)')
    .option('--hours <h>', 'simulated hours', num('hours'))
    .option('--seed <n>', 'random seed', num('seed', true))
    .option('--current <mA>', 'target current', num('current'))
    .option('--no-faults', 'no machine faults')
    .option('--csv <file>', 'write the timeline as CSV (one row per sample)')
    .option('--plot <file>', 'write the timeline as plot-ready JSON')
    .option('--ma-file <file>', 'local momentum acceptance from `nanoterasu ma --json` (built-in ring)')
    .option('--plot-every <n>', 'thin the plot JSON to every n-th sample (min/max kept)', num('plot-every', true))
    .option('--days <n>', 'Monte Carlo: simulate n independent days', num('days', true))
    .option('--workers <n>', 'Monte Carlo worker threads', num('workers', true))
    .option('--efficiency <model>', 'injection efficiency: constant (injector.efficiency) or tracking (an injected bunch tracked into the DA)')
    .option('--json', 'print JSON')
    .action(async (o: { scenario?: string; hours?: number; seed?: number; current?: number; faults: boolean; csv?: string; plot?: string; plotEvery?: number; maFile?: string; days?: number; workers?: number; efficiency?: string; json?: boolean }) => {
      if (o.efficiency !== undefined && o.efficiency !== 'constant' && o.efficiency !== 'tracking') throw new UserError(`--efficiency must be constant or tracking (got '${o.efficiency}')`);
      const { config: loaded, doc } = loadTopupConfig(o.scenario);
      const raw = {
        ...loaded,
        ...(o.hours !== undefined ? { hours: o.hours } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(o.current !== undefined ? { targetCurrentMA: o.current } : {}),
        faults: { ...loaded.faults, ...(o.faults === false ? { enabled: false } : {}) },
        ...(o.efficiency !== undefined ? { injector: { ...loaded.injector, efficiencyModel: o.efficiency } } : {}),
        montecarlo: { ...loaded.montecarlo, ...(o.days !== undefined ? { days: o.days } : {}), ...(o.workers !== undefined ? { workers: o.workers } : {}) },
      };
      // Command-line values pass the same checks as the file's (the messages name the option's field).
      const checked = topupConfigSchema.safeParse(raw);
      if (!checked.success) {
        const i = checked.error.issues[0];
        throw new UserError(`${['topup', ...i.path].join('.')}: ${i.message}`);
      }
      let config = checked.data;
      const { beam, notes } = await cliBeam(config.lifetime, { maFile: o.maFile, doc });
      try {
        const eff = await resolveTrackedEfficiencyPooled(config);
        config = eff.config;
        notes.push(...eff.notes);
      } catch (err) {
        throw new UserError((err as Error).message);
      }
      const cliPath = o.current !== undefined ? undefined : doc;
      if (o.days !== undefined) {
        const mc = await runMonteCarlo(config, beam, { days: config.montecarlo.days, workers: config.montecarlo.workers, doc: cliPath });
        process.stdout.write(o.json ? JSON.stringify({ ...mc, notes }, null, 2) + '\n' : formatMonteCarlo(mc) + '\n');
        return;
      }
      let run;
      try {
        run = runTopupStudy(config, beam, { doc: cliPath, notes });
      } catch (err) {
        if (err instanceof ScenarioError) throw err;
        throw new UserError((err as Error).message);
      }
      const tl = run.result.timeline!;
      if (o.csv) writeFileSync(o.csv, timelineCsv(tl));
      if (o.plot) writeFileSync(o.plot, JSON.stringify(timelinePlot(tl, o.plotEvery ?? 1)) + '\n');
      if (o.json) {
        process.stdout.write(JSON.stringify(topupJson(run), null, 2) + '\n');
        return;
      }
      const out = [
        'Top-up simulation, built-in ring', '', 'Lifetime at the target current:', formatLifetime(run.lifetime, run.ring), '',
        'Top-up:', formatTopup(run),
        ...(o.csv ? [`  timeline CSV: ${o.csv}`] : []), ...(o.plot ? [`  plot JSON: ${o.plot}`] : []),
        '', 'Source and limits:', `  ${run.ring.source}`, ...notes.map((n) => `  - ${n}`),
        '  - injector charge per shot, repetition rate, efficiency, top-up band, MTBF: not published (assumptions in scenarios/topup.yaml)',
      ];
      process.stdout.write(out.join('\n') + '\n');
    });
}
