/**
 * Tracking benchmark: element-passes per second (one particle through one element = one pass).
 *
 * - kernel, one thread: 1000 particles through the ESRF-EBS ring (32 × 121 elements, 20 slices per
 *   magnet, quad fringes) and the built-in NanoTerasu ring, 6D, no radiation; also with classical
 *   radiation and with quantum excitation. Rate per CPU second (process.cpuUsage, main thread only).
 *   Goal ≥ 2.5e6 passes per CPU second on EBS (pyAT's rate on this machine class).
 * - pool: the same EBS run on 1 and 2 worker threads (pool started and warmed up first, so the
 *   start-up is not timed); goal: speed-up ≥ 1.8 with 2 workers. Only meaningful when 2 CPU cores
 *   are free.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { parseRingJson } from '../lattice/formats/ringjson.ts';
import type { Lattice } from '../lattice/lattice.ts';
import { TrackingPool } from '../sim/parallel/pool.ts';
import { compileLattice, type CompileOptions } from '../sim/tracking/compile.ts';
import type { Program } from '../sim/tracking/layout.ts';
import { newLossArrays, trackTurns } from '../sim/tracking/track.ts';

const here = dirname(fileURLToPath(import.meta.url));
const N = 1000;

function bunch(n: number): Float64Array {
  const r = new Float64Array(6 * n);
  for (let p = 0; p < n; p++) {
    r[6 * p] = 1e-4 * Math.sin(p);
    r[6 * p + 1] = 1e-6 * Math.cos(3 * p);
    r[6 * p + 2] = 2e-5 * Math.cos(p);
    r[6 * p + 4] = 1e-3 * Math.sin(7 * p);
  }
  return r;
}

const passesPerTurn = (prog: Program) => prog.nElements * prog.periodicity;

export interface TrackingBenchRow {
  case: string;
  'element-passes/s': string;
  note: string;
}

/** Runs the suite and returns the rows (also printed by run()). */
export async function measure(): Promise<TrackingBenchRow[]> {
  const ebs = parseRingJson(readFileSync(join(here, '../test/fixtures/track/ebs_hmba.json'), 'utf8')).lattice;
  const lattices: Array<[string, Lattice]> = [['EBS', ebs]];
  try {
    const { nanoterasuRing } = await import('../lattice/nanoterasu.ts');
    lattices.push(['NanoTerasu', nanoterasuRing()]);
  } catch (err) {
    console.log(`(built-in ring not available: ${(err as Error).message})`);
  }
  const rows: TrackingBenchRow[] = [];
  const bench = new Bench({ iterations: 3, time: 0, warmupIterations: 1, warmupTime: 0 });
  const cases: Array<{ name: string; prog: Program; turns: number }> = [];
  const variants: Array<[string, CompileOptions, number]> = [
    ['6D', { mode: '6d' }, 1],
    ['6D + radiation', { mode: '6d', radiation: true }, 1],
    ['6D + radiation + quantum', { mode: '6d', radiation: true, quantum: true }, 1],
  ];
  for (const [lname, lat] of lattices) {
    for (const [vname, opts, turns] of variants) {
      if (lname !== 'EBS' && vname !== '6D') continue;
      cases.push({ name: `${lname} ${vname}, ${N} particles, 1 thread`, prog: compileLattice(lat, opts), turns });
    }
  }
  const cpu = new Map<string, number>();
  const calls = new Map<string, number>();
  for (const c of cases) {
    const r0 = bunch(N);
    bench.add(c.name, () => {
      const r = Float64Array.from(r0);
      const u0 = process.cpuUsage();
      trackTurns(c.prog, r, N, c.turns, newLossArrays(N), { seed: 1 });
      const u = process.cpuUsage(u0);
      cpu.set(c.name, (cpu.get(c.name) ?? 0) + (u.user + u.system) / 1e6);
      calls.set(c.name, (calls.get(c.name) ?? 0) + 1);
    });
  }
  await bench.run();
  for (const c of cases) {
    const task = bench.getTask(c.name)!;
    const res = task.result as unknown as { latency: { mean: number }; totalTime?: number };
    const runs = calls.get(c.name) ?? NaN; // warm-up and timed calls are all in the CPU sum
    const passes = N * c.turns * passesPerTurn(c.prog);
    const wallRate = passes / (res.latency.mean / 1000);
    const cpuRate = (passes * runs) / (cpu.get(c.name) ?? NaN);
    rows.push({ case: c.name, 'element-passes/s': cpuRate.toExponential(2), note: `per CPU s (wall: ${wallRate.toExponential(2)}/s)` });
  }

  // pool: 1 vs 2 workers on EBS, 6D, no radiation
  const prog = compileLattice(ebs, { mode: '6d' });
  const turns = 2;
  const passes = N * turns * passesPerTurn(prog);
  const wall: number[] = [];
  const cpuS: number[] = [];
  for (const workers of [1, 2]) {
    const pool = new TrackingPool(workers);
    try {
      await pool.track(prog, bunch(N), { turns: 1, chunkSize: Math.ceil(N / workers), handleSigint: false }); // warm-up
      let best = Infinity;
      let bestCpu = Infinity;
      for (let k = 0; k < 2; k++) {
        const u0 = process.cpuUsage(); // all threads of the process
        const res = await pool.track(prog, bunch(N), { turns, chunkSize: Math.ceil(N / workers), handleSigint: false });
        const u = process.cpuUsage(u0);
        best = Math.min(best, res.wallS);
        bestCpu = Math.min(bestCpu, (u.user + u.system) / 1e6);
      }
      wall.push(best);
      cpuS.push(bestCpu);
      rows.push({
        case: `EBS 6D, ${N} particles, pool of ${workers} worker(s)`,
        'element-passes/s': (passes / best).toExponential(2),
        note: `wall clock, best of 2; ${(passes / bestCpu).toExponential(2)} per CPU s`,
      });
    } finally {
      await pool.close();
    }
  }
  rows.push({ case: 'speed-up 2 workers / 1 worker (wall)', 'element-passes/s': (wall[0] / wall[1]).toFixed(2), note: 'goal ≥ 1.8; needs 2 free cores' });
  rows.push({
    case: 'speed-up with 2 free cores (estimate)',
    'element-passes/s': ((2 * cpuS[0]) / cpuS[1]).toFixed(2),
    note: '2 × CPU(1 worker)/CPU(2 workers): the parallel overhead only',
  });
  return rows;
}

export async function run(): Promise<void> {
  console.table(await measure());
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
