/**
 * Parallel tracking over worker threads (piscina). The bunch lives in a SharedArrayBuffer; it is
 * cut into chunks of consecutive particles, each chunk is one task that tracks all turns in place.
 * Each particle's random numbers are keyed by (seed, particle index, turn, element, slice), so the
 * final coordinates are bit-identical whatever the number of workers, the chunking, or whether the
 * progress bar is on.
 *
 * Robustness: a worker thread that dies (crash, out of memory) is replaced by piscina; its chunk
 * is restored from a snapshot taken before the task and run again (up to `maxRetries` times).
 * Ctrl-C (SIGINT) sets a shared stop flag: every chunk stops at its next turn boundary and the run
 * resolves with what was finished (`interrupted: true`, turns completed per particle).
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Program } from '../tracking/layout.ts';
import type { ChunkResult, ChunkTask } from './task.ts';
import { ProgressBar, type ProgressSink } from './progress.ts';

export interface ParallelTrackOptions {
  turns: number;
  /** Worker threads (default: the number of CPUs, at most the number of particles). */
  workers?: number;
  /** Seed of the random numbers (radiation quantum excitation). */
  seed?: number;
  /** Ring-wide index of the element where turns start and end (default 0). */
  startElement?: number;
  /**
   * Global index of the first particle (default 0): particle p draws from stream particleOffset + p,
   * so a shard of a bunch (sim/cluster) gets the same random numbers as in the whole bunch.
   */
  particleOffset?: number;
  /** Per-particle start element (overrides startElement); consecutive equal values share tasks. */
  startElements?: Int32Array;
  /** Progress bar on stderr (true), a custom sink, or none (default). */
  progress?: boolean | ProgressSink;
  /** Particles per task (default: an even split into 4 tasks per worker, for load balance). */
  chunkSize?: number;
  /** Handle SIGINT by stopping cleanly (default true). */
  handleSigint?: boolean;
  /** Stop when this signal aborts (same clean stop as Ctrl-C). */
  signal?: AbortSignal;
  maxRetries?: number;
  /** Test hook: the task of this chunk kills its worker after `afterTurn` turns on its first attempt. */
  crashTest?: { chunk: number; afterTurn: number };
}

export interface ParallelTrackResult {
  /** Final coordinates, N × 6 in input order (NaN for lost particles). */
  coords: Float64Array;
  /** Turn of loss per particle (−1 = survived). */
  lossTurn: Int32Array;
  /** Ring-wide element index of loss per particle (−1 = survived). */
  lossElement: Int32Array;
  /** Turns completed per particle (= turns unless interrupted). */
  turnsDone: Int32Array;
  turns: number;
  seed: number;
  workers: number;
  chunks: number;
  interrupted: boolean;
  /** Tasks that were rerun after their worker died. */
  retries: number;
  /** Wall time [s] and the sum of the workers' tracking times [s]. */
  wallS: number;
  workerS: number;
}

const WORKER_URL = new URL('./worker.mjs', import.meta.url).href;

/**
 * A reusable pool of tracking workers (the workers' start-up — loading tsx and the kernels, a few
 * hundred ms each — is paid once; studies that track many times keep one pool open).
 */
