/**
 * `nanoterasu track` end to end: pyAT's particles through the EBS ring for one turn (4D) match
 * ebs_hmba.track.json to 1e-10; the JSON carries seed, workers, turns, particles and the lost list;
 * bad input is one clear message (exit 2).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../sim/cli/main.ts';
import { runCli as run } from '../../helpers.ts';

const fixtures = new URL('../../fixtures/track/', import.meta.url).pathname;
const ref = JSON.parse(readFileSync(join(fixtures, 'ebs_hmba.track.json'), 'utf8'));

describe('nanoterasu track', () => {
  const dir = mkdtempSync(join(tmpdir(), 'track-cli-'));
  const input = join(dir, 'particles.json');
  // pyAT's 8 particles plus one that leaves the 1 cm chamber in the first drift
  writeFileSync(input, JSON.stringify({ particles: [...ref.initial, [0.009, 0.002, 0, 0, 0, 0]] }));

  it('tracks pyAT particles one turn of the EBS ring (4D) and agrees with pyAT to 1e-10', async () => {
    const { code, out } = await run([
      'track', '--lattice', join(fixtures, 'ebs_hmba.json'), '--input', input, '--turns', '1', '--mode', '4d',
      '--workers', '2', '--seed', '5', '--chamber-radius', '0.01', '--json', '--no-progress',
    ]);
    expect(code).toBe(0);
    const res = JSON.parse(out);
    expect(res).toMatchObject({ seed: 5, workers: 2, turns: 1, particleCount: 9, survivors: 8, interrupted: false });
    ref.turns['1'].forEach((want: number[], p: number) => {
      want.forEach((v, k) => expect(Math.abs(res.particles[p][k] - v)).toBeLessThanOrEqual(1e-10 * Math.max(Math.abs(v), 1e-4)));
    });
    expect(res.particles[8]).toBeNull();
    expect(res.lost).toEqual([{ index: 8, turn: 0, element: 'DR_01 (period 1)', elementIndex: 2 }]);
  }, 20_000);

  it('rejects a malformed particle with a message naming the file and the particle (exit 2)', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([[0, 0, 0, 0, 0, 0], [1, 2, 3]]));
    const { code, err } = await run(['track', '--input', bad, '--turns', '1', '--no-progress']);
    expect(code).toBe(2);
    expect(err).toContain('bad.json: particle 1 must be 6 finite numbers');
  });

  it('rejects --mode 5d and a negative turn count', async () => {
    expect((await run(['track', '--mode', '5d', '--no-progress'])).err).toContain('--mode must be 4d or 6d');
    expect((await run(['track', '--turns', '-3', '--no-progress'])).err).toContain('--turns must be a whole number');
  });
});
