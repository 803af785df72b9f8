/**
 * The validating reader of the beamline YAML files (the catalogue, `ports.yaml`, `spring8.yaml`
 * and the optics files under `optics/`). Every error is a ScenarioError naming the file, the line
 * and the field path. Every number is a quantity {value, source | assumption}: `quantity` turns it
 * into a plain number and keeps its provenance by dotted field path.
 */
import type { YamlDoc } from '../../sim/scenario/yaml.ts';

/** Where a number comes from: a citation or the reason an unpublished number was chosen. */
export interface Provenance {
  source?: string;
  assumption?: string;
}

export type Path = (string | number)[];

export interface QuantityOptions {
  integer?: boolean;
  min?: number;
  max?: number;
  positive?: boolean;
}

/**
 * How quantity errors are worded. The catalogue files and the optics files word three messages
 * differently and refuse an unknown field of a quantity at a different moment:
 * - 'catalogue': after the value and the provenance, as "unknown field of a quantity (…)";
 * - 'optics': before anything else, with the message of `onlyKeys`.
 * Both are kept as they were, since users and tests see these messages.
 */
export type QuantityWording = 'catalogue' | 'optics';

const QUANTITY_KEYS = ['value', 'source', 'assumption'];

/** A reader over one YAML document that throws ScenarioErrors naming file, line and field. */
export class Reader {
  readonly provenance: Record<string, Provenance> = {};
  constructor(readonly doc: YamlDoc, readonly wording: QuantityWording = 'catalogue') {}

  fail(path: Path, msg: string): never {
    throw this.doc.error(path, msg);
  }
  at(path: Path): unknown {
    let v: unknown = this.doc.data;
    for (const k of path) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string | number, unknown>)[k];
    }
    return v;
  }
  has(path: Path): boolean {
    return this.at(path) !== undefined;
  }
  object(path: Path): Record<string, unknown> {
    const v = this.at(path);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, v === undefined ? 'missing' : 'must be a mapping');
    return v as Record<string, unknown>;
  }
  list(path: Path): unknown[] {
    const v = this.at(path);
    if (!Array.isArray(v)) this.fail(path, v === undefined ? 'missing' : 'must be a list');
    return v as unknown[];
  }
  string(path: Path): string {
    const v = this.at(path);
    if (typeof v !== 'string' || v.trim() === '') this.fail(path, v === undefined ? 'missing' : 'must be a non-empty string');
    return v as string;
  }
  oneOf<T extends string>(path: Path, options: readonly T[]): T {
    const v = this.string(path);
    if (!options.includes(v as T)) this.fail(path, `must be one of ${options.join(', ')}, got "${v}"`);
    return v as T;
  }
  /** A quantity {value, source | assumption}; records its provenance. */
  quantity(path: Path, opts: QuantityOptions = {}): number {
    const optics = this.wording === 'optics';
    const v = this.at(path);
    if (typeof v === 'number') {
      this.fail(path, optics
        ? `a bare number (${v}); write {value: ${v}, assumption: "…"} or {value: ${v}, source: "…"}`
        : `a bare number (${v}); write {value: ${v}, source: "…"} or {value: ${v}, assumption: "…"}`);
    }
    if (optics) this.onlyKeys(path, QUANTITY_KEYS);
    const o = this.object(path);
    const value = o.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail([...path, 'value'], 'must be a finite number');
    const hasSource = typeof o.source === 'string' && o.source.trim() !== '';
    const hasAssumption = typeof o.assumption === 'string' && o.assumption.trim() !== '';
    if (!hasSource && !hasAssumption) {
      this.fail(path, optics
        ? 'needs a "source" or an "assumption" saying where the number comes from'
        : 'needs a "source" or an "assumption" (a non-empty string) saying where the number comes from');
    }
    if (!optics) for (const k of Object.keys(o)) if (!QUANTITY_KEYS.includes(k)) this.fail([...path, k], 'unknown field of a quantity (value, source, assumption)');
    const x = value as number;
    if (opts.integer && !Number.isInteger(x)) this.fail([...path, 'value'], `must be an integer, got ${x}`);
    if (opts.positive && !(x > 0)) this.fail([...path, 'value'], `must be > 0, got ${x}`);
    if (opts.min !== undefined && x < opts.min) this.fail([...path, 'value'], `must be ≥ ${opts.min}, got ${x}`);
    if (opts.max !== undefined && x > opts.max) this.fail([...path, 'value'], `must be ≤ ${opts.max}, got ${x}`);
    this.provenance[path.join('.')] = hasSource ? { source: o.source as string } : { assumption: o.assumption as string };
    return x;
  }
  /** {min, max}: two positive quantities with max > min. */
  range(path: Path): { min: number; max: number } {
    const min = this.quantity([...path, 'min'], { positive: true });
    const max = this.quantity([...path, 'max'], { positive: true });
    if (!(max > min)) this.fail([...path, 'max'], `must exceed min (${min}), got ${max}`);
    return { min, max };
  }
  /** The mapping at path, refusing any key not in `allowed`. */
  onlyKeys(path: Path, allowed: string[]): void {
    const o = this.object(path);
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.fail([...path, k], `unknown field (expected one of ${allowed.join(', ')})`);
  }
}
