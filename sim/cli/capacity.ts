/**
 * `nanoterasu capacity`: beamtime capacity planning. A Monte Carlo of facility years (faults,
 * proposal calls, coalition booking rounds) on a capacity scenario, with what-if variants run on
 * the same random streams as the baseline (so differences are the change, not noise).
 *
 *   npx nanoterasu capacity [--scenario FILE] [--years N] [--runs R] [--seed S] [--workers W]
 *                           [--json] [--what-if NAME=VALUE[,NAME=VALUE] ...]
 */
import type { Command } from 'commander';
import { formatReport, formatWhatIf, summarise, type CapacityReport } from '../capacity/metrics.ts';
import { defaultWorkers, runMonteCarlo } from '../capacity/montecarlo.ts';
import { applyWhatIf, loadCapacityScenario, WHAT_IF_HELP } from '../capacity/scenario.ts';
import { capacityShardInputs, capacityShardPayload } from '../cluster/capacity.ts';
import { shardRange, shardRequest, shardWrittenLine, SHARD_HELP, writeShard } from '../cluster/shard.ts';
import { UserError } from './main.ts';

export const DEFAULT_SCENARIO = 'scenarios/capacity-fy2026.yaml';

function intOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`--${name}: expected an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

export interface CapacityCliOptions {
  scenario: string; years?: string; runs?: string; seed?: string; workers?: string; json?: boolean; whatIf?: string[];
  /** `--shard i/N --out DIR`: compute only that shard of the facility-years and write it (sim/cluster) */
  shard?: string; out?: string;
}

/** The command's work, callable from tests: returns the text it would print. */
export async function capacityCommand(o: CapacityCliOptions): Promise<string> {
  const base = loadCapacityScenario(o.scenario);
  const years = intOption('years', o.years, 1, 1000) ?? base.monteCarlo.years;
  const runs = intOption('runs', o.runs, 1, 1_000_000) ?? base.monteCarlo.runs;
  const seed = intOption('seed', o.seed, 0, Number.MAX_SAFE_INTEGER) ?? base.monteCarlo.seed;
  const workers = intOption('workers', o.workers, 1, 64) ?? defaultWorkers();
  const variants = (o.whatIf ?? []).map((spec) => ({ spec, scenario: applyWhatIf(base, spec) }));
  const mc = { years, runs, seed, workers };
  const shard = shardRequest(o);
  if (shard) {
    const range = shardRange(years * runs, shard.spec);
    const results = [await runMonteCarlo(base, { ...mc, range })];
    for (const v of variants) results.push(await runMonteCarlo(v.scenario, { ...mc, range }));
    const inputs = capacityShardInputs(o.scenario, base, variants, { years, runs, seed });
    const file = writeShard('capacity', shard, range, inputs, capacityShardPayload(results, workers), { scenarioPath: o.scenario });
    return shardWrittenLine(shard, range, 'facility-years', file);
  }
  const report = summarise(await runMonteCarlo(base, mc));
  const whatIf: { spec: string; report: CapacityReport }[] = [];
  for (const v of variants) whatIf.push({ spec: v.spec, report: summarise(await runMonteCarlo(v.scenario, mc)) });
  return renderCapacity(o.scenario, report, whatIf, Boolean(o.json));
}

/** The command's output for a report (also printed by `nanoterasu merge` for merged shards). */
export function renderCapacity(scenarioPath: string, report: CapacityReport, whatIf: { spec: string; report: CapacityReport }[], json: boolean): string {
  const o = { scenario: scenarioPath, json };
  if (o.json) {
    return JSON.stringify({ scenario: o.scenario, ...report, whatIf }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  }
  const out = [formatReport(report)];
  if (whatIf.length) {
    out.push('', 'What-if (same seed and random streams as the baseline; facility totals per year):');
    out.push(formatWhatIf([{ name: 'baseline', report }, ...whatIf.map((w) => ({ name: w.spec, report: w.report }))]));
  }
  return out.join('\n');
}

export function register(program: Command): void {
  program
    .command('capacity')
    .description('beamtime capacity planning: Monte Carlo of facility years, demand against supply under the access rules')
    .option('--scenario <file>', 'capacity scenario (YAML with a capacity: section)', DEFAULT_SCENARIO)
    .option('--years <n>', 'facility years per run (default: the scenario\'s monteCarlo.years)')
    .option('--runs <r>', 'runs (default: the scenario\'s monteCarlo.runs)')
    .option('--seed <s>', 'random seed (default: the scenario\'s monteCarlo.seed)')
    .option('--workers <w>', 'worker threads (results are identical for any number)')
    .option('--json', 'print the results as JSON')
    .option('--shard <i/N>', SHARD_HELP.shard)
    .option('--out <dir>', SHARD_HELP.out)
    .option('--what-if <spec...>', `variants to compare, each NAME=VALUE[,NAME=VALUE]; NAME is one of: ${Object.entries(WHAT_IF_HELP).map(([k, v]) => `${k} (${v})`).join('; ')}`)
    .action(async (opts: Omit<CapacityCliOptions, 'scenario'> & { scenario: string }) => {
      process.stdout.write(`${await capacityCommand(opts)}\n`);
    });
}
