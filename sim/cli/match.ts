/**
 * `nanoterasu match FILE.yaml`: fits magnet families to optics targets (sim/optics/matching.ts).
 *
 *   npx nanoterasu match problem.yaml [--json] [--save FILE]
 *
 * The problem file (errors name its line):
 *
 *   lattice: test/fixtures/reference/ebs_hmba.json   # optional; default the built-in ring;
 *                                                    # relative to the YAML file's folder
 *   format: ring-lattice-json                        # optional, when the extension does not say
 *   variables:                                       # one entry per family (powered together)
 *     - family: QF8*          # element name, glob (* ?) or /regex/
 *       field: k1             # optional: k1 (default), k2 (default for sextupoles), k3, k1s, k2s, k3s
 *       min: 0                # optional bounds
 *       max: 5
 *     - family: QD5*
 *   targets:
 *     - tune: x               # full tune with its integer part
 *       value: 76.22
 *     - chromaticity: y
 *       value: 2
 *     - beta: x               # also alpha, eta, etap: at the entrance of element `at`
 *       at: IDMarker
 *       value: 6.9
 *       weight: 1             # optional (default 1)
 *       tolerance: 1e-6       # optional (default: tunes 1e-9, chromaticity 1e-6, others 1e-9·max(1,|value|))
 *   maxIterations: 100        # optional
 *
 * Prints each variable (initial → final) and each target (wanted, got, residual); targets not met
 * are listed as missed and the exit code is 1. --save writes the matched lattice (format from the
 * extension: .json native, .madx, .lte).
 */
import { writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Command } from 'commander';
import { loadLattice, writeLattice } from '../../lattice/formats/index.ts';
import type { Lattice } from '../../lattice/lattice.ts';
import { describeMissed, match, type MatchTarget, type MatchVariable, type StrengthField, type TargetKind } from '../optics/matching.ts';
import { loadYaml, type YamlDoc } from '../scenario/yaml.ts';
import { UserError } from './main.ts';

const KINDS: TargetKind[] = ['tune', 'chromaticity', 'beta', 'alpha', 'eta', 'etap'];
const FIELDS: StrengthField[] = ['k1', 'k2', 'k3', 'k1s', 'k2s', 'k3s'];

export interface MatchProblem {
  latticeFile?: string;
  format?: string;
  variables: MatchVariable[];
  targets: MatchTarget[];
  maxIterations?: number;
}

/** Validates a parsed problem file; every error names its line. */
export function readProblem(doc: YamlDoc): MatchProblem {
  const d = doc.data as Record<string, unknown> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw doc.error([], 'expected a mapping with variables and targets');
  const known = ['lattice', 'format', 'variables', 'targets', 'maxIterations'];
  for (const k of Object.keys(d)) if (!known.includes(k)) throw doc.error([k], `unknown key (known: ${known.join(', ')})`);
  const num = (path: (string | number)[], v: unknown, what: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw doc.error(path, `${what} must be a number (got ${JSON.stringify(v)})`);
    return v;
  };
  const str = (path: (string | number)[], v: unknown, what: string): string => {
    if (typeof v !== 'string' || v === '') throw doc.error(path, `${what} must be a non-empty string`);
    return v;
  };
  if (!Array.isArray(d.variables) || d.variables.length === 0) throw doc.error(['variables'], 'needs a list of at least one variable');
  if (!Array.isArray(d.targets) || d.targets.length === 0) throw doc.error(['targets'], 'needs a list of at least one target');
  const variables = d.variables.map((raw, i): MatchVariable => {
    const p = ['variables', i];
    if (!raw || typeof raw !== 'object') throw doc.error(p, 'each variable is a mapping with a family');
    const v = raw as Record<string, unknown>;
    for (const k of Object.keys(v)) if (!['family', 'field', 'min', 'max'].includes(k)) throw doc.error([...p, k], 'unknown key (known: family, field, min, max)');
    const out: MatchVariable = { family: str([...p, 'family'], v.family, 'family') };
    if (v.field !== undefined) {
      if (!FIELDS.includes(v.field as StrengthField)) throw doc.error([...p, 'field'], `field must be one of ${FIELDS.join(', ')}`);
      out.field = v.field as StrengthField;
    }
    if (v.min !== undefined) out.min = num([...p, 'min'], v.min, 'min');
    if (v.max !== undefined) out.max = num([...p, 'max'], v.max, 'max');
    if (out.min !== undefined && out.max !== undefined && out.min > out.max) throw doc.error([...p, 'min'], 'min is above max');
    return out;
  });
  const targets = d.targets.map((raw, i): MatchTarget => {
    const p = ['targets', i];
    if (!raw || typeof raw !== 'object') throw doc.error(p, 'each target is a mapping such as {tune: x, value: 28.17}');
    const t = raw as Record<string, unknown>;
    const kinds = KINDS.filter((k) => k in t);
    if (kinds.length !== 1) throw doc.error(p, `a target names exactly one of ${KINDS.join(', ')} (with the plane x or y)`);
    const kind = kinds[0];
    for (const k of Object.keys(t)) if (![kind, 'at', 'value', 'weight', 'tolerance'].includes(k)) throw doc.error([...p, k], 'unknown key (known: the kind, at, value, weight, tolerance)');
    const plane = t[kind];
    if (plane !== 'x' && plane !== 'y') throw doc.error([...p, kind], `the plane must be x or y (got ${JSON.stringify(plane)})`);
    const out: MatchTarget = { kind, plane, value: num([...p, 'value'], t.value, 'value') };
    if (kind !== 'tune' && kind !== 'chromaticity') out.at = str([...p, 'at'], t.at, `'at' (the element of this ${kind} target)`);
    else if (t.at !== undefined) throw doc.error([...p, 'at'], `a ${kind} target is ring-wide: no 'at'`);
    if (t.weight !== undefined) {
      out.weight = num([...p, 'weight'], t.weight, 'weight');
      if (!(out.weight > 0)) throw doc.error([...p, 'weight'], 'weight must be positive');
    }
    if (t.tolerance !== undefined) {
      out.tolerance = num([...p, 'tolerance'], t.tolerance, 'tolerance');
      if (!(out.tolerance > 0)) throw doc.error([...p, 'tolerance'], 'tolerance must be positive');
    }
    return out;
  });
  const problem: MatchProblem = { variables, targets };
  if (d.lattice !== undefined) problem.latticeFile = str(['lattice'], d.lattice, 'lattice');
  if (d.format !== undefined) problem.format = str(['format'], d.format, 'format');
  if (d.maxIterations !== undefined) {
    const m = num(['maxIterations'], d.maxIterations, 'maxIterations');
    if (!Number.isInteger(m) || m < 1) throw doc.error(['maxIterations'], 'maxIterations must be a whole number ≥ 1');
    problem.maxIterations = m;
  }
  return problem;
}

