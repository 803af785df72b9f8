import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ELEMENT_FIELDS, ELEMENT_TYPES, LatticeError, type Element } from '../../../lattice/elements.ts';
import { circumference, type Lattice } from '../../../lattice/lattice.ts';
import { loadLattice, writeLattice } from '../../../lattice/formats/index.ts';
import { latticeJsonSchema, parseLatticeJson, parseNativeJson, writeNativeJson } from '../../../lattice/formats/json.ts';
import { allTypesLattice } from '../../fixtures/elegant/samples.ts';
import { latticeErrorOf as thrown } from '../../helpers.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCHEMA_PATH = join(HERE, '../../../lattice/formats/nanoterasu-lattice.schema.json');

function sameElement(a: Element, b: Element): boolean {
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  if (Object.keys(ra).sort().join() !== Object.keys(rb).sort().join()) return false;
  return Object.keys(ra).every((k) => {
    const x = ra[k];
    const y = rb[k];
    return Array.isArray(x) ? Array.isArray(y) && x.length === y.length && x.every((v, j) => Object.is(v, y[j])) : Object.is(x, y);
  });
}
function expectSameLattice(a: Lattice, b: Lattice): void {
  expect({ ...b, elements: b.elements.length }).toEqual({ ...a, elements: a.elements.length });
  a.elements.forEach((e, i) => expect(sameElement(e, b.elements[i]), `element ${i} '${e.name}'`).toBe(true));
}

const doc = (elements: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ format: 'nanoterasu-lattice/1', name: 'T', energyEV: 3e9, elements, ...extra });

describe('nanoterasu-lattice/1', () => {
  it('write → read gives the same lattice number for number (every type, −0 included)', () => {
    const lat = allTypesLattice(16);
    const text = writeNativeJson(lat);
    const back = parseNativeJson(text, { file: 'x.json' });
    expect(back.warnings).toEqual([]);
    expectSameLattice(lat, back.lattice);
    expect(writeNativeJson(back.lattice)).toBe(text);
    expect(text).toContain('{"type": "quadrupole", "name": "QD", "length": 0.3, "dx": -0, "k1": -1.9}');
  });

  it('is pretty: one element per line, standard JSON', () => {
    const lat = allTypesLattice(2);
    const text = writeNativeJson(lat);
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBe(lat.elements.length + 10);
    expect(JSON.parse(text).elements.length).toBe(lat.elements.length);
  });

  it('errors name the element index, name and field', () => {
    const good = { type: 'drift', name: 'D', length: 1 };
    let e = thrown(() => parseNativeJson(doc([good, good, { type: 'quadrupole', name: 'QF', length: 0.3, k11: 2 }]), { file: 'r.json' }));
    expect(e.message).toBe("r.json: element 'QF', field 'k11': elements[2]: unknown field for a quadrupole (known: name, length, comment, nSteps, dx, dy, tilt, k1, k2, k3, k1s, k2s, k3s, fringeQuadEntrance, fringeQuadExit)");
    e = thrown(() => parseNativeJson(doc([{ type: 'drift', name: 'D7', length: -2 }]), { file: 'r.json' }));
    expect(e.message).toMatch(/^r\.json: element 'D7', field 'length': elements\[0\]: must be ≥ 0/);
    e = thrown(() => parseNativeJson(doc([{ type: 'sbend', name: 'B', length: 1, angle: 'x' }]), { file: 'r.json' }));
    expect(e.message).toMatch(/element 'B', field 'angle': elements\[0\]: must be a finite number \(got "x"\)/);
    e = thrown(() => parseNativeJson(doc([{ type: 'marker', name: 'M', length: 0.2 }])));
    expect(e.message).toMatch(/element 'M', field 'length'.*a marker has zero length/);
    e = thrown(() => parseNativeJson(doc([{ type: 'solenoid', name: 'S', length: 1 }])));
    expect(e.message).toMatch(/element 'S', field 'type'.*unknown element type "solenoid"/);
    e = thrown(() => parseNativeJson(doc([good], { energy: 3e9 })));
    expect(e.message).toMatch(/field 'energy': unknown top-level key/);
    e = thrown(() => parseNativeJson(doc([good], { periodicity: 0 }), { file: 'r.json' }));
    expect(e.message).toMatch(/^r\.json: field 'periodicity'/);
  });

  it('invalid JSON names the line and column', () => {
    const e = thrown(() => parseNativeJson('{\n  "format": "nanoterasu-lattice/1",\n  "name": ,\n}', { file: 'bad.json' }));
    expect(e.message).toMatch(/^bad\.json:3:11: not valid JSON/);
  });
});

