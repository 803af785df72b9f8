import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LatticeError, type Element, type SBend } from '../../../lattice/elements.ts';
import { circumference, countByType, totalBendAngle, type Lattice } from '../../../lattice/lattice.ts';
import { loadLattice, writeLattice } from '../../../lattice/formats/index.ts';
import { parseElegant, writeElegant } from '../../../lattice/formats/elegant.ts';
import { RpnMachine } from '../../../lattice/formats/rpn.ts';
import { allTypesLattice } from '../../fixtures/elegant/samples.ts';
import { latticeErrorOf as thrown } from '../../helpers.ts';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/elegant');

/** Field-by-field equality with Object.is on numbers (so −0 ≠ 0 and every bit counts). */
function expectSameLattice(a: Lattice, b: Lattice): void {
  expect(b.name).toBe(a.name);
  expect(Object.is(b.energyEV, a.energyEV)).toBe(true);
  expect(b.particle).toBe(a.particle);
  expect(b.periodicity).toBe(a.periodicity);
  expect(b.elements.length).toBe(a.elements.length);
  a.elements.forEach((e, i) => expectSameElement(e, b.elements[i]));
}
function expectSameElement(a: Element, b: Element): void {
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  expect(Object.keys(rb).sort()).toEqual(Object.keys(ra).sort());
  for (const k of Object.keys(ra)) {
    const x = ra[k];
    const y = rb[k];
    const same = Array.isArray(x)
      ? Array.isArray(y) && x.length === y.length && x.every((v, j) => Object.is(v, y[j]))
      : Object.is(x, y);
    if (!same) throw new Error(`element ${a.type} '${a.name}', field ${k}: wrote ${String(x)}, read back ${String(y)}`);
  }
}

const parse = (text: string, opts = {}) => parseElegant(text, { file: 'ring.lte', energyEV: 3e9, ...opts });

describe('elegant RPN', () => {
  const m = new RpnMachine();
  it('evaluates with elegant operand order and defns.rpn functions/constants', () => {
    expect(m.evaluate('10 4 -')).toBe(6);
    expect(m.evaluate('2 10 pow')).toBe(1024);
    expect(m.evaluate('1 2 /')).toBe(0.5);
    expect(m.evaluate('1 1 atan2')).toBeCloseTo(Math.PI / 4, 15);
    expect(m.evaluate('0.5 dasin')).toBeCloseTo(30, 12);
    expect(m.evaluate('pi')).toBe(Math.PI);
    expect(m.evaluate('mev')).toBe(0.51099906); // elegant's defns.rpn value, not CODATA 2018
    expect(m.evaluate('c_mks')).toBe(2.99792458e8);
    expect(m.evaluate('2 sqrt sqr')).toBeCloseTo(2, 15);
    expect(m.evaluate('-3 abs 1 exp ln +')).toBeCloseTo(4, 15);
    expect(m.evaluate('3 5 max2 2 min2')).toBe(2);
    expect(m.evaluate('1 2 3 rup')).toBe(2); // rup: the top goes to the bottom → [3 1 2]
    expect(m.evaluate('1 2 3 rdn')).toBe(1); // rdn: the bottom comes to the top → [2 3 1]
    expect(m.evaluate('1 2 > ? 10 : 20 $')).toBe(20);
  });
  it('sto stores and leaves the value on the stack; names are case-sensitive', () => {
    m.run('0.5 sto L1 pop');
    m.run('L1 2 * sto L2');
    expect(m.stack).toEqual([1]);
    expect(m.evaluate('L1 L2 +')).toBe(1.5);
    expect(() => m.evaluate('l1')).toThrow(/undefined RPN variable or function 'l1'/);
  });
  it('reports stack underflow and division by zero', () => {
    expect(() => m.evaluate('1 +')).toThrow(/stack underflow: '\+' needs 2 values/);
    expect(() => m.evaluate('1 0 /')).toThrow(/division by zero/);
    expect(() => m.evaluate('-1 sqrt')).toThrow(/square root of a negative/);
  });
});