export class TrackingPool {
  private readonly pool: Piscina;
  constructor(readonly workers: number = availableParallelism()) {
    this.pool = new Piscina({ filename: WORKER_URL, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
  }
  track(prog: Program, coords: Float64Array, opts: Omit<ParallelTrackOptions, 'workers'>): Promise<ParallelTrackResult> {
    return runOnPool(this.pool, this.workers, prog, coords, opts);
  }
  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/** Tracks a bunch (coords: N × 6) on a fresh pool of worker threads, closed afterwards. */
export async function trackParallel(prog: Program, coords: Float64Array, opts: ParallelTrackOptions): Promise<ParallelTrackResult> {
  const n = Math.max(1, coords.length / 6);
  const pool = new TrackingPool(Math.max(1, Math.min(opts.workers ?? availableParallelism(), n)));
  try {
    return await pool.track(prog, coords, opts);
  } finally {
    await pool.close();
  }
}

async function runOnPool(
  pool: Piscina, workers: number, prog: Program, coords: Float64Array, opts: Omit<ParallelTrackOptions, 'workers'>,
): Promise<ParallelTrackResult> {
  const n = coords.length / 6;
  if (!Number.isInteger(n)) throw new RangeError('coordinates must be N × 6');
  const turns = opts.turns;
  if (!(Number.isInteger(turns) && turns >= 0)) throw new RangeError(`turns must be a whole number ≥ 0 (got ${turns})`);
  const seed = opts.seed ?? 0;
  const chunkSize = opts.chunkSize ?? Math.max(1, Math.ceil(n / (workers * 4)));
  const chunks: Array<{ start: number; count: number; startElement: number }> = [];
  const startOf = (p: number) => opts.startElements?.[p] ?? opts.startElement ?? 0;
  for (let s = 0; s < n;) {
    let e = s + 1;
    while (e < n && e - s < chunkSize && startOf(e) === startOf(s)) e++;
    chunks.push({ start: s, count: e - s, startElement: startOf(s) });
    s = e;
  }

  const coordsBuf = new SharedArrayBuffer(Math.max(8, coords.length * 8));
  const shared = new Float64Array(coordsBuf, 0, coords.length);
  shared.set(coords);
  const lossBuf = new SharedArrayBuffer(Math.max(4, 2 * n * 4));
  const loss = new Int32Array(lossBuf);
  loss.fill(-1);
  const controlBuf = new SharedArrayBuffer(4 * (1 + chunks.length));
  const control = new Int32Array(controlBuf);

  const sink: ProgressSink | undefined =
    opts.progress === true ? new ProgressBar(n * turns) : opts.progress ? opts.progress : undefined;
  const done = () => chunks.reduce((s, c, i) => s + Atomics.load(control, 1 + i) * c.count, 0);
  const timer = sink ? setInterval(() => sink.update(done()), 250) : undefined;

  let interrupted = false;
  const stop = () => {
    interrupted = true;
    Atomics.store(control, 0, 1);
  };
  const abortNow = () => process.exit(130);
  const onSigint = () => {
    process.stderr.write('\nnanoterasu: stopping at the next turn (Ctrl-C again to abort)\n');
    stop();
    process.once('SIGINT', abortNow);
  };
  if (opts.handleSigint ?? true) process.once('SIGINT', onSigint);
  opts.signal?.addEventListener('abort', stop, { once: true });

  const t0 = performance.now();
  let retries = 0;
  const maxRetries = opts.maxRetries ?? 3;
  const turnsDone = new Int32Array(n);
  let workerS = 0;
  try {
    await Promise.all(chunks.map(async (c, ci) => {
      const snapshot = shared.slice(6 * c.start, 6 * (c.start + c.count));
      for (let attempt = 0; ; attempt++) {
        const task: ChunkTask = {
          program: prog, coords: coordsBuf, loss: lossBuf, control: controlBuf, nTotal: n,
          chunk: ci, start: c.start, count: c.count, turns, seed, attempt, startElement: c.startElement,
          ...(opts.particleOffset ? { particleOffset: opts.particleOffset } : {}),
          ...(opts.crashTest?.chunk === ci ? { crashAfterTurn: opts.crashTest.afterTurn } : {}),
        };
        try {
          const res = (await pool.run(task)) as ChunkResult;
          turnsDone.fill(res.turnsDone, c.start, c.start + c.count);
          workerS += res.elapsedS;
          return;
        } catch (err) {
          if (attempt >= maxRetries) throw err;
          retries++;
          // restore the chunk as it was before the failed attempt, then run it again
          shared.set(snapshot, 6 * c.start);
          loss.fill(-1, c.start, c.start + c.count);
          loss.fill(-1, n + c.start, n + c.start + c.count);
          Atomics.store(control, 1 + ci, 0);
        }
      }
    }));
  } finally {
    if (timer) clearInterval(timer);
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGINT', abortNow);
    opts.signal?.removeEventListener('abort', stop);
  }
  const wallS = (performance.now() - t0) / 1000;
  sink?.finish(done(), interrupted ? 'interrupted' : undefined);
  return {
    coords: Float64Array.from(shared),
    lossTurn: loss.slice(0, n),
    lossElement: loss.slice(n, 2 * n),
    turnsDone,
    turns,
    seed,
    workers,
    chunks: chunks.length,
    interrupted,
    retries,
    wallS,
    workerS,
  };
}
