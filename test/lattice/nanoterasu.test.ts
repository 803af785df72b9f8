import { describe, expect, it } from 'vitest';
import { LatticeError, makeElement, type Element } from '../../lattice/elements.ts';
import { circumference, countByType, sPositions, totalBendAngle, totalRfVoltage } from '../../lattice/lattice.ts';
import { insertIntoDrifts, magnetFamily, NANOTERASU, NANOTERASU_CELL, nanoterasuCell, nanoterasuRing } from '../../lattice/nanoterasu.ts';
import { survey, surveyAtElement } from '../../lattice/survey.ts';
import { computeOptics } from '../../sim/optics/summary.ts';

const ring = nanoterasuRing();
const s = sPositions(ring);
const sOf = (name: string) => {
  const i = ring.elements.findIndex((e) => e.name === name);
  if (i < 0) throw new Error(`no element ${name}`);
  return s[i];
};

describe('built-in NanoTerasu ring: global numbers (nanoterasu.md §1, §2.2)', () => {
  it('circumference within 1 mm of 348.843 m and 3 GeV electrons', () => {
    expect(Math.abs(circumference(ring) - 348.843)).toBeLessThan(1e-3);
    expect(ring.energyEV).toBe(3e9);
    expect(ring.particle).toBe('electron');
    expect(ring.periodicity).toBe(1);
  });

  it('total bend angle 2π to 1e-12, 64 identical bends of 2π/64', () => {
    expect(Math.abs(totalBendAngle(ring) - 2 * Math.PI)).toBeLessThan(1e-12);
    const bends = ring.elements.filter((e) => e.type === 'sbend');
    expect(bends).toHaveLength(64);
    for (const b of bends) {
      if (b.type !== 'sbend') continue;
      expect(b.angle).toBe((2 * Math.PI) / 64);
      expect(b.length).toBe(1.1443);
      expect(b.k1).toBe(-0.7331);
      expect(b.e1).toBe(0);
    }
  });

  it('64 sbend, 160 quadrupole, 160 sextupole, 4 RF cavities at 3.39 MV, h = 592, f = h·c/C = 508.76 MHz to 1e-6', () => {
    const c = countByType(ring);
    expect(c.sbend).toBe(64);
    expect(c.quadrupole).toBe(160);
    expect(c.sextupole).toBe(160);
    expect(c.rfcavity).toBe(4);
    expect(totalRfVoltage(ring)).toBeCloseTo(3.39e6, 6);
    for (const e of ring.elements) {
      if (e.type !== 'rfcavity') continue;
      expect(e.harmonic).toBe(592);
      // exactly h·f0 of the model ring, and the published 508.76 MHz to its rounding (1e-6)
      expect(e.frequency).toBeCloseTo((592 * 299_792_458) / circumference(ring), 3);
      expect(Math.abs(e.frequency / 508.76e6 - 1)).toBeLessThan(1e-6);
      expect(e.length).toBe(0.5);
      expect(e.voltage).toBeLessThanOrEqual(0.9e6);
    }
  });

  it('survey closes to under 1 µm and 1 µrad', () => {
    const sv = survey(ring);
    expect(sv.closure.distanceM).toBeLessThan(1e-6);
    expect(sv.closure.angleRad).toBeLessThan(1e-6);
    expect(sv.theta[sv.n - 1]).toBeCloseTo(-2 * Math.PI, 12);
  });

  it('every magnet has its own name, family_Ccc_k', () => {
    const mags = ring.elements.filter((e) => ['sbend', 'quadrupole', 'sextupole'].includes(e.type));
    expect(new Set(mags.map((e) => e.name)).size).toBe(mags.length);
    for (const m of mags) expect(m.name).toMatch(/^(BQ|QA|QB|QC|QD|QE|SF|SD|S1|S5)_C(0[1-9]|1[0-6])_[1-4]$/);
    expect(magnetFamily('SD_C16_4')).toBe('SD');
  });
});

