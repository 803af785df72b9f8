/**
 * Monte Carlo of top-up operation: N independent simulated days, in parallel over worker threads
 * (piscina; the worker is montecarlo-worker.mjs). Day d uses the random stream keyed by (seed, d) and
 * starts at the target current, so the per-day results — and every statistic over them, aggregated
 * in day order — are identical for any number of workers.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { RingBeam } from '../lifetime/ring.ts';
import type { YamlDoc } from '../scenario/yaml.ts';
import { applyLifetimeConfig, checkReachable, fillOf, lossRateModel, topupParamsOf, type TopupConfig } from './config.ts';
import { DAY_COLUMNS, runDays, type DaysTask } from './montecarlo-task.ts';

export interface MonteCarloOptions {
  days: number;
  workers: number;
  doc?: YamlDoc;
  /** Days per task (default: about four tasks per worker). Does not change the results. */
  chunkDays?: number;
}

export interface Quantiles { mean: number; p5: number; p50: number; p95: number; min: number; max: number }

export interface MonteCarloResult {
  days: number;
  workers: number;
  seed: number;
  targetCurrentMA: number;
  availability: Quantiles;
  rmsDeviationMA: Quantiles;
  minCurrentMA: Quantiles;
  shotsPerDay: Quantiles;
  faultsPerDay: Quantiles;
  daysWithFault: number;
  downtimeHPerDay: Quantiles;
  injectedChargePerDayC: Quantiles;
  /** Largest |charge balance error| of any day [C]. */
  maxBalanceErrorC: number;
  /** The per-day rows (DAY_COLUMNS order), for plots. */
  perDay: Record<(typeof DAY_COLUMNS)[number], number[]>;
  elapsedS: number;
}

function quantiles(values: number[]): Quantiles {
  const finite = values.filter((v) => !Number.isNaN(v));
  const s = [...finite].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))] : NaN);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN;
  return { mean, p5: q(0.05), p50: q(0.5), p95: q(0.95), min: s.length ? s[0] : NaN, max: s.length ? s[s.length - 1] : NaN };
}

/** Splits days into tasks: [start, end) ranges in day order. */
export function dayChunks(days: number, chunk: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let d = 0; d < days; d += chunk) out.push([d, Math.min(days, d + chunk)]);
  return out;
}

export async function runMonteCarlo(cfg: TopupConfig, base: RingBeam, opts: MonteCarloOptions): Promise<MonteCarloResult> {
  const t0 = performance.now();
  const ring = applyLifetimeConfig(base, cfg.lifetime);
  const lossRate = lossRateModel(ring, fillOf(cfg), cfg.targetCurrentMA * 1e-3);
  checkReachable(cfg, ring, lossRate, opts.doc);
  const params = { ...topupParamsOf({ ...cfg, hours: 24 }, ring, lossRate), record: false };
  const chunk = opts.chunkDays ?? Math.max(1, Math.ceil(opts.days / (opts.workers * 4)));
  const tasks: DaysTask[] = dayChunks(opts.days, chunk).map(([dayStart, dayEnd]) => ({ params, dayStart, dayEnd }));
  let parts: Float64Array[];
  if (opts.workers <= 1) {
    parts = tasks.map(runDays);
  } else {
    const pool = new Piscina({
      filename: fileURLToPath(new URL('./montecarlo-worker.mjs', import.meta.url)),
      minThreads: opts.workers,
      maxThreads: opts.workers,
    });
    try {
      parts = await Promise.all(tasks.map((t) => pool.run(t) as Promise<Float64Array>));
    } finally {
      await pool.destroy();
    }
  }
  const w = DAY_COLUMNS.length;
  const perDay = Object.fromEntries(DAY_COLUMNS.map((c) => [c, [] as number[]])) as MonteCarloResult['perDay'];
  for (const part of parts) {
    for (let r = 0; r < part.length / w; r++) DAY_COLUMNS.forEach((c, j) => perDay[c].push(part[r * w + j]));
  }
  return {
    days: opts.days,
    workers: opts.workers,
    seed: cfg.seed,
    targetCurrentMA: cfg.targetCurrentMA,
    availability: quantiles(perDay.availability),
    rmsDeviationMA: quantiles(perDay.rmsDeviationMA),
    minCurrentMA: quantiles(perDay.minMA),
    shotsPerDay: quantiles(perDay.shots),
    faultsPerDay: quantiles(perDay.faults),
    daysWithFault: perDay.faults.filter((f) => f > 0).length,
    downtimeHPerDay: quantiles(perDay.downtimeH),
    injectedChargePerDayC: quantiles(perDay.injectedC),
    maxBalanceErrorC: perDay.balanceErrorC.reduce((m, x) => Math.max(m, Math.abs(x)), 0),
    perDay,
    elapsedS: (performance.now() - t0) / 1e3,
  };
}

export function formatMonteCarlo(mc: MonteCarloResult): string {
  const q = (x: Quantiles, d = 3, k = 1) => `mean ${(x.mean * k).toFixed(d)}, p5 ${(x.p5 * k).toFixed(d)}, median ${(x.p50 * k).toFixed(d)}, p95 ${(x.p95 * k).toFixed(d)}`;
  return [
    `Top-up Monte Carlo: ${mc.days} days at ${mc.targetCurrentMA} mA, seed ${mc.seed}, ${mc.workers} worker(s), ${mc.elapsedS.toFixed(1)} s`,
    `  availability [%]          ${q(mc.availability, 3, 100)}`,
    `  days with a fault         ${mc.daysWithFault} of ${mc.days}; faults per day ${q(mc.faultsPerDay, 3)}`,
    `  downtime per day [h]      ${q(mc.downtimeHPerDay, 3)}`,
    `  rms deviation in top-up [mA] ${q(mc.rmsDeviationMA, 4)}`,
    `  shots per day             ${q(mc.shotsPerDay, 0)}`,
    `  largest |charge balance error| of a day: ${mc.maxBalanceErrorC.toExponential(2)} C`,
  ].join('\n');
}
