/**
 * Cutting a study into shards for a cluster (sim/cluster/README.md).
 *
 * A study is a list of independent items (particles, (δ, ray) pairs of a DA scan, facility-years
 * of a capacity Monte Carlo), each with its own random stream keyed by (seed, item index). Shard
 * i of N (1-based) computes the contiguous index range [⌊(i−1)·T/N⌋, ⌊i·T/N⌋) of the T items,
 * with the same global item indices as a single-machine run, so merging the shards in order gives
 * the single-machine numbers exactly.
 *
 * A shard is written atomically: to a temporary file in the same folder, then renamed; a shard
 * file that exists is therefore complete (a killed job leaves at most a `.tmp` file, which merge
 * ignores). Its payload carries its own SHA-256, so a file changed afterwards is caught too.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lattice } from '../../lattice/lattice.ts';
import { UserError } from '../cli/main.ts';
import { canonicalJson, codeVersion, inputsHash, sha256, type CodeVersion } from './hash.ts';

export const SHARD_FORMAT = 'nanoterasu-shard/1';

/** Shard `index` (1-based) of `count`. */
export interface ShardSpec { index: number; count: number }

/** A contiguous range of item indices [first, first + count) out of `total`. */
export interface ItemRange { first: number; count: number; total: number }

export interface ShardFile<P = unknown> {
  format: typeof SHARD_FORMAT;
  study: string;
  shard: ShardSpec;
  range: ItemRange;
  /** Hash of study + inputs + code version (sim/cluster/hash.ts): equal for all shards of one study. */
  inputsHash: string;
  /** The inputs that were hashed, readable (what merge needs to rebuild the single-machine output). */
  inputs: unknown;
  /** Labels that do not change the numbers (file names as typed, worker count): not hashed. */
  meta: Record<string, unknown>;
  code: CodeVersion;
  createdAt: string;
  host: string;
  payload: P;
  /** SHA-256 of canonicalJson(payload). */
  payloadHash: string;
}

/** Parses `--shard i/N` (1 ≤ i ≤ N). */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UserError(`--shard must be i/N, e.g. 2/8 (got '${text}')`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new UserError(`--shard ${text}: need 1 ≤ i ≤ N`);
  return { index, count };
}

/** The items of shard `spec` among `total`: [⌊(i−1)T/N⌋, ⌊iT/N⌋). */
export function shardRange(total: number, spec: ShardSpec): ItemRange {
  if (spec.count > total) {
    throw new UserError(`--shard ${spec.index}/${spec.count}: only ${total} item(s) to share out, use at most ${total} shards`);
  }
  const first = Math.floor(((spec.index - 1) * total) / spec.count);
  const end = Math.floor((spec.index * total) / spec.count);
  return { first, count: end - first, total };
}

export function shardFileName(spec: ShardSpec): string {
  return `shard-${spec.index}-of-${spec.count}.json`;
}

export const SHARD_FILE_RE = /^shard-(\d+)-of-(\d+)\.json$/;

/** A study command's `--shard i/N --out DIR`, checked; undefined when neither is given. */
export interface ShardRequest { spec: ShardSpec; outDir: string }

export function shardRequest(opts: { shard?: string; out?: string }): ShardRequest | undefined {
  if (opts.shard === undefined && opts.out === undefined) return undefined;
  if (opts.shard === undefined) throw new UserError('--out DIR is for shards: give --shard i/N too');
  if (opts.out === undefined) throw new UserError('--shard i/N needs --out DIR (the folder the shard files go to)');
  return { spec: parseShard(opts.shard), outDir: opts.out };
}

/** The line a shard run prints: which items (`items`: rays, sites, particles, …) of how many went to which file. */
export function shardWrittenLine(req: ShardRequest, range: ItemRange, items: string, file: string): string {
  return `shard ${req.spec.index}/${req.spec.count} (${items} ${range.first}–${range.first + range.count - 1} of ${range.total}) written to ${file}`;
}

/** The command-line help of the two options, shared by every study command. */
export const SHARD_HELP = {
  shard: 'compute only shard i of N (1-based; contiguous items, same random streams as one run) — needs --out',
  out: 'folder for the shard file (merge it with `nanoterasu merge DIR`)',
};

/**
 * Writes shard `req.spec` of `study` into `req.outDir` atomically and returns the file path.
 * `inputs` are everything the result depends on (not worker counts or output flags).
 */
export function writeShard<P>(
  study: string, req: ShardRequest, range: ItemRange, inputs: unknown, payload: P, meta: Record<string, unknown> = {},
): string {
  mkdirSync(req.outDir, { recursive: true });
  const code = codeVersion(study);
  const file: ShardFile<P> = {
    format: SHARD_FORMAT,
    study,
    shard: req.spec,
    range,
    inputsHash: inputsHash(study, inputs, code),
    inputs,
    meta,
    code,
    createdAt: new Date().toISOString(),
    host: process.env.SLURMD_NODENAME ?? process.env.HOSTNAME ?? '',
    payload,
    payloadHash: sha256(canonicalJson(payload)),
  };
  const path = join(req.outDir, shardFileName(req.spec));
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(file));
  renameSync(tmp, path);
  return path;
}

/** Non-finite numbers survive JSON as strings ("NaN", "Infinity"); this turns them back. */
export function finiteOrString(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}
export function fromFiniteOrString(x: number | string): number {
  return typeof x === 'number' ? x : Number(x);
}

/** A lattice as a hash of its full content (elements, energy, periodicity), plus its name. */
export function latticeIdentity(lat: Lattice): { name: string; sha256: string } {
  return { name: lat.name, sha256: sha256(canonicalJson(lat)) };
}