describe('elegant reader: a facility-style file', () => {
  const path = join(FIX, 'dba_ring.lte');
  const { lattice: lat, warnings } = parseElegant(readFileSync(path, 'utf8'), { file: path });
  const byName = (n: string) => lat.elements.filter((e) => e.name === n);

  it('reads RPN variables, #include, continuations, copies and nested/reflected lines', () => {
    // RING = RF + 16 × CELL; CELL = HALF(10) + MID + BA + -HALF(10) + -BA + COR + W1 + MAL + COL + WIG + QFc.1
    expect(lat.elements.length).toBe(1 + 16 * 29);
    // cell 2 × 4.5 + 2 × 0.1 (BA) + 0.1 (COR) + 1.0 (WIG as drift) + 0.25 (QFc.1) = 10.55 m
    expect(Math.abs(circumference(lat) - 168.8)).toBeLessThan(1e-9);
    expect(Math.abs(totalBendAngle(lat) - 2 * Math.PI)).toBeLessThan(1e-12);
    expect(countByType(lat)).toEqual({
      rfcavity: 1, drift: 16 * 9, monitor: 32, quadrupole: 16 * 5, sextupole: 64, sbend: 16 * 4, marker: 16 * 3,
      kicker: 16, aperture: 16,
    });
    expect(lat.periodicity).toBe(1);
    expect(lat.name).toBe('RING');
  });

  it('maps KQUAD/KSEXT/CSBEND with N_KICKS/N_SLICES to nSteps', () => {
    const qf = byName('QF')[0];
    expect(qf).toMatchObject({ type: 'quadrupole', length: 0.25, k1: 2.1, nSteps: 10 }); // N_KICKS=40, 4 kicks per step
    expect(byName('QD')[0]).toMatchObject({ k1: -1.9, nSteps: 8 });
    expect(byName('SF')[0]).toMatchObject({ type: 'sextupole', k2: 45, nSteps: 4 });
    expect(byName('SD')[0]).not.toHaveProperty('nSteps');
    const b1 = byName('B1')[0] as SBend;
    expect(b1).toMatchObject({ type: 'sbend', length: 1.2, k1: -0.35, hgap: 0.015, fint: 0.5, fintx: 0.5, nSteps: 16 });
    expect(b1.angle).toBe((Math.PI * 2) / 32);
    expect(b1.e1).toBe(b1.angle / 2);
  });

  it('keeps the case of quoted names and evaluates copies with changed values', () => {
    expect(byName('QFc.1')[0]).toMatchObject({ type: 'quadrupole', k1: 2.1 * 1.05, nSteps: 10 });
    expect(byName('D2')[0]).toMatchObject({ type: 'drift', length: 0.3 });
  });

  it('swaps the edges of a reflected bend (elegant swapEdgeIndices)', () => {
    const [fwd, back] = byName('BA') as SBend[];
    expect(fwd).toMatchObject({ e1: 0.02, e2: 0, fint: 0.3, fintx: 0.5 });
    expect(back).toMatchObject({ e1: 0, e2: 0.02, fint: 0.5, fintx: 0.3 });
  });

  it('maps RFCA phase (90° = on crest) to lag = (180 − PHASE)/360', () => {
    const rf = byName('RF')[0];
    // PHASE = 180 − asin(U0/V) in degrees → lag = asin(U0/V)/(2π)
    expect(rf).toMatchObject({ type: 'rfcavity', voltage: 1.2e6, frequency: 499.654e6, harmonic: 0 });
    expect(Math.abs((rf as { lag: number }).lag - Math.asin(0.45 / 1.2) / (2 * Math.PI))).toBeLessThan(1e-15);
  });

  it('maps kickers, watch points, monitors and collimators', () => {
    expect(byName('COR')[0]).toMatchObject({ type: 'kicker', length: 0.1, hkick: 1e-5, vkick: -2e-5 });
    expect(byName('W1')[0].type).toBe('marker');
    expect(byName('BPM')[0].type).toBe('monitor');
    expect(byName('COL')[0]).toMatchObject({ type: 'aperture', shape: 'elliptical', xLimit: 0.03, yLimit: 0.008 });
  });

  it('lists every element it cannot model, and the assumed energy', () => {
    expect(warnings.some((w) => /dba_ring\.lte:24:1: element 'MAL' \(MALIGN\): MALIGN is not modelled; becomes a marker/.test(w))).toBe(true);
    expect(warnings.some((w) => /dba_ring\.lte:28:1: element 'WIG' \(WIGGLER\).*drift of 1 m/.test(w))).toBe(true);
    expect(warnings.some((w) => /no beam energy; 3 GeV assumed/.test(w))).toBe(true);
    expect(lat.energyEV).toBe(3e9);
    expect(warnings.length).toBe(3);
  });

  it('loads through the registry by extension, with the energy given', () => {
    const r = loadLattice(path, { energyEV: 2.5e9 });
    expect(r.lattice.energyEV).toBe(2.5e9);
    expect(r.warnings.some((w) => w.includes('3 GeV'))).toBe(false);
  });
});

