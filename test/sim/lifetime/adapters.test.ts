import { describe, expect, it } from 'vitest';
import { builtinBeam, withLocalAcceptance } from '../../../sim/lifetime/adapters.ts';
import { nanoterasuFallbackBeam } from '../../../sim/lifetime/nanoterasu-model.ts';
import { ringLifetime } from '../../../sim/lifetime/ring.ts';

const fill = { filledBuckets: 474 };

describe('lifetime adapters', async () => {
  const { beam, notes } = await builtinBeam();

  it('the built-in beam comes from sim/optics and matches the [M] reference (εx 1.14 nm, σδ 8.39e-4, αc 4.12e-4 to 0.5 %)', () => {
    expect(notes[0]).toMatch(/^optics from sim\/optics/);
    expect(Math.abs(beam.naturalEmittanceM / 1.14e-9 - 1)).toBeLessThan(0.005);
    expect(Math.abs(beam.energySpread / 8.39e-4 - 1)).toBeLessThan(0.005);
    expect(Math.abs(beam.rf.momentumCompaction / 4.12e-4 - 1)).toBeLessThan(0.005);
    expect(Math.abs(beam.optics.sM[beam.optics.sM.length - 1] - 348.843 / 16)).toBeLessThan(1e-3);
  });

  it('Touschek lifetime from the full optics agrees with the 17-point [M] table within 3 % (sampling of the table)', () => {
    const a = ringLifetime(beam, 0.4, fill).touschekS;
    const b = ringLifetime(nanoterasuFallbackBeam(), 0.4, fill).touschekS;
    expect(Math.abs(a / b - 1)).toBeLessThan(0.03);
  });

  it('a local acceptance: a constant one equals the flat model; a smaller one shortens the Touschek lifetime', () => {
    const flat = ringLifetime({ ...beam, momentumAcceptancePos: 0.03, momentumAcceptanceNeg: 0.03 }, 0.4, fill).touschekS;
    const local = withLocalAcceptance(beam, { sM: [0, 5, 10, 20], positive: [0.03, 0.03, 0.03, 0.03], negative: [-0.03, -0.03, -0.03, -0.03], source: 'test' });
    expect(ringLifetime(local, 0.4, fill).touschekS / flat).toBeCloseTo(1, 12);
    expect(local.source).toMatch(/local momentum acceptance from test/);
    const dip = withLocalAcceptance(beam, { sM: [0, 5, 10, 20], positive: [0.03, 0.02, 0.03, 0.03], negative: [0.03, 0.02, 0.03, 0.03], source: 'test' });
    expect(ringLifetime(dip, 0.4, fill).touschekS).toBeLessThan(flat);
  });
});

describe('acceptance from study points', () => {
  it('sorts by s, takes |δ−|, and feeds withLocalAcceptance', async () => {
    const { acceptanceFromPoints } = await import('../../../sim/lifetime/adapters.ts');
    const acc = acceptanceFromPoints([{ sM: 10, deltaPlus: 0.02, deltaMinus: -0.03 }, { sM: 2, deltaPlus: 0.025, deltaMinus: -0.035 }], 'unit');
    expect(Array.from(acc.sM)).toEqual([2, 10]);
    expect(Array.from(acc.negative)).toEqual([0.035, 0.03]);
    expect(() => acceptanceFromPoints([], 'none')).toThrow(/no points/);
  });
});

describe('acceptance file (`nanoterasu ma --json`)', () => {
  it('reads points and names the bad entry', async () => {
    const { readAcceptanceFile } = await import('../../../sim/lifetime/adapters.ts');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'ma-'));
    const good = join(dir, 'ma.json');
    writeFileSync(good, JSON.stringify({ lattice: 'nanoterasu', turns: 100, points: [{ sM: 5, deltaPlus: 0.03, deltaMinus: -0.025 }, { sM: 1, deltaPlus: 0.02, deltaMinus: -0.04 }] }));
    const acc = readAcceptanceFile(good);
    expect(Array.from(acc.sM)).toEqual([1, 5]);
    expect(acc.source).toMatch(/lattice nanoterasu, 100 turns/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ points: [{ sM: 5, deltaPlus: 'x', deltaMinus: -0.025 }] }));
    expect(() => readAcceptanceFile(bad)).toThrow(/bad.json: points\[0\].deltaPlus must be a number/);
    writeFileSync(bad, '[1, 2]');
    expect(() => readAcceptanceFile(bad)).toThrow(/expected the JSON of `nanoterasu ma --json`/);
  });
});

describe('tracked acceptance (sim/studies/ma.ts through the adapter)', () => {
  it('20 turns at every 200th element of the built-in ring: acceptances in (0, 6 %], Touschek shorter than RF-limited', async () => {
    const { resolveBeam } = await import('../../../sim/lifetime/adapters.ts');
    const { beam: b, notes: n } = await resolveBeam({ tracking: { turns: 20, every: 200 } });
    const pos = b.momentumAcceptancePos as Float64Array;
    expect(pos.length).toBe(b.optics.sM.length);
    for (const v of pos) expect(v > 0 && v <= 0.06).toBe(true);
    expect(n.some((x) => /tracking \(sim\/studies\/ma.ts, 20 turns, every 200 elements\)/.test(x))).toBe(true);
    const flat = ringLifetime({ ...b, momentumAcceptancePos: 0.1, momentumAcceptanceNeg: 0.1 }, 0.4, fill).touschekS;
    expect(ringLifetime(b, 0.4, fill).touschekS).toBeLessThanOrEqual(flat);
  }, 60_000);
});
