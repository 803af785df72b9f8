/**
 * The scenario file: its zod schema, the section interface that later modules implement, and the
 * conversion of zod's errors into messages that name the field and its YAML line.
 *
 * A scenario is a YAML mapping:
 *   name:        results file stem (letters, digits, . _ -); default: the file name
 *   description: free text
 *   lattice:     which ring (always present; see `latticeSectionSchema`)
 *   <section>:   one key per registered section (optics, tracking, …), each optional
 * Sections are registered in the SECTIONS table of `run.ts` (the one extension point); this file
 * builds the top-level schema from that table, so a new section needs no change here.
 */
import { z } from 'zod';
import type { Lattice } from '../../lattice/lattice.ts';
import type { LatticeSummary } from '../../lattice/summary.ts';
import type { Survey } from '../../lattice/survey.ts';
import type { YamlDoc } from './yaml.ts';

/** What a section's `run` gets: the ring, earlier results, and a way to report problems. */
export interface RunContext {
  /** The scenario file (for messages) and its folder (relative paths inside it resolve from there). */
  readonly file: string;
  readonly dir: string;
  /** The YAML document: `doc.error(['optics', 'x'], 'msg')` makes a ScenarioError naming that line. */
  readonly doc: YamlDoc;
  /** The lattice of the `lattice` section (the whole ring as built or loaded). */
  readonly lattice: Lattice;
  readonly latticeSummary: LatticeSummary;
  /** Floor coordinates of the whole ring. */
  readonly survey: Survey;
  /** Results of the sections that ran before this one (table order), by section name. */
  readonly results: ReadonlyMap<string, unknown>;
  /** The result of an earlier section; a ScenarioError saying the scenario needs it if absent. */
  resultOf<T>(section: string): T;
  /** Adds a warning to the report and the bundle. */
  warn(message: string): void;
}

/**
 * One section of a scenario (optics, tracking, topup, sources, beamlines, capacity, …).
 * C is the validated configuration (the zod output), R the result.
 */
export interface ScenarioSection<C = any, R = any> {
  /** Top-level YAML key. */
  readonly name: string;
  /** One line saying what the section computes (shown in `run --help`). */
  readonly summary: string;
  /** Validates the section's YAML; use `.strict()` objects so that unknown fields are errors. */
  readonly schema: z.ZodType<C, z.ZodTypeDef, unknown>;
  /** Computes the result. May be async. Throw ScenarioError (via ctx.doc.error) for user mistakes. */
  run(config: C, ctx: RunContext): R | Promise<R>;
  /** Readable text for the report (no header; the runner prints the section name). */
  report(result: R, config: C): string;
  /**
   * JSON-ready form of the result for the results bundle (default: the result itself, with typed
   * arrays written as plain arrays). Keep it plain data: the 3D view reads it.
   */
  bundle?(result: R, config: C): unknown;
}

/** Built-in lattices known to the `lattice` section. */
export const BUILTIN_LATTICES = ['nanoterasu'] as const;

const familyChange = z
  .object({
    lengthM: z.number().positive().optional(),
    k1: z.number().finite().optional(),
    k2: z.number().finite().optional(),
  })
  .strict();

/**
 * The `lattice` section: a built-in ring or a file.
 *   builtin: nanoterasu           the built-in ring (lattice/nanoterasu.ts)
 *   file: rings/x.madx            or a lattice file, relative to the scenario file
 *   format: madx                  the file's format when its extension does not say
 *   rfVoltageMV: 3.39             total RF voltage; for a file, every cavity is scaled to reach it
 *   rfStraight / injectionStraight: 1…16   built-in only: where the RF and the injection sit
 *   families: { QA: { k1: 1.99 } } built-in only: family lengthM/k1/k2 changes (bend angles stay 2π/64)
 */
export const latticeSectionSchema = z
  .object({
    builtin: z.enum(BUILTIN_LATTICES).optional(),
    file: z.string().min(1).optional(),
    format: z.string().min(1).optional(),
    rfVoltageMV: z.number().finite().nonnegative().optional(),
    rfStraight: z.number().int().min(1).max(16).optional(),
    injectionStraight: z.number().int().min(1).max(16).optional(),
    families: z.record(z.string(), familyChange).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.builtin === undefined) === (v.file === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of `builtin` and `file`' });
    }
    if (v.format !== undefined && v.file === undefined) {
      ctx.addIssue({ code: 'custom', path: ['format'], message: '`format` applies to a `file` lattice only' });
    }
    for (const key of ['rfStraight', 'injectionStraight', 'families'] as const) {
      if (v[key] !== undefined && v.builtin === undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `\`${key}\` applies to a built-in lattice only` });
      }
    }
  });

