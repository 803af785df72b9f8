/**
 * `nanoterasu slurm`: the job scripts (run here by bash as Slurm would run them, so the shard and
 * merge logic is tested on any machine), and — when a one-node Slurm can be started on this
 * machine (test/cluster/slurm-localhost.sh) — a real job array with its dependent merge job, a
 * resubmission of a missing and a corrupted shard, and the status summary. The merged numbers are
 * compared with the single-machine run with tolerance 0.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { nanoterasu } from '../../cli/spawn.ts';

const exec = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'nt-slurm-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DA = ['da', '--turns', '16', '--rays', '5', '--deltas', '0,0.01', '--precision', '1e-4'];
const CAPACITY = ['capacity', '--years', '2', '--runs', '3', '--what-if', 'units=150'];

/** Starts (or finds) the local Slurm; the reason when it cannot. */
function startSlurm(): { ok: true; conf: string } | { ok: false; reason: string } {
  const dir = process.env.NANOTERASU_SLURM_DIR ?? '/tmp/nanoterasu-slurm';
  try {
    execFileSync('bash', ['test/cluster/slurm-localhost.sh', 'start'], { timeout: 90_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, conf: join(dir, 'slurm.conf') };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const line = (e.stderr ?? '').split('\n').find((l) => l.includes('cannot start')) ?? e.message.split('\n')[0];
    return { ok: false, reason: line.trim() };
  }
}
const slurm = startSlurm();
if (!slurm.ok) console.warn(`test/sim/cluster/slurm.test.ts: the real-Slurm test does not run here: ${slurm.reason}`);
else process.env.SLURM_CONF = slurm.conf;

async function ok(...args: string[]): Promise<string> {
  const r = await nanoterasu(...args);
  if (r.code !== 0) throw new Error(`nanoterasu ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function waitForFile(path: string, logs: string, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(path)) {
    if (Date.now() - t0 > timeoutMs) {
      const text = existsSync(logs) ? readdirSync(logs).map((f) => `--- ${f}\n${readFileSync(join(logs, f), 'utf8')}`).join('\n') : '(no logs)';
      let queue = '';
      try { queue = execFileSync('squeue', ['-a'], { encoding: 'utf8' }); } catch { /* no squeue */ }
      throw new Error(`${path} did not appear in ${timeoutMs / 1000} s\n${queue}\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('nanoterasu slurm', () => {
  it('writes a job array with resources and a merge job; run by bash as Slurm would, they give the single-machine DA', async () => {
    const dir = join(root, 'scripts');
    const out = await ok('slurm', ...DA, '--shards', '3', '--cpus-per-task', '1', '--mem', '1G', '--time', '00:10:00', '--setup', 'true', '--out', dir);
    expect(out).toMatch(/job\.sh \(array 1-3\)/);
    const job = readFileSync(join(dir, 'job.sh'), 'utf8');
    for (const line of ['#SBATCH --array=1-3', '#SBATCH --cpus-per-task=1', '#SBATCH --mem=1G', '#SBATCH --time=00:10:00', '--shard "${SLURM_ARRAY_TASK_ID}/3"', '--workers "${SLURM_CPUS_PER_TASK:-1}"']) {
      expect(job).toContain(line);
    }
    expect(readFileSync(join(dir, 'merge.sh'), 'utf8')).toMatch(/merge .*scripts/);
    const manifest = JSON.parse(readFileSync(join(dir, 'slurm.json'), 'utf8'));
    expect(manifest).toMatchObject({ study: 'da', count: 3, args: DA.slice(1), submissions: [] });
    // the array tasks as separate processes, then the merge job
    const env = (i: number) => ({ ...process.env, SLURM_ARRAY_TASK_ID: String(i), SLURM_CPUS_PER_TASK: '1' });
    const [single] = await Promise.all([
      ok(...DA, '--workers', '1', '--json'),
      ...[1, 2, 3].map((i) => exec('bash', [join(dir, 'job.sh')], { env: env(i) })),
    ]);
    await exec('bash', [join(dir, 'merge.sh')]);
    expect(JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8'))).toEqual(JSON.parse(single));
    expect(await ok('slurm', '--status', dir)).toMatch(/3\/3 shards complete[\s\S]*not submitted yet/);
  }, 120_000);

  it('refuses what it cannot run, with the reason', async () => {
    expect((await nanoterasu('slurm', 'lattice', '--shards', '2')).stderr).toMatch(/'lattice' cannot be sharded/);
    expect((await nanoterasu('slurm', ...DA, '--shards', '0')).stderr).toMatch(/--shards must be a whole number ≥ 1/);
    expect((await nanoterasu('slurm', ...DA, '--shards', '2', '--out', join(root, 'x'), '--shard', '1/2')).stderr).toMatch(/adds --shard i\/N/);
    expect((await nanoterasu('slurm', '--status', join(root, 'nothing'))).stderr).toMatch(/no slurm\.json/);
  }, 60_000);

  it.runIf(slurm.ok)('real Slurm on localhost: DA and capacity job arrays merge to the single-machine numbers; a missing and a corrupted shard are resubmitted alone', async () => {
    const daDir = join(root, 'da');
    const capDir = join(root, 'capacity');
    const res = ['--cpus-per-task', '1', '--mem', '1G', '--time', '00:10:00', '--submit'];
    const [daOut, capOut, daSingle, capSingle] = await Promise.all([
      ok('slurm', ...DA, '--shards', '3', '--out', daDir, ...res),
      ok('slurm', ...CAPACITY, '--shards', '3', '--out', capDir, ...res),
      ok(...DA, '--workers', '1', '--json'),
      ok(...CAPACITY, '--workers', '1', '--json'),
    ]);
    expect(daOut).toMatch(/submitted array job \d+ \(3 shards\); merge job \d+ runs after it/);
    expect(capOut).toMatch(/submitted array job \d+/);
    await waitForFile(join(daDir, 'merged.json'), join(daDir, 'logs'), 150_000);
    await waitForFile(join(capDir, 'merged.json'), join(capDir, 'logs'), 150_000);
    expect(JSON.parse(readFileSync(join(daDir, 'merged.json'), 'utf8'))).toEqual(JSON.parse(daSingle));
    expect(JSON.parse(readFileSync(join(capDir, 'merged.json'), 'utf8'))).toEqual(JSON.parse(capSingle));
    expect(await ok('slurm', '--status', daDir)).toMatch(/3\/3 shards complete[\s\S]*squeue:/);

    // shard 2 lost, shard 3 damaged: only those two are submitted again, then merged again
    rmSync(join(daDir, 'shard-2-of-3.json'));
    rmSync(join(daDir, 'merged.json'));
    const s3 = join(daDir, 'shard-3-of-3.json');
    writeFileSync(s3, readFileSync(s3, 'utf8').replace(/"radiusM":0\.00/, '"radiusM":0.01'));
    const status = await ok('slurm', '--status', daDir);
    expect(status).toMatch(/shard-2-of-3\.json: missing/);
    expect(status).toMatch(/shard-3-of-3\.json: corrupt/);
    const again = await ok('slurm', '--resubmit', daDir);
    expect(again).toMatch(/resubmitted shards 2,3 as array job \d+/);
    const manifest = JSON.parse(readFileSync(join(daDir, 'slurm.json'), 'utf8'));
    expect(manifest.submissions).toHaveLength(2);
    expect(manifest.submissions[1].indices).toEqual([2, 3]);
    await waitForFile(join(daDir, 'merged.json'), join(daDir, 'logs'), 150_000);
    expect(JSON.parse(readFileSync(join(daDir, 'merged.json'), 'utf8'))).toEqual(JSON.parse(daSingle));
    expect(await ok('slurm', '--resubmit', daDir)).toMatch(/nothing to resubmit/);
  }, 400_000);
});