async function problemLattice(problem: MatchProblem, yamlFile: string): Promise<Lattice> {
  if (problem.latticeFile) {
    const path = isAbsolute(problem.latticeFile) ? problem.latticeFile : join(dirname(yamlFile), problem.latticeFile);
    return loadLattice(path, problem.format ? { format: problem.format } : {}).lattice;
  }
  const { nanoterasuRing } = await import('../../lattice/nanoterasu.ts');
  return nanoterasuRing();
}

export function register(program: Command): void {
  program
    .command('match')
    .description('fit quadrupole/sextupole families to tunes, chromaticity and optics targets (YAML problem file)')
    .argument('<file.yaml>', 'matching problem (see sim/cli/match.ts for the schema)')
    .option('--json', 'print JSON')
    .option('--save <file>', 'write the matched lattice (format from the extension)')
    .action(async (file: string, opts: { json?: boolean; save?: string }) => {
      const doc = loadYaml(file);
      const problem = readProblem(doc);
      const lattice = await problemLattice(problem, file);
      const res = match(lattice, problem.variables, problem.targets, { maxIterations: problem.maxIterations });
      if (opts.save) {
        let text: string;
        try {
          text = writeLattice(res.lattice, opts.save);
        } catch (err) {
          throw new UserError(`cannot save the matched lattice as ${opts.save}: ${(err as Error).message}`);
        }
        writeFileSync(opts.save, text);
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({
          variables: res.variables,
          targets: res.targets.map((t) => ({ ...t.target, label: t.label, achieved: t.achieved, residual: t.residual, met: t.met })),
          missed: describeMissed(res),
          iterations: res.iterations,
          evaluations: res.evaluations,
          cost: res.cost,
        }, null, 1)}\n`);
      } else {
        const lines = ['variables:'];
        for (const v of res.variables) lines.push(`  ${v.family} (${v.members} × ${v.field}): ${v.initial} → ${v.final}`);
        lines.push('targets:');
        for (const t of res.targets) lines.push(`  ${t.label.padEnd(18)} wanted ${t.target.value}, got ${t.achieved.toPrecision(10)}, residual ${t.residual.toExponential(2)}${t.met ? '' : '  MISSED'}`);
        lines.push(`${res.iterations} iterations, ${res.evaluations} evaluations`);
        if (res.missed.length) lines.push(`missed ${res.missed.length} target(s):`, ...describeMissed(res).map((l) => `  ${l}`));
        if (opts.save) lines.push(`matched lattice written to ${opts.save}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (res.missed.length) process.exitCode = 1;
    });
}