describe('elegant reader: syntax', () => {
  it('names and types are case-insensitive; types may be abbreviated or extended', () => {
    const { lattice } = parse(`
qf: quadrupole, l=0.3, k1=1.5
Dr: DRIFT, L=1
b: sbend, l=1, angle=0.1, e1=0.05
m: marker
r: rben, l=1, angle=0.1
l1: line=(QF, dr, B, M, R)
`);
    expect(lattice.elements.map((e) => `${e.type}:${e.name}`)).toEqual([
      'quadrupole:QF', 'drift:DR', 'sbend:B', 'marker:M', 'rbend:R',
    ]);
  });

  it('expands repetition, reflection and nesting in beam order', () => {
    const { lattice } = parse(`
A: MARK
B: DRIF, L=1
C: DRIF, L=2
D: MARK
L1: LINE=(A, 2*B, -C)
L2: LINE=(2*(L1, D), -L1, 3*D)
`);
    expect(lattice.elements.map((e) => e.name).join(' ')).toBe('A B B C D A B B C D C B B A D D D');
  });

  it('uses opts.use, else a USE statement, else the last line', () => {
    const text = 'A: DRIF, L=1\nB: DRIF, L=2\nLA: LINE=(A)\nLB: LINE=(B)\n';
    expect(parse(text).lattice.name).toBe('LB');
    expect(parse(text, { use: 'la' }).lattice.name).toBe('LA');
    expect(parse(text + 'USE, LA\n').lattice.name).toBe('LA');
  });

  it('reads RING: LINE=(N*CELL) as N periods of CELL', () => {
    const text = 'D: DRIF, L=1.5\nB: CSBEND, L=1, ANGLE="pi 4 /"\nCELL: LINE=(D, B, D)\nRING: LINE=(8*CELL)\n';
    const { lattice } = parse(text);
    expect(lattice.periodicity).toBe(8);
    expect(lattice.elements.length).toBe(3);
    expect(Math.abs(totalBendAngle(lattice) - 2 * Math.PI)).toBeLessThan(1e-14);
    expect(parse(text.replace('(8*CELL)', '(8*CELL, D)')).lattice.periodicity).toBe(1);
    expect(parse(text.replace('(8*CELL)', '(-8*CELL)')).lattice.elements.length).toBe(24);
  });

  it('reads #include through opts.readFile relative to the including file', () => {
    const files: Record<string, string> = { 'lat/sub.lte': '% 2.5 sto LD\nD: DRIF, L="LD"\n' };
    const { lattice } = parseElegant('#include: "sub.lte"\nRING: LINE=(D, D)\n', {
      file: 'lat/main.lte', energyEV: 3e9, readFile: (p) => {
        if (!(p in files)) throw new Error(`no file ${p}`);
        return files[p];
      },
    });
    expect(circumference(lattice)).toBe(5);
  });

  it('handles RPN values in quotes, unquoted upper-cased names, RETURN and trailing comments', () => {
    const { lattice } = parse(`% 1.25 sto KQ
% 0.5 sto LQ     ! comment
Q: KQUAD, L=LQ, K1="KQ 2 *" ! unquoted LQ is upper-cased as elegant does
RING: LINE=(Q)
RETURN
this is not read
`);
    expect(lattice.elements[0]).toMatchObject({ length: 0.5, k1: 2.5 });
  });

  it('maps MULT (ORDER, KNL, FACTOR), RCOL/MAXAMP and warns about unmodelled parameters', () => {
    const { lattice, warnings } = parse(`
M1: MULT, ORDER=2, KNL=3.5, FACTOR=2
R1: RCOL, X_MAX=0.02, Y_MAX=0.01
MX: MAXAMP, X_MAX=0.03, Y_MAX=0.015, ELLIPTICAL=1
Q: QUAD, L=0.2, K1=1, FSE=0.01, DZ=0.001
B: SBEN, L=1, ANGLE=0.1, FSE=0.001, H1=0.2
RING: LINE=(M1, R1, MX, Q, B)
`);
    expect(lattice.elements[0]).toMatchObject({ type: 'multipole', knl: [0, 0, 7] });
    expect(lattice.elements[1]).toMatchObject({ type: 'aperture', shape: 'rectangular', xLimit: 0.02, yLimit: 0.01 });
    expect(lattice.elements[2]).toMatchObject({ type: 'aperture', shape: 'elliptical', xLimit: 0.03 });
    expect(lattice.elements[3]).toMatchObject({ k1: 1.01 });
    expect(warnings.some((w) => /ring\.lte:4:1: element 'MX'.*MAXAMP limits every element downstream/.test(w))).toBe(true);
    expect(warnings.some((w) => /element 'Q'.*DZ=0\.001 not modelled/.test(w))).toBe(true);
    expect(warnings.some((w) => /element 'B'.*FSE=0\.001 not modelled; H1=0\.2 not modelled/.test(w))).toBe(true);
  });

  it('turns an unknown element type into a drift or marker with a warning naming file, line and column', () => {
    const { lattice, warnings } = parse('D: DRIF, L=1\n  UK: FOOBAR, L=0.5, X=3\nRING: LINE=(D, UK)\n');
    expect(lattice.elements[1]).toMatchObject({ type: 'drift', name: 'UK', length: 0.5 });
    expect(warnings.some((w) => w.startsWith("ring.lte:2:7: element 'UK': unknown element type 'FOOBAR'"))).toBe(true);
  });
});

