/**
 * The error-seed study cut into shards by error seed, each shard a separate process (as on a
 * cluster; one shard with another worker count), merged: exactly the single-machine `--json`
 * (tolerance 0), the error-free reference from shard 1, the summary recomputed over all seeds.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nanoterasu } from '../../cli/spawn.ts';

const root = mkdtempSync(join(tmpdir(), 'nt-merge-errors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ERRORS = ['errors', '--seeds', '5', '--seed', '3', '--dx-rms', '30', '--dy-rms', '20', '--tilt-rms', '50',
  '--turns', '16', '--rays', '5', '--deltas', '0,0.01', '--precision', '1e-4'];

async function ok(...args: string[]): Promise<string> {
  const r = await nanoterasu(...args);
  if (r.code !== 0) throw new Error(`nanoterasu ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe('nanoterasu errors --shard i/N --out DIR, then nanoterasu merge DIR', () => {
  it('5 error seeds in 3 shards merge to exactly the single-machine JSON', async () => {
    const dir = join(root, 'errors');
    const [single] = await Promise.all([
      ok(...ERRORS, '--workers', '1', '--json'),
      ok(...ERRORS, '--workers', '1', '--shard', '1/3', '--out', dir),
      ok(...ERRORS, '--workers', '2', '--shard', '2/3', '--out', dir),
      ok(...ERRORS, '--workers', '1', '--shard', '3/3', '--out', dir),
    ]);
    expect(readdirSync(dir).sort()).toEqual(['shard-1-of-3.json', 'shard-2-of-3.json', 'shard-3-of-3.json']);
    const s = JSON.parse(single) as { results: { index: number; status: string }[]; summary: { seeds: number }; errorFree: { index: number } };
    const merged = JSON.parse(await ok('merge', dir, '--json'));
    expect(merged).toEqual(s);
    expect(s.results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(s.summary.seeds).toBe(5);
    expect(s.errorFree.index).toBe(-1);
    expect(await ok('merge', dir)).toMatch(/summary: \d of 5 seeds with a closed orbit/);
  }, 120_000);
});
