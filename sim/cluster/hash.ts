/**
 * What a shard's result depends on, as one SHA-256: the study and its parsed inputs (scenario,
 * lattice, seed, turns, …, canonical JSON with sorted keys) plus the code version (package version
 * and a hash of the source files that compute results). Shards merge only when these hashes agree,
 * so a shard from an edited lattice, another seed or other code is never mixed in.
 *
 * `git describe` is recorded for people reading a shard file but is not part of the hash: a commit
 * that changes no source file must not invalidate shards that are still running.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is sim/cluster/hash.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Folders whose source files compute results (the CLI formats them; beamlines feed spectra and capacity). */
const SOURCE_DIRS = ['lattice', 'sim', 'beamlines'];
const SOURCE_EXT = /\.(ts|mjs|json|yaml|csv|txt)$/;

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * JSON with object keys sorted at every level, so equal data gives equal text. Numbers are written
 * as JavaScript writes them (shortest round-trip form), non-finite numbers as strings, typed arrays
 * as lists.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>, sortKeys);
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined && typeof x !== 'function') out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

function listSources(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) listSources(p, out);
    else if (SOURCE_EXT.test(e.name)) out.push(p);
  }
}

export interface CodeVersion {
  packageVersion: string;
  /** SHA-256 over (path, SHA-256 of content) of every source file under lattice/, sim/, beamlines/. */
  sourcesHash: string;
  /** `git describe --always --dirty`, or null outside a git checkout (informational only). */
  gitDescribe: string | null;
}

let cachedVersion: CodeVersion | undefined;

export function codeVersion(): CodeVersion {
  if (cachedVersion) return cachedVersion;
  const files: string[] = [];
  for (const d of SOURCE_DIRS) listSources(join(REPO_ROOT, d), files);
  files.sort();
  const h = createHash('sha256');
  for (const f of files) h.update(`${relative(REPO_ROOT, f)}\0${sha256(readFileSync(f))}\n`);
  let gitDescribe: string | null = null;
  try {
    gitDescribe = execFileSync('git', ['describe', '--always', '--dirty'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    gitDescribe = null;
  }
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string };
  cachedVersion = { packageVersion: pkg.version ?? '0.0.0', sourcesHash: h.digest('hex'), gitDescribe };
  return cachedVersion;
}

/** The hash that every shard of one study must share. */
export function inputsHash(study: string, inputs: unknown, code: CodeVersion = codeVersion()): string {
  return sha256(canonicalJson({ study, inputs, packageVersion: code.packageVersion, sourcesHash: code.sourcesHash }));
}