export type LatticeSectionConfig = z.infer<typeof latticeSectionSchema>;

/** The top-level schema for a set of registered sections. */
export function scenarioSchema(sections: readonly ScenarioSection[]) {
  const shape: Record<string, z.ZodTypeAny> = {
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, dots, dashes or underscores (it names the results file)')
      .optional(),
    description: z.string().optional(),
    lattice: latticeSectionSchema,
  };
  for (const s of sections) {
    if (s.name in shape) throw new Error(`scenario section '${s.name}' is registered twice or shadows a built-in key`);
    shape[s.name] = s.schema.optional();
  }
  return z.object(shape).strict();
}

/** Field names a schema accepts at a path (best effort through optional/default/refine wrappers). */
function knownKeysAt(schema: z.ZodTypeAny, path: readonly (string | number)[]): string[] | undefined {
  let s: z.ZodTypeAny | undefined = schema;
  const unwrap = (t: z.ZodTypeAny): z.ZodTypeAny => {
    for (;;) {
      if (t instanceof z.ZodOptional || t instanceof z.ZodNullable) t = t.unwrap();
      else if (t instanceof z.ZodDefault) t = t._def.innerType;
      else if (t instanceof z.ZodEffects) t = t.innerType();
      else return t;
    }
  };
  for (const key of path) {
    s = unwrap(s);
    if (s instanceof z.ZodObject) s = s.shape[key as string];
    else if (s instanceof z.ZodArray) s = s.element;
    else if (s instanceof z.ZodRecord) s = s.valueSchema;
    else return undefined;
    if (!s) return undefined;
  }
  s = unwrap(s);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : undefined;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let v = data;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** One zod issue as [path, message] in plain words. */
function explain(issue: z.ZodIssue, schema: z.ZodTypeAny, data: unknown): [(string | number)[], string] {
  const path = [...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, path);
      const key = issue.keys[0];
      const more = issue.keys.length > 1 ? ` (also: ${issue.keys.slice(1).join(', ')})` : '';
      return [[...path, key], `unknown field${more}${known ? `; known fields here: ${known.join(', ')}` : ''}`];
    }
    case 'invalid_type':
      if (issue.received === 'undefined') return [path, 'is required'];
      return [path, `must be ${article(issue.expected)} (got ${describeValue(valueAt(data, path))})`];
    case 'too_small':
      if (issue.type === 'number' || issue.type === 'bigint') {
        return [path, `must be ${issue.inclusive ? '≥' : '>'} ${issue.minimum} (got ${describeValue(valueAt(data, path))})`];
      }
      return [path, issue.message];
    case 'too_big':
      if (issue.type === 'number' || issue.type === 'bigint') {
        return [path, `must be ${issue.inclusive ? '≤' : '<'} ${issue.maximum} (got ${describeValue(valueAt(data, path))})`];
      }
      return [path, issue.message];
    case 'invalid_enum_value':
      return [path, `must be one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')} (got ${describeValue(issue.received)})`];
    case 'invalid_literal':
      return [path, `must be ${JSON.stringify(issue.expected)} (got ${describeValue(issue.received)})`];
    default:
      return [path, issue.message];
  }
}

function article(t: string): string {
  if (t === 'integer') return 'a whole number';
  if (t === 'object') return 'a mapping';
  if (t === 'array') return 'a list';
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/**
 * Validates YAML data against a schema. On failure throws one ScenarioError naming the first
 * problem's field and line; the others follow on their own lines, in the same form.
 */
export function validate<T>(doc: YamlDoc, schema: z.ZodType<T, z.ZodTypeDef, unknown>, data: unknown = doc.data, basePath: (string | number)[] = []): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const problems = r.error.issues.map((iss) => {
    const [path, message] = explain(iss, schema as unknown as z.ZodTypeAny, data);
    return doc.error([...basePath, ...path], message);
  });
  const first = problems[0];
  if (problems.length > 1) first.message += '\n' + problems.slice(1).map((p) => p.message).join('\n');
  throw first;
}
