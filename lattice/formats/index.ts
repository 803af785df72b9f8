/**
 * File formats, registered by extension in one table (as pyAT does): `.madx`/`.seq`/`.mad`
 * (MAD-X), `.lte` (elegant), `.json` (native `nanoterasu-lattice/1`, and the reference
 * `ring-lattice-json/1` read-only). `loadLattice` picks the format from the extension unless one
 * is given.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LatticeError } from '../elements.ts';
import type { Lattice } from '../lattice.ts';

export interface LoadResult {
  lattice: Lattice;
  /** Every element the reader could not model exactly (became a drift or marker), and other notes. */
  warnings: string[];
}

export interface ParseOptions {
  /** File name for error messages. */
  file?: string;
  /** MAD-X: the sequence or line to use when the file has no USE (default: the last one defined). */
  use?: string;
  /** Beam energy [eV] when the file gives none. */
  energyEV?: number;
  /** Read another file (MAD-X CALL, elegant INCLUDE); defaults to the file system. */
  readFile?: (path: string) => string;
}

export interface LatticeFormat {
  name: string;
  extensions: string[];
  parse(text: string, opts?: ParseOptions): LoadResult;
  write?(lat: Lattice): string;
}

const registry: LatticeFormat[] = [];

export function registerFormat(f: LatticeFormat): void {
  registry.push(f);
}

export function formats(): readonly LatticeFormat[] {
  return registry;
}

export function formatFor(fileOrName: string): LatticeFormat {
  const byName = registry.find((f) => f.name === fileOrName);
  if (byName) return byName;
  const ext = extname(fileOrName).toLowerCase();
  const f = registry.find((x) => x.extensions.includes(ext));
  if (!f) {
    throw new LatticeError(
      `no lattice format for '${ext || fileOrName}' (known: ${registry.map((x) => `${x.name} ${x.extensions.join('/')}`).join('; ')}); give --format`,
      { file: fileOrName },
    );
  }
  return f;
}

/** Loads a lattice file; the format follows the extension unless `format` names one. */
export function loadLattice(path: string, opts: ParseOptions & { format?: string } = {}): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LatticeError(`cannot read the file (${(err as Error).message})`, { file: path });
  }
  const f = formatFor(opts.format ?? path);
  return f.parse(text, { ...opts, file: path });
}

/** Writes a lattice in a named format (or the format of a file name's extension). */
export function writeLattice(lat: Lattice, formatOrFile: string): string {
  const f = formatFor(formatOrFile);
  if (!f.write) throw new LatticeError(`format ${f.name} is read-only`);
  return f.write(lat);
}

// ---- the registry: one line per format module (each exports a LatticeFormat) ----
import { ringJsonFormat } from './ringjson.ts';
registerFormat(ringJsonFormat);
import { madxFormat } from './madx.ts';
registerFormat(madxFormat);
import { elegantFormat } from './elegant.ts';
registerFormat(elegantFormat);
import { jsonFormat } from './json.ts';
registerFormat(jsonFormat);
// madx.ts, elegant.ts and json.ts register here as they land.
