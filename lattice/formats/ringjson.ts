/**
 * Reader of `ring-lattice-json/1`, the simple JSON of the reference lattices in
 * ../shared/reference/lattices (written from pyAT). Field names map as follows:
 * gap (FULL gap) → hgap = gap/2; fint1/fint2 → fint/fintx; num_int_steps → nSteps;
 * fringe_quad_entrance/exit → fringeQuadEntrance/Exit; rfcavity timelag [m] is not modelled
 * (warned when non-zero); fringe_bend_entrance/exit = 1 is the default pyAT model.
 */
import { LatticeError, makeElement, type Element } from '../elements.ts';
import { makeLattice } from '../lattice.ts';
import type { LatticeFormat, LoadResult, ParseOptions } from './index.ts';

const RENAME: Record<string, string> = {
  num_int_steps: 'nSteps',
  fringe_quad_entrance: 'fringeQuadEntrance',
  fringe_quad_exit: 'fringeQuadExit',
  fint1: 'fint',
  fint2: 'fintx',
};
const IGNORED = new Set(['fringe_bend_entrance', 'fringe_bend_exit']);

export function parseRingJson(text: string, opts: ParseOptions = {}): LoadResult {
  const file = opts.file;
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new LatticeError(`not valid JSON (${(err as Error).message})`, { file });
  }
  if (doc?.format !== 'ring-lattice-json/1') {
    throw new LatticeError(`expected "format": "ring-lattice-json/1" (got ${JSON.stringify(doc?.format)})`, { file, field: 'format' });
  }
  if (!Array.isArray(doc.elements)) throw new LatticeError('"elements" must be a list', { file, field: 'elements' });
  const warnings: string[] = [];
  const elements: Element[] = doc.elements.map((raw: any, i: number) => {
    if (raw === null || typeof raw !== 'object') throw new LatticeError(`elements[${i}] is not an object`, { file });
    const spec: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) {
      if (IGNORED.has(k)) {
        if (v !== 1) warnings.push(`${raw.name}: ${k} = ${v} is not modelled (pyAT default 1 used)`);
        continue;
      }
      if (k === 'gap') { spec.hgap = (v as number) / 2; continue; }
      if (k === 'timelag') { if (v !== 0) warnings.push(`${raw.name}: timelag ${v} m not modelled`); continue; }
      spec[RENAME[k] ?? k] = v;
    }
    if (spec.type === 'rfcavity') {
      spec.harmonic ??= 0;
    }
    try {
      return makeElement(spec, { file });
    } catch (err) {
      if (err instanceof LatticeError) throw new LatticeError(`elements[${i}]: ${err.message.replace(/^[^:]*\.json: /, '')}`, { file });
      throw err;
    }
  });
  const lattice = makeLattice({
    name: doc.name ?? 'lattice',
    energyEV: doc.energy,
    particle: 'electron',
    periodicity: doc.periodicity ?? 1,
    elements,
    source: doc.source,
  });
  return { lattice, warnings };
}

export const ringJsonFormat: LatticeFormat = {
  name: 'ring-lattice-json',
  extensions: [],
  parse: parseRingJson,
};
