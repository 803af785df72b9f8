/**
 * What a shard's result depends on, as one SHA-256: the study and its parsed inputs (scenario,
 * lattice, seed, turns, …, canonical JSON with sorted keys) plus the code version (package version
 * and a hash of the source files the study command imports, directly or not, and the data files
 * beside them). Shards merge only when these hashes agree,
 * so a shard from an edited lattice, another seed or other code is never mixed in.
 *
 * `git describe` is recorded for people reading a shard file but is not part of the hash: a commit
 * that changes no source file must not invalidate shards that are still running.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is sim/cluster/hash.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The command registry: it imports every command, but computes nothing; not followed. */
const NOT_FOLLOWED = new Set(['sim/cli/main.ts']);
const CODE_EXT = /\.(ts|mjs)$/;
const DATA_EXT = /\.(json|yaml|yml|csv|txt|dat)$/;
/** Relative module specifiers: static and dynamic imports, worker URLs (`new URL('./x.mjs', import.meta.url)`). */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|new\s+URL\(\s*)(['"])(\.{1,2}\/[^'"]+)\1/g;

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

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function dataFilesUnder(dir: string, out: Set<string>): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) dataFilesUnder(p, out);
    else if (DATA_EXT.test(e.name)) out.add(p);
  }
}

/**
 * The source files a command's results depend on: the transitive closure of relative imports
 * (static, dynamic, worker URLs) from its entry modules, without the command registry, plus the
 * data files (tables, catalogue) in and below the folders of those modules, which they read at run
 * time. Paths are absolute, sorted.
 */
export function sourceClosure(entries: string[]): string[] {
  const seen = new Set<string>();
  const data = new Set<string>();
  const stack = entries.map((e) => resolve(REPO_ROOT, e));
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f) || NOT_FOLLOWED.has(relative(REPO_ROOT, f)) || !isFile(f)) continue;
    seen.add(f);
    dataFilesUnder(dirname(f), data);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(SPECIFIER)) {
      const target = resolve(dirname(f), m[2]);
      if (CODE_EXT.test(target)) stack.push(target);
    }
  }
  return [...seen, ...data].sort();
}

export interface CodeVersion {
  packageVersion: string;
  /** SHA-256 over (path, SHA-256 of content) of the source files of the command (sourceClosure). */
  sourcesHash: string;
  /** How many files that hash covers. */
  sourceFiles: number;
  /** `git describe --always --dirty`, or null outside a git checkout (informational only). */
  gitDescribe: string | null;
}

const cachedVersion = new Map<string, CodeVersion>();

/** The code version of a study command (sim/cli/<study>.ts and everything it imports). */
export function codeVersion(study: string): CodeVersion {
  const hit = cachedVersion.get(study);
  if (hit) return hit;
  const files = sourceClosure([`sim/cli/${study}.ts`]);
  const h = createHash('sha256');
  for (const f of files) h.update(`${relative(REPO_ROOT, f)}\0${sha256(readFileSync(f))}\n`);
  let gitDescribe: string | null = null;
  try {
    gitDescribe = execFileSync('git', ['describe', '--always', '--dirty'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    gitDescribe = null;
  }
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string };
  const v = { packageVersion: pkg.version ?? '0.0.0', sourcesHash: h.digest('hex'), sourceFiles: files.length, gitDescribe };
  cachedVersion.set(study, v);
  return v;
}

/** The hash that every shard of one study must share. */
export function inputsHash(study: string, inputs: unknown, code: CodeVersion = codeVersion(study)): string {
  return sha256(canonicalJson({ study, inputs, packageVersion: code.packageVersion, sourcesHash: code.sourcesHash }));
}
