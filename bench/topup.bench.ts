/**
 * Top-up and lifetime speed: a simulated day at 1 s resolution with shot-by-shot injection (target:
 * well under a second), a week, the lifetime of the built-in ring (sim/optics beam, 113 samples per cell; Piwinski and Bruck), and the
 * Monte Carlo of simulated days per worker count (results identical for any count).
 * `npm run bench -- topup`
 */
import { Bench } from 'tinybench';
import { builtinBeam } from '../sim/lifetime/adapters.ts';
import { ringLifetime } from '../sim/lifetime/ring.ts';
import { applyLifetimeConfig, fillOf, lossRateModel, topupConfigSchema, topupParamsOf } from '../sim/topup/config.ts';
import { runMonteCarlo } from '../sim/topup/montecarlo.ts';
import { simulateTopup } from '../sim/topup/simulate.ts';

export async function suite(): Promise<Bench> {
  const cfg = topupConfigSchema.parse({});
  const { beam } = await builtinBeam();
  const ring = applyLifetimeConfig(beam, cfg.lifetime);
  const fill = fillOf(cfg);
  const lr = lossRateModel(ring, fill, 0.4);
  const day = topupParamsOf(cfg, ring, lr);
  const bench = new Bench({ time: 2000, iterations: 5 });
  let seed = 0;
  bench
    .add('topup: 24 h, 1 s resolution, shot by shot, with timeline', () => { simulateTopup({ ...day, seed: seed++ }); })
    .add('topup: 7 days, no timeline', () => { simulateTopup({ ...day, seed: seed++, durationS: 7 * 86400, record: false }); })
    .add('lifetime: built-in ring at 400 mA (Piwinski)', () => { ringLifetime(ring, 0.4, fill); })
    .add('lifetime: built-in ring at 400 mA (Bruck)', () => { ringLifetime({ ...ring, touschekMethod: 'bruck' }, 0.4, fill); });
  await bench.run();
  // Monte Carlo: wall time per worker count (printed; one run each, it is long).
  for (const workers of [1, 2]) {
    const mc = await runMonteCarlo(cfg, beam, { days: 200, workers });
    console.log(`monte carlo: 200 days, ${workers} worker(s): ${mc.elapsedS.toFixed(2)} s (mean availability ${(mc.availability.mean * 100).toFixed(4)} %)`);
  }
  return bench;
}
