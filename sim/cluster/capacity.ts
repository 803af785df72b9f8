/**
 * Shards of a capacity Monte Carlo (sim/capacity/montecarlo.ts): the items are the facility-years
 * k = run·years + year, each on the random stream (seed, k). The accumulator holds whole numbers
 * (minutes, counts), so adding the shards' accumulators is exact, and `summarise` of the merged
 * accumulator is the single-machine report.
 */
import { summarise, type CapacityReport } from '../capacity/metrics.ts';
import { buildPlan, layoutOf } from '../capacity/model.ts';
import type { MonteCarloResult } from '../capacity/montecarlo.ts';
import type { CapacityScenario } from '../capacity/scenario.ts';
import type { ShardFile } from './shard.ts';

export interface CapacityInputs {
  scenario: CapacityScenario;
  whatIf: { spec: string; scenario: CapacityScenario }[];
  years: number; runs: number; seed: number;
}

export interface CapacityPayload {
  /** Baseline first, then each what-if variant: the shard's accumulator and used hours per year. */
  results: { acc: number[]; usedHours: number[] }[];
  workers: number;
}

export function capacityShardInputs(
  _scenarioPath: string, scenario: CapacityScenario, whatIf: { spec: string; scenario: CapacityScenario }[],
  mc: { years: number; runs: number; seed: number },
): CapacityInputs {
  return { scenario, whatIf, ...mc };
}

export function capacityShardPayload(results: MonteCarloResult[], workers: number): CapacityPayload {
  return { results: results.map((r) => ({ acc: Array.from(r.acc), usedHours: Array.from(r.usedHoursPerYear) })), workers };
}

/** Reports of the whole Monte Carlo (baseline and what-ifs), as `nanoterasu capacity` computes them. */
export function mergeCapacity(shards: ShardFile<CapacityPayload>[]): { report: CapacityReport; whatIf: { spec: string; report: CapacityReport }[] } {
  const inp = shards[0].inputs as CapacityInputs;
  const total = inp.years * inp.runs;
  const workers = shards[0].payload.workers;
  const one = (scenario: CapacityScenario, v: number): CapacityReport => {
    const plan = buildPlan(scenario);
    const layout = layoutOf(plan);
    const acc = new Float64Array(layout.size);
    const usedHoursPerYear = new Float64Array(total);
    for (const s of shards) {
      const r = s.payload.results[v];
      if (r.acc.length !== acc.length) throw new Error(`${s.shard.index}: accumulator of ${r.acc.length} values, expected ${acc.length}`);
      for (let i = 0; i < acc.length; i++) acc[i] += r.acc[i];
      usedHoursPerYear.set(r.usedHours, s.range.first);
    }
    return summarise({ plan, layout, options: { years: inp.years, runs: inp.runs, seed: inp.seed, workers }, facilityYears: total, acc, usedHoursPerYear });
  };
  return { report: one(inp.scenario, 0), whatIf: inp.whatIf.map((w, i) => ({ spec: w.spec, report: one(w.scenario, i + 1) })) };
}
