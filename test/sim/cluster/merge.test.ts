/**
 * Shards run as separate processes (as a cluster would run them), merged, against the same study
 * run once on this machine: equal number for number (tolerance 0), and every broken folder refused
 * with the shard file named.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nanoterasu } from '../../cli/spawn.ts';

const root = mkdtempSync(join(tmpdir(), 'nt-merge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DA = ['da', '--turns', '16', '--rays', '5', '--deltas', '0,0.01', '--precision', '1e-4', '--workers', '1'];
const MA = ['ma', '--turns', '20', '--every', '60', '--precision', '1e-3', '--workers', '1'];
const CAPACITY = ['capacity', '--years', '2', '--runs', '3', '--workers', '1', '--what-if', 'units=150'];
const TRACK = ['track', '--particles', '9', '--turns', '2', '--radiation', '--quantum', '--seed', '5', '--workers', '1', '--no-progress'];

async function ok(...args: string[]): Promise<string> {
  const r = await nanoterasu(...args);
  if (r.code !== 0) throw new Error(`nanoterasu ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** The single-machine --json output and the folder of N shards, all run as separate processes at once. */
async function runSharded(study: string[], n: number, dir: string): Promise<unknown> {
  const [single] = await Promise.all([
    ok(...study, '--json'),
    ...Array.from({ length: n }, (_, i) => ok(...study, '--shard', `${i + 1}/${n}`, '--out', dir)),
  ]);
  return JSON.parse(single);
}

function copyDir(from: string, to: string): string {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) if (f.startsWith('shard-')) copyFileSync(join(from, f), join(to, f));
  return to;
}

describe('nanoterasu <study> --shard i/N --out DIR, then nanoterasu merge DIR', () => {
  const daDir = join(root, 'da');

  it('DA scan in 3 shards merges to exactly the single-machine boundaries and areas', async () => {
    const single = await runSharded(DA, 3, daDir) as { boundaries: { rays: unknown[] }[] };
    expect(readdirSync(daDir).sort()).toEqual(['shard-1-of-3.json', 'shard-2-of-3.json', 'shard-3-of-3.json']);
    const merged = JSON.parse(await ok('merge', daDir, '--json'));
    expect(merged).toEqual(single);
    expect(single.boundaries).toHaveLength(2);
    expect(single.boundaries[0].rays).toHaveLength(5);
    expect(JSON.parse(readFileSync(join(daDir, 'merged.json'), 'utf8'))).toEqual(single);
    // the table is the da command's table
    expect(await ok('merge', daDir)).toMatch(/δ = 0\.01: area \(y ≥ 0\) \d+\.\d{3} mm²/);
  }, 120_000);

  it('momentum acceptance in 3 shards merges to exactly the single-machine δ± at every site', async () => {
    const dir = join(root, 'ma');
    const single = await runSharded(MA, 3, dir) as { points: unknown[] };
    const merged = JSON.parse(await ok('merge', dir, '--json'));
    expect(merged).toEqual(single);
    expect(single.points.length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('capacity Monte Carlo (with a what-if) in 3 shards merges to exactly the single-machine report', async () => {
    const dir = join(root, 'capacity');
    const single = await runSharded(CAPACITY, 3, dir) as { facilityYears: number; whatIf: unknown[] };
    const merged = JSON.parse(await ok('merge', dir, '--json'));
    expect(merged).toEqual(single);
    expect(single.facilityYears).toBe(6);
    expect(single.whatIf).toHaveLength(1);
  }, 120_000);

  it('tracking with quantum excitation in 3 shards merges to the single-machine particles (wall time aside)', async () => {
    const dir = join(root, 'track');
    const single = await runSharded(TRACK, 3, dir) as Record<string, unknown>;
    const merged = JSON.parse(await ok('merge', dir, '--json')) as Record<string, unknown>;
    delete single.wallS;
    delete merged.wallS;
    expect(merged).toEqual(single);
    expect(single.particleCount).toBe(9);
  }, 120_000);

  it('a missing, a corrupted and a truncated shard are each named; nothing is merged', async () => {
    const dir = copyDir(daDir, join(root, 'broken'));
    rmSync(join(dir, 'shard-2-of-3.json'));
    const s3 = join(dir, 'shard-3-of-3.json');
    writeFileSync(s3, readFileSync(s3, 'utf8').replace(/"radiusM":0\.00/, '"radiusM":0.01'));
    let r = await nanoterasu('merge', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shard-2-of-3\.json: missing/);
    expect(r.stderr).toMatch(/shard-3-of-3\.json: corrupt: payload does not match its SHA-256/);
    expect(readdirSync(dir)).not.toContain('merged.json');
    const s1 = join(dir, 'shard-1-of-3.json');
    writeFileSync(s1, readFileSync(s1, 'utf8').slice(0, 500));
    r = await nanoterasu('merge', dir, '--check');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/0\/3 shards complete/);
    expect(r.stdout).toMatch(/shard-1-of-3\.json: corrupt: not valid JSON/);
    // a leftover temporary file of a killed job is not a shard
    writeFileSync(join(dir, 'shard-2-of-3.json.1234.tmp'), '{');
    expect((await nanoterasu('merge', dir, '--check')).stdout).toMatch(/shard-2-of-3\.json: missing/);
  }, 60_000);

  it('a shard from other inputs or another split is refused by name', async () => {
    const dir = copyDir(daDir, join(root, 'mixed'));
    // shard 2 computed again with one more turn: another inputs hash
    await ok(...DA.map((a) => (a === '16' ? '17' : a)), '--shard', '2/3', '--out', dir);
    let r = await nanoterasu('merge', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shard-2-of-3\.json: other inputs or code/);
    // and a file of a 4-shard split among the 3-shard files
    await ok(...DA, '--shard', '1/4', '--out', dir);
    r = await nanoterasu('merge', dir);
    expect(r.stderr).toMatch(/shard-1-of-4\.json: from another split: 4 shards, expected/);
  }, 60_000);

  it('--shard without --out (and the reverse) is a user error', async () => {
    const a = await nanoterasu(...DA, '--shard', '1/2');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--shard i\/N needs --out DIR/);
    const b = await nanoterasu(...DA, '--out', join(root, 'x'));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/give --shard i\/N too/);
    const c = await nanoterasu(...DA, '--shard', '1/11', '--out', join(root, 'x'));
    expect(c.stderr).toMatch(/only 10 item\(s\)/);
  }, 60_000);
});
