/**
 * Monte Carlo of facility years, in worker threads (piscina) or in this thread.
 *
 * Facility-year k (k = run·years + year) always draws from the random stream keyed (seed, k), so
 * the split of years over workers changes nothing; every accumulated number is a whole number
 * (minutes, counts), so the order in which chunks are added changes nothing either: the result is
 * bit-identical for any worker count.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildPlan, layoutOf, NS, type Layout, type Plan } from './model.ts';
import type { CapacityScenario } from './scenario.ts';
import { makeWorkspace, simulateYear, type Workspace } from './year.ts';

export interface ChunkTask {
  scenario: CapacityScenario;
  seed: number;
  first: number; // first facility-year index
  count: number;
}

export interface ChunkResult {
  first: number;
  acc: Float64Array;
  /** Per facility-year: hours used summed over all stations. */
  usedHours: Float64Array;
}

let cached: { key: string; plan: Plan; w: Workspace } | undefined;

/** Simulate facility-years [first, first+count) of a scenario (runs in a worker or in this thread). */
export function runChunk(task: ChunkTask): ChunkResult {
  const key = JSON.stringify(task.scenario);
  if (!cached || cached.key !== key) {
    const plan = buildPlan(task.scenario);
    cached = { key, plan, w: makeWorkspace(plan) };
  }
  const { w } = cached;
  const lay = w.layout;
  const acc = new Float64Array(lay.size);
  const usedHours = new Float64Array(task.count);
  const nS = lay.nStations;
  for (let i = 0; i < task.count; i++) {
    let before = 0;
    for (let st = 0; st < nS; st++) before += acc[lay.station + st * NS + 1];
    simulateYear(w, task.seed, task.first + i, acc);
    let after = 0;
    for (let st = 0; st < nS; st++) after += acc[lay.station + st * NS + 1];
    usedHours[i] = (after - before) / 60;
  }
  return { first: task.first, acc, usedHours };
}

export interface MonteCarloOptions {
  years: number;
  runs: number;
  seed: number;
  /** 1 = in this thread; ≥ 2 = that many worker threads. */
  workers: number;
  /**
   * Only facility-years [first, first + count) (one shard of a cluster run, sim/cluster): `acc`
   * then sums these years and `usedHoursPerYear` holds them from index 0. Default: all.
   */
  range?: { first: number; count: number };
}

export interface MonteCarloResult {
  plan: Plan;
  layout: Layout;
  options: MonteCarloOptions;
  facilityYears: number;
  acc: Float64Array;
  usedHoursPerYear: Float64Array;
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

const WORKER_FILE = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** Run the Monte Carlo; the same options give bit-identical results for any `workers`. */
export async function runMonteCarlo(scenario: CapacityScenario, options: MonteCarloOptions): Promise<MonteCarloResult> {
  const plan = buildPlan(scenario);
  const layout = layoutOf(plan);
  const begin = options.range?.first ?? 0;
  const total = options.range?.count ?? options.years * options.runs;
  const acc = new Float64Array(layout.size);
  const usedHoursPerYear = new Float64Array(total);
  const merge = (r: ChunkResult) => {
    for (let i = 0; i < acc.length; i++) acc[i] += r.acc[i];
    usedHoursPerYear.set(r.usedHours, r.first - begin);
  };
  if (options.workers <= 1 || total < 2) {
    merge(runChunk({ scenario, seed: options.seed, first: begin, count: total }));
  } else {
    const { Piscina } = await import('piscina');
    const pool = new Piscina({ filename: WORKER_FILE, minThreads: options.workers, maxThreads: options.workers, idleTimeout: 100 });
    try {
      // a few chunks per worker so that a slow thread does not hold the others back
      const chunks = Math.min(total, options.workers * 4);
      const size = Math.ceil(total / chunks);
      const tasks: Promise<ChunkResult>[] = [];
      for (let first = begin; first < begin + total; first += size) {
        tasks.push(pool.run({ scenario, seed: options.seed, first, count: Math.min(size, begin + total - first) } satisfies ChunkTask));
      }
      for (const r of await Promise.all(tasks)) merge(r);
    } finally {
      await pool.destroy();
    }
  }
  return { plan, layout, options, facilityYears: total, acc, usedHoursPerYear };
}
