/**
 * Slurm job arrays for sharded studies (sim/cluster/README.md): a job-array script whose task
 * SLURM_ARRAY_TASK_ID = i runs `nanoterasu <study> … --shard i/N --out DIR`, a merge job that runs
 * after all of them succeeded (`--dependency=afterok:<array job id>`), submission with sbatch,
 * resubmission of the shards that are missing or bad, and a status summary from squeue/sacct.
 *
 * The manifest DIR/slurm.json records the study, its arguments, N, the resources and every
 * submission (array job id, indices, merge job id), so `--resubmit DIR` and `--status DIR` need
 * nothing else.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './hash.ts';
import { checkShards, describeProblems, MANIFEST, readManifest, shardsToRedo, type ShardCheck } from './merge.ts';

export interface SlurmResources {
  /** CPUs per array task (= --workers of the study; default 2). */
  cpusPerTask: number;
  /** Memory per array task, Slurm syntax (default 2G). */
  mem: string;
  /** Wall-time limit per array task, Slurm syntax (default 01:00:00). */
  time: string;
  partition?: string;
  account?: string;
  /** Shell lines run before node on the compute node (e.g. 'module load nodejs/20'). */
  setup?: string[];
}

export interface SlurmSubmission { arrayJobId: string; indices: number[]; mergeJobId: string; submittedAt: string }

export interface SlurmManifest {
  format: 'nanoterasu-slurm/1';
  study: string;
  /** Arguments of the study command (without --shard/--out). */
  args: string[];
  count: number;
  /** Absolute shard folder and the folder the study runs in (relative paths in args are from it). */
  dir: string;
  cwd: string;
  resources: SlurmResources;
  submissions: SlurmSubmission[];
}

export const DEFAULT_RESOURCES: SlurmResources = { cpusPerTask: 2, mem: '2G', time: '01:00:00' };

/** Single-quotes a word for bash. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function header(lines: string[], name: string, r: SlurmResources, extra: string[]): void {
  lines.push('#!/bin/bash', `#SBATCH --job-name=${name}`);
  if (r.partition) lines.push(`#SBATCH --partition=${r.partition}`);
  if (r.account) lines.push(`#SBATCH --account=${r.account}`);
  lines.push(...extra.map((e) => `#SBATCH ${e}`));
}

/** The launcher every job runs (the repository this code lives in; node from PATH after setup). */
function launcher(): string {
  return shellQuote(join(REPO_ROOT, 'sim/cli/nanoterasu.mjs'));
}

/**
 * The job-array script: task i runs shard i/N. Written for `--array=1-N` (or a list on resubmit,
 * given on the sbatch command line). Node's worker threads = the task's CPUs.
 */
export function arrayScript(m: SlurmManifest): string {
  const r = m.resources;
  const lines: string[] = [];
  header(lines, `nt-${m.study}`, r, [
    `--array=1-${m.count}`,
    '--ntasks=1',
    `--cpus-per-task=${r.cpusPerTask}`,
    `--mem=${r.mem}`,
    `--time=${r.time}`,
    `--output=${join(m.dir, 'logs', 'shard-%a.out')}`,
    `--chdir=${m.cwd}`,
  ]);
  const hasWorkers = m.args.some((a) => a === '--workers' || a.startsWith('--workers='));
  lines.push(
    '# written by `nanoterasu slurm`; shard i of N = SLURM_ARRAY_TASK_ID',
    // site setup first: module scripts often use unset variables, which `set -u` would refuse
    ...(r.setup ?? []),
    'set -euo pipefail',
    `cd ${shellQuote(m.cwd)}`,
    `exec node ${launcher()} ${[m.study, ...m.args].map(shellQuote).join(' ')}${hasWorkers ? '' : ' --workers "${SLURM_CPUS_PER_TASK:-1}"'} --shard "\${SLURM_ARRAY_TASK_ID}/${m.count}" --out ${shellQuote(m.dir)}`,
    '',
  );
  return lines.join('\n');
}

