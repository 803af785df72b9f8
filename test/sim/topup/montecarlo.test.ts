import { describe, expect, it } from 'vitest';
import { nanoterasuFallbackBeam } from '../../../sim/lifetime/nanoterasu-model.ts';
import { topupConfigSchema } from '../../../sim/topup/config.ts';
import { dayChunks, runMonteCarlo } from '../../../sim/topup/montecarlo.ts';

describe('top-up Monte Carlo', () => {
  // Short MTBF so that the few simulated days contain faults (the random part that matters).
  const cfg = topupConfigSchema.parse({ faults: { mtbfH: 8 } });

  it('day chunks cover every day once, in order', () => {
    expect(dayChunks(10, 4)).toEqual([[0, 4], [4, 8], [8, 10]]);
  });

  it('per-day results are identical for 1 and 2 workers and any chunking (piscina, tsx worker)', async () => {
    const serial = await runMonteCarlo(cfg, nanoterasuFallbackBeam(), { days: 6, workers: 1, chunkDays: 6 });
    const pooled = await runMonteCarlo(cfg, nanoterasuFallbackBeam(), { days: 6, workers: 2, chunkDays: 1 });
    expect(pooled.perDay).toEqual(serial.perDay);
    expect(pooled.availability).toEqual(serial.availability);
    expect(serial.perDay.faults.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(serial.maxBalanceErrorC).toBeLessThan(1e-15);
  }, 60_000);
});