describe('built-in NanoTerasu ring: cell structure (nanoterasu.md §2.3–2.4)', () => {
  const cellL = circumference(ring) / 16;

  it('half cell 10.90134 m; long straight 5.44 m; LSnn and SSnn markers at the straight centres', () => {
    let half = 0;
    for (const slot of NANOTERASU_CELL.halfCell) half += 'magnet' in slot ? NANOTERASU_CELL.families[slot.magnet].lengthM : slot.lengthM;
    expect(half).toBeCloseTo(10.90134, 10);
    for (let n = 1; n <= 16; n++) {
      const nn = String(n).padStart(2, '0');
      expect(sOf(`LS${nn}`)).toBeCloseTo((n - 1) * cellL, 9);
      expect(sOf(`SS${nn}`)).toBeCloseTo((n - 0.5) * cellL, 9);
    }
    // The long straight: from the last quadrupole of cell 1 to the first of cell 2.
    const qaEnd = sOf('QA_C01_2') + 0.3315;
    expect(sOf('QA_C02_1') - qaEnd).toBeCloseTo(5.44, 9);
  });

  it('magnet positions of cell 1 follow the s column of §2.4 to its 0.1 mm rounding', () => {
    // s start of each magnet in the half cell, from the LSS centre (§2.4 table).
    const table: [string, number][] = [
      ['QA_C01_1', 2.72], ['QB_C01_1', 3.3994], ['BQ_C01_1', 3.8858], ['QC_C01_1', 5.8474],
      ['QD_C01_1', 6.8196], ['BQ_C01_2', 7.8014], ['QE_C01_1', 9.2189],
    ];
    for (const [name, s0] of table) expect(Math.abs(sOf(name) - s0)).toBeLessThan(1.5e-4);
  });

  it('thick 0.2 m sextupoles centred in their drifts with the DA-tuned K2 (SF +183.8838, SD −108.2279, S1 +44.14, S5 −142.73)', () => {
    const el = (name: string) => ring.elements.find((e) => e.name === name)!;
    const k2 = (name: string) => (el(name) as Element & { k2: number }).k2;
    // [A] values of sim/studies/sextupoles.ts (the [M] §2.4 ones were +180, −122, 0, 0)
    expect(k2('SF_C05_1')).toBe(183.8838);
    expect(k2('SD_C05_3')).toBe(-108.2279);
    expect(k2('S1_C05_2')).toBe(44.14);
    expect(k2('S5_C05_1')).toBe(-142.73);
    for (const e of ring.elements) if (e.type === 'sextupole') expect(e.length).toBe(0.2);
    // SF sits midway between QC and QD: centre of the 0.5664 m drift.
    const sfCentre = sOf('SF_C01_1') + 0.1;
    const qcEnd = sOf('QC_C01_1') + 0.4059;
    expect(sfCentre - qcEnd).toBeCloseTo(0.5664 / 2, 12);
    expect(sOf('QD_C01_1') - (sfCentre + 0.1)).toBeCloseTo(0.5664 / 2 - 0.1, 12);
  });

  it('each cell is mirror-symmetric about its short straight (lengths and types)', () => {
    const cell = nanoterasuCell().elements;
    const ss = cell.findIndex((e) => e.name === 'SS');
    const first = cell.slice(1, ss), second = cell.slice(ss + 1).reverse();
    expect(second.map((e) => `${e.type}:${e.length}`)).toEqual(first.map((e) => `${e.type}:${e.length}`));
  });

  it('the cells of the ring are the bare cell apart from the inserted RF and injection', () => {
    const bare = nanoterasuCell().elements.filter((e) => e.type !== 'drift' && e.type !== 'marker');
    const c07 = ring.elements.filter((e) => e.name.includes('_C07_'));
    expect(c07.map((e) => e.name.replace('_C07', ''))).toEqual(bare.map((e) => e.name));
  });
});

