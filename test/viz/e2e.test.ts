// End-to-end: the 3D app in a real browser (Debian's chromium driven by playwright-core).
// The page is served by Vite from viz/, reading the bundles `viz/prepare.ts` writes with the same
// scenario runner the CLI uses; the numbers in the beamline panel are checked against the CLI's.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { nanoterasuRing } from '../../lattice/nanoterasu.ts';
import { computeOptics } from '../../sim/optics/summary.ts';
import { compileLattice } from '../../sim/tracking/compile.ts';
import { newLossArrays, trackTurns } from '../../sim/tracking/track.ts';

const CHROMIUM = '/usr/bin/chromium';
const OUT = 'test-output/viz';
let server: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let base = '';
const consoleErrors: string[] = [];

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

async function waitForHttp(url: string, ms: number) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    try { if ((await fetch(url)).ok) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

function cli(args: string[]): string {
  return execFileSync('node', ['sim/cli/nanoterasu.mjs', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does it)`);
  mkdirSync(OUT, { recursive: true });
  execFileSync('node', ['sim/cli/run-ts.mjs', 'viz/prepare.ts'], { stdio: 'inherit' });
  const port = await freePort();
  const env = { ...process.env };
  delete env.VITEST; delete env.VITEST_MODE; delete env.VITEST_POOL_ID; delete env.VITEST_WORKER_ID; delete env.NODE_ENV;
  server = spawn('node', ['node_modules/vite/bin/vite.js', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { env, stdio: 'ignore' });
  base = `http://127.0.0.1:${port}/`;
  await waitForHttp(base, 30_000);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(base);
  await page.waitForFunction(() => (window as any).__twin?.ready === true, null, { timeout: 60_000 });
  await page.waitForTimeout(500);
});

afterAll(async () => {
  await browser?.close();
  server?.kill();
});

describe('3D view in chromium', () => {
  it('loads with no console errors and draws the facility', async () => {
    await page.screenshot({ path: join(OUT, 'overview.png') });
    expect(consoleErrors).toEqual([]);
    const twin = await page.evaluate(() => (window as any).__twin);
    expect(twin.counts.magnets.sbend).toBe(64);
    expect(twin.counts.magnets.quadrupole).toBe(160);
    expect(twin.counts.builtBeamlines).toBe(10);
    // the beam envelope (scaled, from the optics section) and the top-up shots (from the top-up section)
    expect(twin.notes.join('\n')).toMatch(/beam envelope ±σx × 2000/);
    expect(twin.notes.join('\n')).toMatch(/top-up shots from the linac: \d+ per hour/);
    const legend = await page.textContent('#legend');
    expect(legend).toMatch(/scaled/);
  });

  it('the canvas is not blank', async () => {
    const stats = await page.evaluate(() => {
      const c = document.getElementById('scene') as HTMLCanvasElement;
      const tmp = document.createElement('canvas');
      tmp.width = 200; tmp.height = 120;
      const g = tmp.getContext('2d')!;
      g.drawImage(c, 0, 0, 200, 120);
      const d = g.getImageData(0, 0, 200, 120).data;
      const colours = new Set<number>();
      for (let i = 0; i < d.length; i += 4) colours.add((d[i] >> 3) << 10 | (d[i + 1] >> 3) << 5 | (d[i + 2] >> 3));
      return { distinct: colours.size };
    });
    expect(stats.distinct).toBeGreaterThan(20);
  });

  it('clicking a beamline opens its panel, with the numbers the CLI gives', async () => {
    const at = await page.evaluate(() => (window as any).__screenOf('BL08W'));
    expect(at).not.toBeNull();
    await page.mouse.click(at.x, at.y);
    await page.waitForSelector('#beamline-panel:not([hidden])', { timeout: 5000 });
    await page.screenshot({ path: join(OUT, 'panel-BL08W.png') });
    const rows = await page.$$eval('#beamline-panel tr', (trs) => trs.map((t) => ({ key: (t as HTMLElement).dataset.key!, value: (t as HTMLElement).dataset.value! })));
    const shown = await page.$eval('#beamline-panel', (p) => (p as HTMLElement).dataset.beamline);
    expect(shown).toBe('BL08W');
    // The CLI's view of the same scenario.
    const bundleFile = join(tmpdir(), `nanoterasu-e2e-${process.pid}.json`);
    cli(['run', 'scenarios/baseline.yaml', '--out', bundleFile]);
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8'));
    const bl = bundle.sections.catalogue.beamlines.find((b: any) => b.id === 'BL08W');
    expect(rows.filter((r) => /^station\.[^.]+$/.test(r.key)).map((r) => r.key)).toEqual(bl.stations.map((s: any) => `station.${s.name}`));
    // Capacity figures: the `capacity` command on the same scenario file and seed.
    const cap = JSON.parse(cli(['capacity', '--scenario', 'scenarios/capacity-fy2026.yaml', '--json']));
    const capBl = cap.beamlines.find((b: any) => b.id === 'BL08W');
    const capRows = rows.filter((x) => x.key.startsWith('capacity.'));
    expect(capRows.length).toBeGreaterThanOrEqual(6);
    for (const r of capRows) expect(Number(r.value)).toBe(capBl[r.key.slice('capacity.'.length)]);
    // Flux at the sample and samples/hour: the `beamline` command.
    const line = JSON.parse(cli(['beamline', 'BL08W', '--json']));
    const fluxRows = rows.filter((x) => x.key.startsWith('flux.'));
    expect(fluxRows.length).toBeGreaterThanOrEqual(6);
    for (const st of line.stations ?? line.beamline?.stations) {
      const best = st.fluxAtSample.reduce((a: any, x: any) => (x.photonsPerS > a.photonsPerS ? x : a));
      expect(Number(rows.find((r) => r.key === `flux.${st.name}.peakPhotonsPerS`)!.value)).toBe(best.photonsPerS);
      expect(Number(rows.find((r) => r.key === `flux.${st.name}.samplesPerHour`)!.value)).toBe(st.samplesPerHour);
    }
  });

  it('the RF slider recomputes the optics in the Web Worker: equal to the library in Node', async () => {
    await page.$eval('#rf-voltage', (el) => {
      const input = el as HTMLInputElement;
      input.value = '3.6';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForSelector('#rf-panel[data-voltage-mv="3.6"]:not([data-busy])', { timeout: 15_000 });
    await page.screenshot({ path: join(OUT, 'rf-3.6MV.png') });
    const rows = await page.$$eval('#rf-panel tr', (trs) => trs.map((t) => ({ key: (t as HTMLElement).dataset.key!, value: (t as HTMLElement).dataset.value! })));
    // The same library in this process (what `nanoterasu optics --json` prints for a 3.6 MV ring).
    const s = computeOptics(nanoterasuRing({ rfVoltageV: 3.6e6 }));
    const expected: Record<string, number> = {
      bunchLengthM: s.rf!.bunchLengthM,
      energyAcceptance: s.rf!.energyAcceptance,
      synchrotronTune: s.rf!.synchrotronTune,
      energyLossPerTurnEV: s.energyLossPerTurnEV,
      synchronousPhaseRad: s.rf!.synchronousPhaseRad,
    };
    expect(rows.map((r) => r.key).sort()).toEqual(Object.keys(expected).sort());
    // String(number) round-trips a double exactly. The worker runs the same code, but in Chromium's
    // V8, whose Math.* functions may round differently in the last bit from Node's: equal to 1e-12
    // relative (in practice a few ULP; the tracking below, with no such calls, is bit for bit).
    const notExact: string[] = [];
    for (const r of rows) {
      const got = Number(r.value), want = expected[r.key];
      if (!Object.is(got, want)) notExact.push(`${r.key}: ${got} vs ${want} (rel ${((got - want) / want).toExponential(1)})`);
      expect(Math.abs(got - want), r.key).toBeLessThanOrEqual(1e-12 * Math.abs(want));
    }
    if (notExact.length) console.log(`RF panel values not bit-identical to Node (within 1e-12): ${notExact.join('; ')}`);
    // and they did change with the voltage (3.39 MV default → 3.6 MV)
    const base = computeOptics(nanoterasuRing());
    expect(Math.abs(expected.bunchLengthM - base.rf!.bunchLengthM)).toBeGreaterThan(1e-6);
  });

  it('tracking in the browser worker equals tracking in Node, bit for bit', async () => {
    const particles = [
      [1e-3, 0, 0.5e-3, 0, 0, 0],
      [-2e-3, 1e-5, 0.2e-3, -2e-6, 1e-3, 0],
      [0.3e-3, -3e-5, -0.4e-3, 1e-5, -2e-3, 1e-4],
    ];
    const turns = 32;
    const got = await page.evaluate((m) => (window as any).__physics(m), { kind: 'track', particles, turns });
    const prog = compileLattice(nanoterasuRing(), { mode: '4d' });
    const r = new Float64Array(particles.flat());
    const loss = newLossArrays(particles.length);
    trackTurns(prog, r, particles.length, turns, loss);
    const want = particles.map((_, i) => Array.from(r.subarray(6 * i, 6 * i + 6)));
    expect(Array.from(loss.turn)).toEqual([-1, -1, -1]);
    expect(got.lostTurn).toEqual([-1, -1, -1]);
    // they moved (so the comparison is not trivially of the inputs)
    expect(want[0][0]).not.toBe(particles[0][0]);
    for (let i = 0; i < particles.length; i++) {
      for (let k = 0; k < 6; k++) expect(Object.is(got.particles[i][k], want[i][k]), `particle ${i} coordinate ${k}: ${got.particles[i][k]} vs ${want[i][k]}`).toBe(true);
    }
  });

  it('the walkthrough advances through its stops', async () => {
    await page.click('#tour-start');
    await page.waitForSelector('#caption:not([hidden])');
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) {
      const stop = await page.$eval('#caption', (c) => (c as HTMLElement).dataset.stop!);
      if (!seen.includes(stop)) seen.push(stop);
      await page.screenshot({ path: join(OUT, `tour-${seen.length}-${stop}.png`) });
      if (stop === 'experiment') break;
      await page.keyboard.press('ArrowRight');
      await page.waitForTimeout(150);
    }
    expect(seen).toEqual(['gun', 'linac', 'ring', 'undulator', 'beamline', 'experiment']);
    const en = await page.$eval('#caption-en', (e) => e.textContent);
    expect(en).toMatch(/experiment/i);
    expect(consoleErrors).toEqual([]);
  });
});
