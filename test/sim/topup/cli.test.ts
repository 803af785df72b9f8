import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nanoterasu } from '../../cli/spawn.ts';

const dir = mkdtempSync(join(tmpdir(), 'topup-cli-'));

describe('nanoterasu lifetime / topup (as a user runs them)', () => {
  it('lifetime --json: components at the target current, by current, coupling and RF voltage', async () => {
    const r = await nanoterasu('lifetime', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.currentMA).toBe(400);
    for (const k of ['touschek', 'gas', 'total']) expect(j.lifetimeH[k]).toBeGreaterThan(0);
    expect(1 / j.lifetimeH.total).toBeCloseTo(1 / j.lifetimeH.touschek + 1 / j.lifetimeH.gas + (j.lifetimeH.quantum ? 1 / j.lifetimeH.quantum : 0), 9);
    const at160 = j.byCurrent.find((x: any) => x.currentMA === 160);
    expect(at160.touschek / j.lifetimeH.touschek).toBeCloseTo(400 / 160, 6);
    expect(j.byCoupling.map((x: any) => x.touschek)).toEqual([...j.byCoupling.map((x: any) => x.touschek)].sort((a, b) => a - b));
  }, 30_000);

  it('topup --hours 2 --seed 5 --json --csv: the promised JSON fields and a CSV row per second', async () => {
    const csv = join(dir, 't.csv');
    const r = await nanoterasu('topup', '--hours', '2', '--seed', '5', '--json', '--csv', csv);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const k of ['touschek', 'gas', 'total']) expect(typeof j.lifetimeH[k]).toBe('number');
    for (const k of ['mean', 'min', 'max', 'rmsDeviation']) expect(typeof j.currentMA[k]).toBe('number');
    for (const k of ['shotsPerHour', 'injectionEfficiency', 'injectedChargeC', 'lostChargeC', 'availability']) expect(typeof j[k]).toBe('number');
    expect(readFileSync(csv, 'utf8').trim().split('\n').length).toBe(2 * 3600 + 1);
    const again = JSON.parse((await nanoterasu('topup', '--hours', '2', '--seed', '5', '--json')).stdout);
    expect(again.currentMA).toEqual(j.currentMA);
  }, 30_000);

  it('lifetime --ma-file: a local acceptance from `nanoterasu ma --json` shortens the Touschek lifetime of the RF-limited default', async () => {
    const ma = join(dir, 'ma.json');
    // 2 % everywhere on the positive side, 3 % on the negative side (whole ring, built-in lattice)
    const points = Array.from({ length: 16 }, (_, k) => ({ sM: k * 21.8 + 5, deltaPlus: 0.02, deltaMinus: -0.03 }));
    writeFileSync(ma, JSON.stringify({ lattice: 'nanoterasu', turns: 100, points }));
    const flat = JSON.parse((await nanoterasu('lifetime', '--json')).stdout);
    const r = await nanoterasu('lifetime', '--json', '--ma-file', ma);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.lifetimeH.touschek).toBeLessThan(flat.lifetimeH.touschek / 2);
    expect(j.source).toMatch(/local momentum acceptance from .*ma.json/);
  }, 30_000);

  it('impossible settings exit 2 with one message naming the setting', async () => {
    const r = await nanoterasu('topup', '--current', '5000');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/targetCurrentMA: 5000 mA is above what the injector can hold/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'topup:\n  injector:\n    topupShotRateHz: 100\n');
    const r2 = await nanoterasu('topup', '--scenario', bad);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/bad.yaml:3: topup.injector.topupShotRateHz: 100 Hz exceeds the linac's maximum repetition rate/);
    const r3 = await nanoterasu('lifetime', '--rf-voltage', '0.5');
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/--rf-voltage: 0.500 MV does not exceed the energy loss per turn/);
  }, 30_000);
});
