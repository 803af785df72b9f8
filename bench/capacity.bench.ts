/**
 * Capacity planning speed. Target (issue): 10,000 simulated facility-years in under 10 s on the
 * 2-core machine. The suite times one facility-year in this thread (tinybench), then runs the full
 * 10,000-year Monte Carlo with 1 and 2 workers, prints wall and CPU time, and checks that both
 * worker counts give the identical result. `npm run bench -- capacity`
 */
import { Bench } from 'tinybench';
import { buildPlan, layoutOf } from '../sim/capacity/model.ts';
import { runMonteCarlo } from '../sim/capacity/montecarlo.ts';
import { loadCapacityScenario } from '../sim/capacity/scenario.ts';
import { makeWorkspace, simulateYear } from '../sim/capacity/year.ts';

export async function suite(): Promise<Bench> {
  const scenario = loadCapacityScenario(new URL('../scenarios/capacity-fy2026.yaml', import.meta.url).pathname);
  const plan = buildPlan(scenario);
  const w = makeWorkspace(plan);
  const acc = new Float64Array(layoutOf(plan).size);
  const bench = new Bench({ time: 2000 });
  let year = 0;
  bench.add('capacity: one facility-year (FY2026 scenario, 12 stations)', () => { simulateYear(w, 1, year++, acc); });
  await bench.run();
  const results: Float64Array[] = [];
  for (const workers of [1, 2]) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const mc = await runMonteCarlo(scenario, { years: 10, runs: 1000, seed: 2026, workers });
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    results.push(mc.acc);
    console.log(`capacity monte carlo: 10,000 facility-years, ${workers} worker(s): ${wall.toFixed(2)} s wall` +
      (workers === 1 ? `, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU (this thread)` : '') +
      ` (target < 10 s); load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
  }
  const same = results[0].length === results[1].length && results[0].every((x, i) => x === results[1][i]);
  console.log(`capacity monte carlo: 1 and 2 workers identical: ${same}`);
  return bench;
}
