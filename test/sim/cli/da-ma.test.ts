/**
 * `nanoterasu da` and `nanoterasu ma` end to end on the EBS ring (few turns, coarse precision):
 * the JSON carries the documented keys and sensible numbers; bad options are one clear message.
 */
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../sim/cli/main.ts';
import { runCli as run } from '../../helpers.ts';

const ebs = join(new URL('../../fixtures/track/', import.meta.url).pathname, 'ebs_hmba.json');

describe('nanoterasu da / ma', () => {
  it('da --json: one boundary per δ, radii within (0, r-max], positive area', async () => {
    const { code, out } = await run(['da', '--lattice', ebs, '--turns', '2', '--rays', '3', '--deltas', '0,-0.01', '--precision', '1e-3', '--workers', '1', '--json']);
    expect(code).toBe(0);
    const res = JSON.parse(out);
    expect(res).toMatchObject({ lattice: 'ebs_hmba', mode: '4d', turns: 2, workers: 1, precisionM: 1e-3 });
    expect(res.boundaries.map((b: { delta: number }) => b.delta)).toEqual([0, -0.01]);
    for (const b of res.boundaries) {
      expect(b.rays).toHaveLength(3);
      for (const r of b.rays) expect(r.radiusM > 0 && r.radiusM <= res.rMaxM).toBe(true);
      expect(b.areaM2).toBeGreaterThan(0);
    }
  }, 20_000);

  it('ma --json: δ+ > 0 > δ− at every sampled element, with its name and s', async () => {
    const { code, out } = await run(['ma', '--lattice', ebs, '--turns', '2', '--every', '1000', '--precision', '5e-3', '--workers', '1', '--json']);
    expect(code).toBe(0);
    const res = JSON.parse(out);
    expect(res.points.length).toBeGreaterThanOrEqual(3);
    for (const p of res.points) {
      expect(p.deltaPlus).toBeGreaterThan(0);
      expect(p.deltaMinus).toBeLessThan(0);
      expect(typeof p.element).toBe('string');
      expect(p.sM).toBeGreaterThanOrEqual(0);
    }
  }, 20_000);

  it('rejects a bad δ list', async () => {
    const { code, err } = await run(['da', '--deltas', '0,abc']);
    expect(code).toBe(2);
    expect(err).toContain('--deltas must be a comma-separated list of numbers');
  });
});