describe('RF and injection are inserted in the chosen long straights', () => {
  const cellL = circumference(ring) / 16;

  it('RF1–RF4 in LS16, within the 5.44 m straight, 0.4 m apart', () => {
    const centre = 15 * cellL;
    const starts = ['RF1', 'RF2', 'RF3', 'RF4'].map(sOf);
    for (const st of starts) {
      expect(st).toBeGreaterThan(centre - 2.72);
      expect(st + 0.5).toBeLessThan(centre + 2.72);
    }
    for (let k = 1; k < 4; k++) expect(starts[k] - starts[k - 1]).toBeCloseTo(0.9, 12);
    expect((starts[0] + starts[3] + 0.5) / 2).toBeCloseTo(centre, 9);
  });

  it('INJ at the LS15 centre, septum and four bump kickers in LS15', () => {
    const C = circumference(ring);
    const ls15 = (14 * C) / 16;
    expect(sOf('INJ')).toBeCloseTo(ls15, 9);
    expect(sOf('INJ')).toBeCloseTo(sOf('LS15'), 12);
    expect(sOf('INJ_SEPTUM')).toBeCloseTo(ls15 - 0.3, 9);
    expect(sOf('INJ_K1')).toBeCloseTo(ls15 - 2.3, 9);
    expect(sOf('INJ_K3')).toBeCloseTo(ls15 + 1.3, 9);
    const kickers = ring.elements.filter((e) => e.type === 'kicker');
    expect(kickers).toHaveLength(4);
    for (const k of kickers) if (k.type === 'kicker') expect([k.hkick, k.vkick]).toEqual([0, 0]);
  });

  it('other straights and voltages can be chosen; bad ones are refused naming the field', () => {
    const r = nanoterasuRing({ rfStraight: 5, injectionStraight: 9, rfVoltageV: 3.6e6 });
    const rs = sPositions(r);
    const at = (name: string) => rs[r.elements.findIndex((e) => e.name === name)];
    expect(Math.abs(at('RF1') + 0.25 - (4 * cellL - 1.35))).toBeLessThan(1e-9); // LS05 centre − 1.5 pitches
    expect(Math.abs(at('INJ') - 8 * cellL)).toBeLessThan(1e-9); // LS09 centre
    expect(totalRfVoltage(r)).toBeCloseTo(3.6e6, 6);
    expect(Math.abs(circumference(r) - circumference(ring))).toBeLessThan(1e-9);
    expect(() => nanoterasuRing({ rfVoltageV: -1 })).toThrow(/field 'rfVoltageV'.*≥ 0/);
    expect(() => nanoterasuRing({ rfVoltageV: 3.7e6 })).toThrow(/exceeds/);
    expect(() => nanoterasuRing({ rfStraight: 15 })).toThrow(LatticeError);
    expect(() => nanoterasuRing({ rfStraight: 17 })).toThrow(/cell number/);
  });
});

describe('overrides and the bare cell', () => {
  it('family strengths can be overridden for every magnet of the family', () => {
    const r = nanoterasuRing({ families: { QA: { k1: 2.05 }, SF: { k2: 175 } } });
    const qa = r.elements.filter((e) => magnetFamily(e.name) === 'QA');
    expect(qa).toHaveLength(32);
    for (const q of qa) if (q.type === 'quadrupole') expect(q.k1).toBe(2.05);
    for (const e of r.elements) if (magnetFamily(e.name) === 'SF' && e.type === 'sextupole') expect(e.k2).toBe(175);
    expect(NANOTERASU_CELL.families.QA.k1).toBe(1.992); // the default is untouched
    expect(() => nanoterasuRing({ families: { QZ: { k1: 1 } } as never })).toThrow(/unknown NanoTerasu magnet family/);
  });

  it('the cell data cannot be mutated by accident', () => {
    expect(Object.isFrozen(NANOTERASU_CELL.families.QA)).toBe(true);
    expect(Object.isFrozen(NANOTERASU_CELL.halfCell[0])).toBe(true);
  });

  it('nanoterasuCell: periodicity 16, same circumference and magnet counts, closes', () => {
    const cell = nanoterasuCell();
    expect(cell.periodicity).toBe(NANOTERASU.cells);
    expect(Math.abs(circumference(cell) - circumference(ring))).toBeLessThan(1e-9);
    const c = countByType(cell);
    expect([c.sbend, c.quadrupole, c.sextupole, c.rfcavity]).toEqual([64, 160, 160, undefined]);
    expect(survey(cell).closure.distanceM).toBeLessThan(1e-6);
  });
});