/** The merge job: checks and merges the folder (fails, naming the bad shards, if it cannot). */
export function mergeScript(m: SlurmManifest): string {
  const r = m.resources;
  const lines: string[] = [];
  header(lines, `nt-${m.study}-merge`, r, ['--ntasks=1', '--cpus-per-task=1', `--mem=${r.mem}`, '--time=00:30:00', `--output=${join(m.dir, 'logs', 'merge-%j.out')}`, `--chdir=${m.cwd}`]);
  lines.push(...(r.setup ?? []), 'set -euo pipefail', `cd ${shellQuote(m.cwd)}`, `exec node ${launcher()} merge ${shellQuote(m.dir)}`, '');
  return lines.join('\n');
}

function writeAtomic(path: string, text: string, mode?: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  if (mode !== undefined) chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** Writes DIR/job.sh, DIR/merge.sh, DIR/logs/ and the manifest; returns the manifest. */
export function writeJob(study: string, args: string[], count: number, dir: string, resources: SlurmResources, cwd = process.cwd()): SlurmManifest {
  const abs = resolve(cwd, dir);
  mkdirSync(join(abs, 'logs'), { recursive: true });
  const m: SlurmManifest = { format: 'nanoterasu-slurm/1', study, args, count, dir: abs, cwd: resolve(cwd), resources, submissions: [] };
  writeAtomic(join(abs, 'job.sh'), arrayScript(m), 0o755);
  writeAtomic(join(abs, 'merge.sh'), mergeScript(m), 0o755);
  saveManifest(m);
  return m;
}

export function saveManifest(m: SlurmManifest): void {
  writeAtomic(join(m.dir, MANIFEST), JSON.stringify(m, null, 2) + '\n');
}

export function loadManifest(dir: string): SlurmManifest {
  const m = readManifest(dir) as SlurmManifest | undefined;
  if (!m || m.format !== 'nanoterasu-slurm/1') throw new Error(`${dir}: no ${MANIFEST} written by 'nanoterasu slurm'`);
  return m;
}

/** Runs sbatch --parsable and returns the job id. */
export function sbatch(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  let out: string;
  try {
    out = execFileSync('sbatch', ['--parsable', ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`sbatch ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
  const id = out.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw new Error(`sbatch printed '${out.trim()}', expected a job id`);
  return id;
}

/** Compact Slurm array syntax: [1,2,3,5] → "1-3,5". */
export function arraySpec(indices: number[]): string {
  const parts: string[] = [];
  for (let k = 0; k < indices.length;) {
    let e = k;
    while (e + 1 < indices.length && indices[e + 1] === indices[e] + 1) e++;
    parts.push(e === k ? `${indices[k]}` : `${indices[k]}-${indices[e]}`);
    k = e + 1;
  }
  return parts.join(',');
}

/** Submits the array (all of it, or `indices`) and the merge job after it; records both. */
export function submit(m: SlurmManifest, indices?: number[]): SlurmSubmission {
  // a merge job still waiting on an earlier (failed) array would never start: cancel it
  const prev = m.submissions[m.submissions.length - 1];
  if (prev) run('scancel', [prev.mergeJobId]);
  const idx = indices ?? Array.from({ length: m.count }, (_, i) => i + 1);
  const arrayJobId = sbatch([`--array=${arraySpec(idx)}`, join(m.dir, 'job.sh')]);
  const mergeJobId = sbatch([`--dependency=afterok:${arrayJobId}`, join(m.dir, 'merge.sh')]);
  const s: SlurmSubmission = { arrayJobId, indices: idx, mergeJobId, submittedAt: new Date().toISOString() };
  m.submissions.push(s);
  saveManifest(m);
  return s;
}

/**
 * State of every array task of the manifest's submissions that Slurm still knows (pending,
 * running, …), by shard index, from `squeue -r` (one line per array task). Empty when squeue
 * cannot be asked.
 */
export function queuedShards(m: SlurmManifest): Map<number, string> {
  const out = new Map<number, string>();
  const ids = m.submissions.map((s) => s.arrayJobId);
  if (ids.length === 0) return out;
  const q = run('squeue', ['-h', '-r', '-j', ids.join(','), '-o', '%i|%T']);
  if (!q.ok) return out;
  for (const l of q.out.split('\n')) {
    const mm = /^(\d+)_(\d+)\|(\S+)/.exec(l.trim());
    if (mm && ids.includes(mm[1])) out.set(Number(mm[2]), mm[3].toLowerCase());
  }
  return out;
}

/**
 * The shards to run again (missing, corrupt, other inputs), with the check behind them; shards
 * still queued or running in Slurm are left out (`queued`), so nothing runs twice.
 */
export function resubmitPlan(dir: string): { manifest: SlurmManifest; check: ShardCheck; indices: number[]; queued: Map<number, string> } {
  const manifest = loadManifest(dir);
  const check = checkShards(manifest.dir, { study: manifest.study, count: manifest.count });
  const queued = queuedShards(manifest);
  return { manifest, check, indices: shardsToRedo(check).filter((i) => !queued.has(i)), queued };
}

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return { ok: false, out: (e.stderr || e.message).trim() };
  }
}

/** One line per state: the shard files, then what squeue and sacct say about the submitted jobs. */
export function summariseCheck(c: ShardCheck): string {
  const done = c.shards.filter(Boolean).length;
  const lines = [`${c.dir}: ${c.study ?? '(unknown study)'}, ${done}/${c.count} shards complete`];
  for (const p of describeProblems(c)) lines.push(`  ${p}`);
  return lines.join('\n');
}

export function status(dir: string): string {
  const m = loadManifest(dir);
  const c = checkShards(m.dir, { study: m.study, count: m.count });
  const lines = [summariseCheck(c)];
  if (m.submissions.length === 0) {
    lines.push('not submitted yet (nanoterasu slurm … --submit, or sbatch job.sh)');
    return lines.join('\n');
  }
  const ids = m.submissions.flatMap((s) => [s.arrayJobId, s.mergeJobId]);
  const q = run('squeue', ['-h', '-r', '-j', ids.join(','), '-o', '%i|%T|%r']);
  const queued = q.ok ? queuedShards(m) : new Map<number, string>();
  if (q.ok) {
    const byState = new Map<string, number[]>();
    for (const [i, st] of queued) byState.set(st, [...(byState.get(st) ?? []), i]);
    const parts = [...byState].map(([st, idx]) => `${st} ${arraySpec(idx.sort((a, b) => a - b))}`);
    const mergeIds = new Set(m.submissions.map((x) => x.mergeJobId));
    const merge = q.out.split('\n').map((l) => l.split('|')).find(([id]) => mergeIds.has(id));
    lines.push(`squeue: ${parts.length ? `shards ${parts.join('; ')}` : 'no shard queued or running'}${merge ? `; merge job ${merge[0]} ${merge[1].toLowerCase()}${merge[2] && merge[2] !== 'None' ? ` (${merge[2]})` : ''}` : ''}`);
  } else {
    lines.push(`squeue: unavailable (${q.out.split('\n')[0]})`);
  }
  const a = run('sacct', ['-n', '-P', '-X', '-j', ids.join(','), '-o', 'JobID,State,ExitCode']);
  if (a.ok) {
    const counts = new Map<string, number>();
    const failed: string[] = [];
    for (const l of a.out.split('\n').filter(Boolean)) {
      const [id, state] = l.split('|');
      const s = state.split(' ')[0];
      counts.set(s, (counts.get(s) ?? 0) + 1);
      if (/FAIL|TIMEOUT|OUT_OF_MEMORY|CANCELLED|NODE_FAIL/.test(s)) failed.push(id);
    }
    lines.push(`sacct: ${[...counts].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ') || 'no records'}`);
    if (failed.length) lines.push(`  failed: ${failed.join(', ')} (logs in ${join(m.dir, 'logs')})`);
  } else {
    lines.push(`sacct: unavailable (${a.out.split('\n')[0]})`);
  }
  const last = m.submissions[m.submissions.length - 1];
  lines.push(`last submission: array job ${last.arrayJobId} (shards ${arraySpec(last.indices)}), merge job ${last.mergeJobId}`);
  const redo = shardsToRedo(c).filter((i) => !queued.has(i));
  if (redo.length) lines.push(`to rerun only those: nanoterasu slurm --resubmit ${dir}   (shards ${arraySpec(redo)})`);
  else if (c.ok) lines.push(`all shards present; merged result: ${join(m.dir, 'merged.json')} (or nanoterasu merge ${dir})`);
  return lines.join('\n');
}