describe('elegant reader: errors name file, line and column', () => {
  it('malformed line definition', () => {
    const e = thrown(() => parse('A: DRIF, L=1\nB: DRIF, L=1\nRING: LINE=(A, B\n'));
    expect(e.message).toMatch(/^ring\.lte:3:17: line 'RING': missing '\)'/);
  });
  it('undefined RPN variable', () => {
    const e = thrown(() => parse('A: DRIF, L=1\n% LX 2 * sto L2\n'));
    expect(e.message).toMatch(/^ring\.lte:2:3: undefined RPN variable or function 'LX'/);
    const e2 = thrown(() => parse('A: DRIF, L="LX 2 *"\n'));
    expect(e2.message).toMatch(/^ring\.lte:1:13: undefined RPN variable or function 'LX'/);
  });
  it('RPN stack underflow', () => {
    const e = thrown(() => parse('\n\nQ: KQUAD, L=0.2, K1="2 *"\n'));
    expect(e.message).toMatch(/^ring\.lte:3:24: RPN stack underflow: '\*' needs 2 values, the stack has 1/);
  });
  it('missing line for use', () => {
    const e = thrown(() => parse('A: DRIF, L=1\nRING: LINE=(A)\n', { use: 'CELL' }));
    expect(e.message).toMatch(/^ring\.lte: no LINE named 'CELL' to use \(defined: RING\)/);
    const e2 = thrown(() => parse('A: DRIF, L=1\nRING: LINE=(A)\nUSE, CELL\n'));
    expect(e2.message).toMatch(/^ring\.lte:3:6: USE: no LINE named 'CELL'/);
    expect(thrown(() => parse('A: DRIF, L=1\n')).message).toMatch(/^ring\.lte: no LINE defined/);
  });
  it('undefined name in a line, bad number, unknown parameter, bad value', () => {
    expect(thrown(() => parse('A: DRIF, L=1\nRING: LINE=(A, Q9)\n')).message)
      .toMatch(/^ring\.lte:2:16: line 'RING': no element or line named 'Q9'/);
    expect(thrown(() => parse('A: DRIF, L=1.5x\n')).message).toMatch(/^ring\.lte:1:12: parameter L: '1\.5x' is not a number/);
    expect(thrown(() => parse('Q: KQUAD, L=0.2, K7=1\n')).message).toMatch(/^ring\.lte:1:18: unknown parameter K7 for KQUAD/);
    expect(thrown(() => parse('D: DRIF, L=-1\nRING: LINE=(D)\n')).message).toMatch(/^ring\.lte:1:1: element 'D', field 'length'/);
    expect(thrown(() => parse('just some words\n')).message).toMatch(/^ring\.lte:1:1: malformed statement/);
    expect(thrown(() => parse('X: S, L=1\n')).message).toMatch(/^ring\.lte:1:4: element type 'S' is ambiguous/);
  });
});