describe('.json dispatch on the format key', () => {
  const ring = JSON.stringify({
    format: 'ring-lattice-json/1', name: 'example_dba', energy: 3e9, periodicity: 16,
    elements: [
      { name: 'DS', type: 'drift', length: 2.5 },
      { name: 'QF1', type: 'quadrupole', length: 0.35, k1: 2.5074, num_int_steps: 10 },
      { name: 'B', type: 'sbend', length: 1.6, angle: 0.19635, k1: -0.3, e1: 0.098175, e2: 0.098175, gap: 0.03, fint1: 0.5, fint2: 0.5 },
      { name: 'MID', type: 'marker' },
    ],
  });

  it('reads ring-lattice-json/1 through ringjson.ts and nanoterasu-lattice/1 natively', () => {
    const r = parseLatticeJson(ring);
    expect(r.lattice.periodicity).toBe(16);
    expect(r.lattice.elements[2]).toMatchObject({ type: 'sbend', hgap: 0.015, fint: 0.5 });
    expect(circumference(r.lattice)).toBeCloseTo(16 * 4.45, 12);
    const n = parseLatticeJson(writeNativeJson(r.lattice));
    expectSameLattice(r.lattice, n.lattice);
    expect(thrown(() => parseLatticeJson('{"format": "other/2", "elements": []}', { file: 'o.json' })).message)
      .toMatch(/^o\.json: field 'format': unknown lattice JSON "format" "other\/2"/);
  });

  it('loadLattice / writeLattice use it for .json files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ntjson-'));
    writeFileSync(join(dir, 'ref.json'), ring);
    const r = loadLattice(join(dir, 'ref.json'));
    expect(r.lattice.name).toBe('example_dba');
    const lat = allTypesLattice(3);
    writeFileSync(join(dir, 'all.json'), writeLattice(lat, 'all.json'));
    expectSameLattice(lat, loadLattice(join(dir, 'all.json')).lattice);
  });
});

describe('the published JSON Schema', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));

  it('lists exactly the fields of ELEMENT_FIELDS for each type, with the same required ones', () => {
    expect(Object.keys(schema.$defs).filter((k) => k !== 'element').sort()).toEqual([...ELEMENT_TYPES].sort());
    for (const t of ELEMENT_TYPES) {
      const def = schema.$defs[t];
      expect(Object.keys(def.properties).filter((k) => k !== 'type').sort(), t).toEqual(Object.keys(ELEMENT_FIELDS[t]).sort());
      const required = Object.entries(ELEMENT_FIELDS[t]).filter(([, f]) => f.required).map(([k]) => k);
      expect(def.required.filter((k: string) => k !== 'type').sort(), t).toEqual(required.sort());
      expect(def.additionalProperties).toBe(false);
      for (const [k, f] of Object.entries(ELEMENT_FIELDS[t])) {
        if (f.def !== undefined) expect(def.properties[k].default, `${t}.${k}`).toEqual(f.def);
      }
    }
  });

  it('is the file latticeJsonSchema() generates (regenerate it when elements.ts changes)', () => {
    expect(schema).toEqual(latticeJsonSchema());
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('accepts what the writer writes (checked with a small validator of the keywords the schema uses)', () => {
    const text = writeNativeJson(allTypesLattice(2));
    expect(validate(schema, JSON.parse(text), schema)).toEqual([]);
    const bad = JSON.parse(text);
    bad.elements[0].lenght = 1;
    bad.elements[1].length = -1;
    expect(validate(schema, bad, schema).length).toBeGreaterThan(0);
  });
});

/** Validates the subset of draft 2020-12 that the schema uses; returns the errors. */
function validate(s: any, v: any, root: any, path = '$'): string[] {
  if (s.$ref) return validate(root.$defs[s.$ref.replace('#/$defs/', '')], v, root, path);
  const errs: string[] = [];
  if (s.oneOf) {
    const ok = s.oneOf.filter((sub: any) => validate(sub, v, root, path).length === 0).length;
    if (ok !== 1) errs.push(`${path}: matches ${ok} of oneOf`);
    return errs;
  }
  if ('const' in s && v !== s.const) errs.push(`${path}: not ${s.const}`);
  if (s.enum && !s.enum.includes(v)) errs.push(`${path}: not in enum`);
  if (s.type === 'number' && typeof v !== 'number') errs.push(`${path}: not a number`);
  if (s.type === 'integer' && !Number.isInteger(v)) errs.push(`${path}: not an integer`);
  if (s.type === 'string' && typeof v !== 'string') errs.push(`${path}: not a string`);
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) errs.push(`${path}: < minimum`);
    if (s.exclusiveMinimum !== undefined && !(v > s.exclusiveMinimum)) errs.push(`${path}: ≤ exclusiveMinimum`);
  }
  if (s.type === 'array') {
    if (!Array.isArray(v)) return [...errs, `${path}: not an array`];
    if (s.minItems && v.length < s.minItems) errs.push(`${path}: too few items`);
    v.forEach((x, i) => errs.push(...validate(s.items, x, root, `${path}[${i}]`)));
  }
  if (s.type === 'object') {
    if (v === null || typeof v !== 'object') return [...errs, `${path}: not an object`];
    for (const r of s.required ?? []) if (!(r in v)) errs.push(`${path}: missing ${r}`);
    for (const [k, x] of Object.entries(v)) {
      if (s.properties?.[k]) errs.push(...validate(s.properties[k], x, root, `${path}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${path}: unexpected ${k}`);
    }
  }
  return errs;
}
