/**
 * YAML with line numbers: parse a file and find the line of any path in it, so that a validation
 * error can say "scenarios/x.yaml:12: capacity.sharedFraction: must be ≤ 1".
 */
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

export class ScenarioError extends Error {
  constructor(message: string, readonly file?: string, readonly line?: number, readonly path?: string) {
    super(`${file ?? '(scenario)'}${line !== undefined ? `:${line}` : ''}: ${path ? `${path}: ` : ''}${message}`);
    this.name = 'ScenarioError';
  }
}

export interface YamlDoc {
  file: string;
  data: unknown;
  /** 1-based line of the value at a path such as ['capacity', 'beamlines', 3, 'id'] (or of its nearest parent). */
  lineOf(path: readonly (string | number)[]): number | undefined;
  /** A ScenarioError at a path, naming its line. */
  error(path: readonly (string | number)[], message: string): ScenarioError;
}

export function parseYaml(text: string, file = '(scenario)'): YamlDoc {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    // With prettyErrors off, linePos is not filled in: find the line from the offset.
    const line = e.linePos?.[0]?.line ?? (e.pos ? lc.linePos(e.pos[0]).line : undefined);
    throw new ScenarioError(`YAML syntax error: ${e.message.split('\n')[0]}`, file, line);
  }
  const data = doc.toJS();
  const lineOf = (path: readonly (string | number)[]) => {
    let node: unknown = doc.contents;
    let best: number | undefined = node && (node as Node).range ? lc.linePos((node as Node).range![0]).line : undefined;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p: any) => (p.key?.value ?? p.key) === key);
        if (!pair) break;
        const k = pair.key as Node | undefined;
        if (k?.range) best = lc.linePos(k.range[0]).line;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        if ((node as Node)?.range) best = lc.linePos((node as Node).range![0]).line;
      } else break;
    }
    return best;
  };
  return {
    file,
    data,
    lineOf,
    error: (path, message) => new ScenarioError(message, file, lineOf(path), path.join('.')),
  };
}

export function loadYaml(file: string): YamlDoc {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(`cannot read the file (${(err as Error).message})`, file);
  }
  return parseYaml(text, file);
}