describe('insertIntoDrifts', () => {
  const d = makeElement({ type: 'drift', name: 'D', length: 2 });
  const q = makeElement({ type: 'quadrupole', name: 'Q', length: 0.5, k1: 1 });
  const m = makeElement({ type: 'marker', name: 'M' });
  const k = makeElement({ type: 'kicker', name: 'K', length: 0.2 });

  it('splits a drift around thick and thin insertions, keeping the length', () => {
    const out = insertIntoDrifts([d, q, d], [{ sM: 0.5, element: k }, { sM: 1.5, element: m }, { sM: 3.5, element: m }]);
    expect(out.map((e) => e.name)).toEqual(['D_1', 'K', 'D_2', 'M', 'D_3', 'Q', 'D_1', 'M', 'D_2']);
    expect(out.reduce((a, e) => a + e.length, 0)).toBeCloseTo(4.5, 14);
    expect(out[0].length).toBeCloseTo(0.4, 14);
  });

  it('refuses an insertion that would cut a magnet, naming it', () => {
    expect(() => insertIntoDrifts([d, q, d], [{ sM: 2.1, element: k }])).toThrow(/element 'K'.*inside one drift/);
  });

  it('wraps negative s round the ring', () => {
    const out = insertIntoDrifts([d, q, d], [{ sM: -0.5, element: m }]);
    expect(out.map((e) => e.name)).toEqual(['D', 'Q', 'D_1', 'M', 'D_2']);
  });
});

describe('floor layout of the built-in ring', () => {
  it('straight centres lie on the 16-fold symmetric polygon; tangents turn by 2π/16 per cell', () => {
    const sv = survey(ring);
    const p1 = surveyAtElement(sv, 'LS01');
    const centre = { x: 0, z: 0 };
    const pts = Array.from({ length: 16 }, (_, k) => surveyAtElement(sv, `LS${String(k + 1).padStart(2, '0')}`));
    for (const p of pts) { centre.x += p.x / 16; centre.z += p.z / 16; }
    const r1 = Math.hypot(p1.x - centre.x, p1.z - centre.z);
    pts.forEach((p, k) => {
      expect(Math.hypot(p.x - centre.x, p.z - centre.z)).toBeCloseTo(r1, 9);
      expect(p.theta).toBeCloseTo((-2 * Math.PI * k) / 16, 12);
      // The tangent of a straight is perpendicular to the radius from the ring centre.
      expect(p.tangent[0] * (p.x - centre.x) + p.tangent[2] * (p.z - centre.z)).toBeCloseTo(0, 9);
    });
    expect(pts[0].elementIndex).toBe(0);
  });
});

describe('the reconstruction reproduces the synthetic-model numbers of nanoterasu.md §2.4 (via sim/optics)', () => {
  // Tolerances from §2.2 where given (ν ±0.01, εx ±2 %, Jx ±0.005), else the 0.1 % to 1 % the
  // model's numbers are rounded to. These check the transcription of the cell, not the optics code.
  it('cell: tunes, emittance, Jx, αc, U0, σδ, natural chromaticity', () => {
    const o = computeOptics(nanoterasuCell());
    expect(Math.abs(o.tunes[0] - 28.17)).toBeLessThan(0.01);
    expect(Math.abs(o.tunes[1] - 9.23)).toBeLessThan(0.01);
    expect(Math.abs(o.emittanceM / 1.14e-9 - 1)).toBeLessThan(0.02);
    expect(Math.abs(o.dampingPartition[0] - 1.389)).toBeLessThan(0.005);
    expect(Math.abs(o.momentumCompaction / 4.12e-4 - 1)).toBeLessThan(0.01);
    expect(Math.abs(o.energyLossPerTurnEV / 0.615e6 - 1)).toBeLessThan(0.01);
    expect(Math.abs(o.energySpread / 8.39e-4 - 1)).toBeLessThan(0.01);
    expect(Math.abs(o.naturalChromaticity[0] + 59.8)).toBeLessThan(0.5);
    expect(Math.abs(o.naturalChromaticity[1] + 40.1)).toBeLessThan(0.5);
  });

  it('ring with 3.39 MV: σz = 2.92 mm within 5 %', () => {
    const o = computeOptics(ring, { skipNaturalChromaticity: true });
    expect(o.rf).not.toBeNull();
    expect(Math.abs(o.rf!.bunchLengthM / 2.92e-3 - 1)).toBeLessThan(0.05);
  });
});