describe('elegant writer', () => {
  it('carries a reference ring (ESRF-EBS HMBA cell, ring-lattice-json/1) through .lte unchanged', () => {
    // pyAT reference (shared/reference/lattices/ebs_hmba.ref.json): circumference_m = 843.9772144741422,
    // 32 cells of 121 elements, 6 GeV
    const ref = loadLattice(join(FIX, 'ebs_hmba.json')).lattice;
    const text = writeElegant(ref);
    const back = parseElegant(text, { file: 'ebs.lte' });
    expect(back.warnings).toEqual([]);
    expectSameLattice(ref, back.lattice);
    expect(back.lattice.periodicity).toBe(32);
    expect(back.lattice.elements.length).toBe(121);
    expect(Math.abs(circumference(back.lattice) - 843.9772144741422)).toBeLessThan(1e-9);
    // elegant itself gets every length, angle, edge and strength: the pragmas carry only the pyAT
    // quadrupole-fringe flags, the harmonic number, comments and renamed duplicates
    const pragmas = text.split('\n').filter((l) => l.startsWith('! nanoterasu:'));
    expect(pragmas.length).toBeGreaterThan(0);
    expect(pragmas.filter((l) => /"(length|angle|k1|k2|k3|e1|e2|hgap|fint|fintx|voltage|frequency|lag)"/.test(l))).toEqual([]);
  });

  it('read → write → read gives the same lattice number for number, for every element type', () => {
    const lat = allTypesLattice(4);
    const text = writeElegant(lat);
    const back = parseElegant(text, { file: 'w.lte' });
    expect(back.warnings).toEqual([]);
    expectSameLattice(lat, back.lattice);
    // writing what was read gives the same text
    expect(writeElegant(back.lattice)).toBe(text);
  });

  it('writes plain elegant where it can, pragmas only for the rest', () => {
    const text = writeElegant(allTypesLattice(16));
    expect(text).toMatch(/^QD: KQUAD, L=0\.3, K1=-1\.9, DX=-0$/m);
    expect(text).toMatch(/^SF: KSEXT, L=0\.2, K1=0\.02, K2=45\.67, TILT=0\.0125, DX=0\.00015, DY=-0\.00002, N_SLICES=4$/m);
    expect(text).toMatch(/^CV: EVKICK, L=0\.1, KICK=-0\.000025, TILT=0\.001, DX=0\.0001, DY=0\.0002$/m);
    expect(text).toMatch(/^RF: RFCA, L=0\.5, VOLT=1700000, PHASE=175\.572, FREQ=508580000$/m);
    expect(text).toMatch(/^! nanoterasu: \{"type":"undulator","dx":0\.00015,"dy":-0\.00002,"tilt":0\.0125,"periodM":0\.022,"k":1\.93,"periods":200\}\nU22: WIGGLER, L=4\.4, K=1\.93, POLES=400/m);
    expect(text).toMatch(/^RING: LINE=\(16\*CELL\)$/m);
    expect(text).toMatch(/^! nanoterasu-lattice: \{"name":"all types","energyEV":2998000000,"particle":"electron","periodicity":16,"line":"RING","period":"CELL"/m);
    // the same name with other values gets its own definition, the original name in the pragma
    expect(text).toMatch(/^! nanoterasu: \{"name":"QF"\}\nQF__2: KQUAD, L=0\.3, K1=2\.2$/m);
  });

  it('is registered for .lte', () => {
    const lat = allTypesLattice(1);
    expect(writeLattice(lat, 'x.lte')).toBe(writeElegant(lat));
    expect(writeLattice(lat, 'elegant')).toBe(writeElegant(lat));
  });
});
