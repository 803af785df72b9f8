/**
 * Machine faults that dump the beam: a Poisson process in time (exponential intervals with the
 * mean time between faults), each followed by a recovery time (a fixed minimum — interlock reset,
 * access-free restart — plus an exponential tail), then a refill from zero by the injector.
 *
 * Published: availability 99.4 % ([S] nanoterasu.md §5.1). Not published: MTBF and recovery time;
 * the defaults in scenarios/topup.yaml are assumptions chosen so that the simulated availability is of
 * that order.
 */
import type { Stream } from './rng.ts';

export interface FaultParams {
  enabled: boolean;
  /** Mean time between beam-dumping faults [s]. */
  mtbfS: number;
  /** Minimum time to recover from a fault before injection can restart [s]. */
  recoveryMinS: number;
  /** Mean of the exponential part of the recovery time [s]. */
  recoveryMeanExtraS: number;
}

/** Time from now to the next fault [s] (Infinity when faults are disabled). */
export function nextFaultInS(p: FaultParams, rng: Stream): number {
  return p.enabled ? rng.exponential(p.mtbfS) : Infinity;
}

/** Duration of one recovery [s]. */
export function recoveryTimeS(p: FaultParams, rng: Stream): number {
  return p.recoveryMinS + (p.recoveryMeanExtraS > 0 ? rng.exponential(p.recoveryMeanExtraS) : 0);
}
