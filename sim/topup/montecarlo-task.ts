/**
 * The unit of work of the top-up Monte Carlo: simulate days [dayStart, dayEnd) — each day its own
 * random stream keyed by (seed, day index), starting at the target current — and return one row of
 * numbers per day. Runs identically in the main thread and in a worker.
 */
import { simulateTopup, type TopupParams } from './simulate.ts';

export interface DaysTask {
  /** Simulation parameters of one day (durationS = one day); must be structured-cloneable (no functions). */
  params: TopupParams;
  dayStart: number;
  dayEnd: number;
}

/** Columns of the per-day rows, in order. */
export const DAY_COLUMNS = [
  'availability', 'meanMA', 'minMA', 'maxMA', 'rmsDeviationMA', 'shots', 'faults', 'injectedC', 'lostC', 'decayedC', 'downtimeH', 'balanceErrorC',
] as const;

/** Rows of DAY_COLUMNS.length numbers per day, concatenated. */
export function runDays(task: DaysTask): Float64Array {
  const w = DAY_COLUMNS.length;
  const out = new Float64Array((task.dayEnd - task.dayStart) * w);
  for (let d = task.dayStart; d < task.dayEnd; d++) {
    const s = simulateTopup({ ...task.params, streamIndex: d, record: false }).summary;
    const o = (d - task.dayStart) * w;
    out[o] = s.availability;
    out[o + 1] = s.currentMA.mean;
    out[o + 2] = s.currentMA.min;
    out[o + 3] = s.currentMA.max;
    out[o + 4] = s.currentMA.rmsDeviation;
    out[o + 5] = s.shots;
    out[o + 6] = s.faults;
    out[o + 7] = s.injectedChargeC;
    out[o + 8] = s.lostChargeC;
    out[o + 9] = s.decayedChargeC;
    out[o + 10] = s.downtimeH;
    out[o + 11] = s.balanceErrorC;
  }
  return out;
}
