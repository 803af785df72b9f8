/**
 * The parallel runner: results are bit-identical for 1, 2 and 3 workers (with radiation and seeded
 * quantum excitation on, so the per-particle random streams are exercised), a worker that dies is
 * replaced and its chunk rerun from a snapshot, a stop request keeps the finished turns.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRingJson } from '../../../lattice/formats/ringjson.ts';
import { trackParallel, TrackingPool } from '../../../sim/parallel/pool.ts';
import { compileLattice } from '../../../sim/tracking/compile.ts';
import { newLossArrays, trackTurns } from '../../../sim/tracking/track.ts';

const lat = parseRingJson(readFileSync(new URL('../../fixtures/track/ebs_hmba.json', import.meta.url), 'utf8')).lattice;
// A small case: 7 particles, 2 turns of the 6D EBS ring with radiation and quantum excitation;
// particle 6 starts at x = 1.5 cm, x' = 10 mrad: inside the 2 cm chamber after the cavity, outside
// after the 2.65 m drift DR_01.
const prog = compileLattice(lat, { mode: '6d', radiation: true, quantum: true, chamberRadiusM: 0.02 });
const n = 7;
const bunch = new Float64Array(6 * n);
for (let p = 0; p < n; p++) {
  bunch[6 * p] = 1e-4 * (p - 3);
  bunch[6 * p + 2] = 2e-5 * p;
  bunch[6 * p + 4] = 1e-3 * Math.sin(p);
}
bunch[6 * 6] = 0.015;
bunch[6 * 6 + 1] = 0.01;
const turns = 2;

function serial(seed: number, nTurns = turns) {
  const r = Float64Array.from(bunch);
  const loss = newLossArrays(n);
  trackTurns(prog, r, n, nTurns, loss, { seed });
  return { r, loss };
}

const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length));
const pool2 = new TrackingPool(2);
afterAll(() => pool2.close());

describe('parallel tracking', () => {
  const ref = serial(12345);

  it('1, 2 and 3 workers give bit-identical coordinates and losses (= serial tracking)', async () => {
    for (const workers of [1, 2, 3]) {
      const res = await trackParallel(prog, bunch, { turns, workers, seed: 12345, chunkSize: 2, handleSigint: false });
      expect(res.workers).toBe(workers);
      expect(res.seed).toBe(12345);
      expect(bits(res.coords)).toEqual(bits(ref.r));
      expect(Array.from(res.lossTurn)).toEqual(Array.from(ref.loss.turn));
      expect(Array.from(res.lossElement)).toEqual(Array.from(ref.loss.element));
    }
    // the lost particle hit the chamber wall in DR_01 on turn 0
    expect(ref.loss.turn[6]).toBe(0);
    expect(prog.names[ref.loss.element[6]]).toBe('DR_01');
    expect(Number.isNaN(ref.r[36])).toBe(true);
  }, 20_000);

  it('the seed matters (quantum excitation); chunking and the progress bar do not', async () => {
    let updates = 0;
    const a = await pool2.track(prog, bunch, {
      turns, seed: 12345, chunkSize: 1, handleSigint: false,
      progress: { update: () => { updates++; }, finish: () => { updates++; } },
    });
    expect(updates).toBeGreaterThan(0);
    const b = await pool2.track(prog, bunch, { turns, seed: 777, chunkSize: 5, handleSigint: false });
    expect(bits(a.coords)).toEqual(bits(ref.r));
    expect(b.coords[4]).not.toBe(a.coords[4]);
    expect(bits(b.coords)).toEqual(bits(serial(777).r));
  });

  it('a worker that dies is replaced and its chunk rerun; the result is unchanged', async () => {
    const res = await pool2.track(prog, bunch, { turns, seed: 12345, chunkSize: 3, crashTest: { chunk: 1, afterTurn: 1 }, handleSigint: false });
    expect(res.retries).toBe(1);
    expect(bits(res.coords)).toEqual(bits(ref.r));
  });

  it('a stop request ends at a turn boundary and keeps what was finished', async () => {
    const ctl = new AbortController();
    const many = 50;
    const res = await pool2.track(prog, bunch, {
      turns: many, seed: 12345, chunkSize: 7, handleSigint: false, signal: ctl.signal,
      progress: { update: (d) => { if (d > 0) ctl.abort(); }, finish: () => {} },
    });
    expect(res.interrupted).toBe(true);
    const done = res.turnsDone[0];
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(many);
    expect(bits(res.coords)).toEqual(bits(serial(12345, done).r));
  }, 20_000);
});
