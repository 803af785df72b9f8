/**
 * Checking a folder of shards before merging: every shard 1..N is there, parses, is complete (its
 * payload hash matches), covers the item range its index says, and comes from the same inputs and
 * code (inputsHash). Every problem names the shard file; nothing is merged while one remains.
 *
 * The expected shard count and inputs hash come from the job manifest `slurm.json` when the folder
 * has one (written by `nanoterasu slurm`), else from the shard files themselves (the hash most of
 * them share; the N most file names give).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, sha256 } from './hash.ts';
import { SHARD_FILE_RE, SHARD_FORMAT, shardFileName, shardRange, type ShardFile } from './shard.ts';

export const MANIFEST = 'slurm.json';

export interface ShardProblem {
  /** Shard index (1-based), or 0 for a file that does not name one. */
  index: number;
  file: string;
  problem: string;
}

export interface ShardCheck {
  dir: string;
  study: string | null;
  count: number;
  inputsHash: string | null;
  /** Valid shards, by index 1..N (undefined where missing or bad). */
  shards: (ShardFile | undefined)[];
  /** Indices (1-based) with no file at all. */
  missing: number[];
  /** Files that exist but cannot be merged: corrupt, incomplete, other inputs or other N. */
  bad: ShardProblem[];
  ok: boolean;
}

export interface ShardExpectation { study?: string; count?: number; inputsHash?: string }

/** Reads the manifest of a folder written by `nanoterasu slurm`, if any. */
export function readManifest(dir: string): (ShardExpectation & Record<string, unknown>) | undefined {
  const p = join(dir, MANIFEST);
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as ShardExpectation & Record<string, unknown>;
}

export function checkShards(dir: string, expect: ShardExpectation = readManifest(dir) ?? {}): ShardCheck {
  if (!existsSync(dir)) throw new Error(`${dir}: no such folder`);
  const names = readdirSync(dir).filter((f) => SHARD_FILE_RE.test(f)).sort();
  const bad: ShardProblem[] = [];
  const parsed: { name: string; index: number; count: number; file: ShardFile }[] = [];
  for (const name of names) {
    const m = SHARD_FILE_RE.exec(name)!;
    const index = Number(m[1]);
    const count = Number(m[2]);
    let file: ShardFile;
    try {
      file = JSON.parse(readFileSync(join(dir, name), 'utf8')) as ShardFile;
    } catch (err) {
      bad.push({ index, file: name, problem: `corrupt: not valid JSON (${(err as Error).message.split('\n')[0]})` });
      continue;
    }
    if (!file || typeof file !== 'object' || file.format !== SHARD_FORMAT) {
      bad.push({ index, file: name, problem: `corrupt: not a ${SHARD_FORMAT} file` });
      continue;
    }
    if (file.payload === undefined || file.payloadHash !== sha256(canonicalJson(file.payload))) {
      bad.push({ index, file: name, problem: 'corrupt: payload does not match its SHA-256 (changed or truncated after writing)' });
      continue;
    }
    if (file.shard?.index !== index || file.shard?.count !== count) {
      bad.push({ index, file: name, problem: `corrupt: file says shard ${file.shard?.index}/${file.shard?.count}` });
      continue;
    }
    parsed.push({ name, index, count, file });
  }
  // the split: the manifest's N, else the N named by most files (the larger on a tie)
  const nVotes = new Map<number, number>();
  for (const f of names) {
    const n = Number(SHARD_FILE_RE.exec(f)![2]);
    nVotes.set(n, (nVotes.get(n) ?? 0) + 1);
  }
  let count = expect.count ?? 0;
  if (expect.count === undefined) {
    let best = 0;
    for (const [n, v] of nVotes) if (v > best || (v === best && n > count)) { best = v; count = n; }
  }
  // the inputs every shard must share: the manifest's, else the most common among the files
  let hash = expect.inputsHash ?? null;
  if (!hash) {
    const votes = new Map<string, number>();
    for (const p of parsed) if (p.count === count) votes.set(p.file.inputsHash, (votes.get(p.file.inputsHash) ?? 0) + 1);
    let best = 0;
    for (const [h, v] of votes) if (v > best) { best = v; hash = h; }
  }
  let study = expect.study ?? null;
  const shards: (ShardFile | undefined)[] = new Array(count + 1).fill(undefined);
  for (const p of parsed) {
    if (p.count !== count) {
      bad.push({ index: p.index, file: p.name, problem: `from another split: ${p.count} shards, expected ${count}` });
      continue;
    }
    if (p.file.inputsHash !== hash) {
      bad.push({ index: p.index, file: p.name, problem: `other inputs or code: inputs hash ${p.file.inputsHash.slice(0, 12)}…, expected ${String(hash).slice(0, 12)}…` });
      continue;
    }
    if (study && p.file.study !== study) {
      bad.push({ index: p.index, file: p.name, problem: `another study: ${p.file.study}, expected ${study}` });
      continue;
    }
    study ??= p.file.study;
    const want = shardRange(p.file.range.total, { index: p.index, count });
    if (p.file.range.first !== want.first || p.file.range.count !== want.count) {
      bad.push({ index: p.index, file: p.name, problem: `covers items ${p.file.range.first}+${p.file.range.count}, expected ${want.first}+${want.count}` });
      continue;
    }
    shards[p.index] = p.file;
  }
  const missing: number[] = [];
  for (let i = 1; i <= count; i++) {
    if (!shards[i] && !bad.some((b) => b.index === i)) missing.push(i);
  }
  bad.sort((a, b) => a.index - b.index);
  return { dir, study, count, inputsHash: hash, shards, missing, bad, ok: count > 0 && missing.length === 0 && bad.length === 0 };
}

/** Indices (1-based, sorted) to compute again: missing ones and those whose file is bad. */
export function shardsToRedo(c: ShardCheck): number[] {
  const s = new Set<number>(c.missing);
  for (const b of c.bad) if (b.index >= 1 && b.index <= c.count && !c.shards[b.index]) s.add(b.index);
  return [...s].sort((a, b) => a - b);
}

/** The problems as lines naming each shard file (empty when the folder merges). */
export function describeProblems(c: ShardCheck): string[] {
  const lines: string[] = [];
  if (c.count === 0) lines.push(`${c.dir}: no shard files (shard-i-of-N.json)`);
  for (const i of c.missing) lines.push(`${shardFileName({ index: i, count: c.count })}: missing`);
  for (const b of c.bad) lines.push(`${b.file}: ${b.problem}`);
  return lines;
}
