/**
 * The work of one chunk of particles, as run inside a worker thread (Node worker_threads through
 * piscina, or a browser Web Worker): views onto the shared buffers, then trackTurns. No Node APIs.
 *
 * Shared memory layout (all SharedArrayBuffers owned by the main thread):
 * - coords: Float64Array, N × 6, the whole bunch (a chunk works on its slice, in place);
 * - loss: Int32Array, 2N — [0, N) loss turn, [N, 2N) ring-wide loss element index (−1 = alive);
 * - control: Int32Array — [0] stop flag (≠ 0: stop at the next turn boundary),
 *   [1 + c] turns completed by chunk c (progress; written with Atomics.store).
 */
import type { Program } from '../tracking/layout.ts';
import { trackTurns } from '../tracking/track.ts';

export interface ChunkTask {
  program: Program;
  coords: SharedArrayBuffer;
  loss: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /** Total number of particles in the bunch. */
  nTotal: number;
  chunk: number;
  start: number;
  count: number;
  turns: number;
  seed: number;
  /** Ring-wide index of the element where turns start and end (default 0). */
  startElement?: number;
  /** Global index of particle 0 of the bunch (random streams; a shard of a cluster run). Default 0. */
  particleOffset?: number;
  /** Test hook (handled by the Node worker): exit the thread after this many turns on attempt 0. */
  crashAfterTurn?: number;
  attempt?: number;
}

export interface ChunkResult {
  chunk: number;
  turnsDone: number;
  /** Thread CPU time spent tracking [s] (performance.now difference inside the worker). */
  elapsedS: number;
}

export function runChunk(task: ChunkTask, onTurn?: (turnsDone: number) => void): ChunkResult {
  const { start, count, nTotal, chunk } = task;
  const r = new Float64Array(task.coords, start * 6 * 8, count * 6);
  const lossAll = new Int32Array(task.loss);
  const loss = { turn: lossAll.subarray(start, start + count), element: lossAll.subarray(nTotal + start, nTotal + start + count) };
  const control = new Int32Array(task.control);
  const t0 = performance.now();
  const turnsDone = trackTurns(task.program, r, count, task.turns, loss, { seed: task.seed, particleBase: (task.particleOffset ?? 0) + start, startElement: task.startElement ?? 0 }, {
    stop: control,
    onTurn: (t) => {
      Atomics.store(control, 1 + chunk, t);
      onTurn?.(t);
    },
  });
  return { chunk, turnsDone, elapsedS: (performance.now() - t0) / 1000 };
}
