/**
 * `nanoterasu source --beamline BL02U [--json]`: the light a beamline's insertion device gives —
 * harmonics (energy, Fn, central-cone flux, on-axis flux density for a filament beam and, numerically,
 * with the real beam), brilliance and coherent fraction per convention, tuning curves, power;
 * `--compare-spring8` adds the brilliance envelope side by side with SPring-8's standard undulator.
 * `--device FILE` takes any device, `--beam FILE` overrides the electron beam.
 *
 * JSON keys (tools read them; keep them stable): meta {units, conventions, beam, device, k, mode,
 * provenance}, harmonics[] {n, energyEV, fn, qn, centralConeFlux, onAxisFluxDensity,
 * onAxisFluxDensityBeam, onAxisFluxDensityBeamEnergyEV, brilliance{kim, kimEnergySpread, …},
 * coherentFraction (Kim's definition with the kimEnergySpread sizes), coherentFractionByConvention{kim,
 * kimEnergySpread, …}, photonBeam}, tuningCurves[], totalPowerW,
 * onAxisPowerDensityWPerMrad2, wiggler (wigglers only), comparison (with --compare-spring8).
 */
import type { Command } from 'commander';
import { findBeamline, kRangeOf, loadCatalogue, loadComparisonSource, type Beamline } from '../../beamlines/catalogue/catalogue.ts';
import { loadBeamFile, nanoterasuBeam, SourceInputError, type ElectronBeam } from '../../beamlines/devices/beam.ts';
import { nanoterasuBeamFromOptics } from '../../beamlines/devices/beam-optics.ts';
import {
  BRILLIANCE_CONVENTIONS, buildSourceReport, compareEnvelopes, loadDeviceFile, logGrid, UNITS, type Comparison, type ReportOptions, type SourceReport,
} from '../../beamlines/devices/source-report.ts';
import { POLARISATION_MODES, type PolarisationMode } from '../../beamlines/devices/undulator.ts';
import { UserError } from './main.ts';
import { parseAperture } from './spectrum.ts';

export interface Options {
  beamline?: string;
  device?: string;
  beam?: string;
  beamModel?: string;
  k?: string;
  mode?: string;
  current?: string;
  maxHarmonic?: string;
  numeric?: boolean;
  workers?: string;
  compareSpring8?: boolean;
  list?: boolean;
  powerAperture?: string;
  json?: boolean;
}

const num = (v: string | undefined, name: string, opts: { integer?: boolean; min?: number } = {}): number | undefined => {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || (opts.integer && !Number.isInteger(x)) || (opts.min !== undefined && x < opts.min)) {
    throw new UserError(`--${name}: expected ${opts.integer ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}, got "${v}"`);
  }
  return x;
};

/** The beam at a beamline's straight: --beam FILE, else sim/optics (or the documented defaults). */
export function resolveBeam(opts: { beam?: string; beamModel?: string; current?: string }, bl?: Beamline): ElectronBeam {
  const currentA = num(opts.current, 'current', { min: 0 });
  if (opts.beam) {
    const b = loadBeamFile(opts.beam);
    return currentA !== undefined ? { ...b, currentA } : b;
  }
  const model = opts.beamModel ?? 'optics';
  if (model !== 'optics' && model !== 'default') throw new UserError(`--beam-model: "optics" or "default", got "${model}"`);
  const kind = bl?.straight.kind ?? 'long';
  if (model === 'optics') {
    try {
      return nanoterasuBeamFromOptics(kind, bl?.straight.cell ?? 2, { currentA });
    } catch (err) {
      // the optics engine is another module: if it fails, say so and use the documented defaults
      const b = nanoterasuBeam(kind, { currentA });
      return { ...b, source: `${b.source} (sim/optics failed: ${(err as Error).message})` };
    }
  }
  return nanoterasuBeam(kind, { currentA });
}

/** Device + beam + report options from the command line (shared with `spectrum`). */
export function resolveSource(opts: Options): { beam: ElectronBeam; report: ReportOptions; beamline?: Beamline } {
  if (!!opts.beamline === !!opts.device) throw new UserError('give exactly one of --beamline ID or --device FILE');
  const mode = opts.mode as PolarisationMode | undefined;
  if (mode !== undefined && !POLARISATION_MODES.includes(mode)) throw new UserError(`--mode: one of ${POLARISATION_MODES.join(', ')}, got "${mode}"`);
  const k = num(opts.k, 'k', { min: 0 });
  try {
    if (opts.device) {
      if (mode) throw new UserError('--mode applies to a catalogue APPLE-II; a device file gives kx, ky and phaseRad');
      const f = loadDeviceFile(opts.device);
      const setting = k !== undefined ? { ...f.setting, kx: f.setting.kx === 0 ? 0 : k * (f.setting.kx / f.k), ky: f.setting.ky === 0 ? 0 : k * (f.setting.ky / f.k) } : f.setting;
      return {
        beam: resolveBeam(opts),
        report: { name: f.name, type: f.setting.type, periodM: f.setting.periodM, periods: f.setting.periods, k: k ?? f.k, kMin: f.kMin, kMax: Math.max(f.kMax, k ?? 0), setting },
      };
    }
    const cat = loadCatalogue();
    const bl = findBeamline(cat, opts.beamline!);
    if (!bl) throw new UserError(`no beamline "${opts.beamline}" in the catalogue (${cat.beamlines.map((b) => b.id).join(', ')})`);
    if (mode && bl.device.type !== 'elliptical') throw new UserError(`--mode: ${bl.id}'s device is ${bl.device.type}, it has no polarisation modes`);
    const { mode: m, range } = kRangeOf(bl.device, mode);
    const kk = k ?? range.kMax;
    if (kk < range.kMin - 1e-12 || kk > range.kMax + 1e-12) throw new UserError(`--k ${kk} is outside ${bl.id}'s range ${range.kMin}–${range.kMax.toFixed(4)}${m ? ` (mode ${m})` : ''}`);
    return {
      beam: resolveBeam(opts, bl),
      beamline: bl,
      report: {
        name: `${bl.id}: ${bl.device.name}`, type: bl.device.type, periodM: bl.device.periodM, periods: bl.device.periods, k: kk, kMin: range.kMin, kMax: range.kMax, mode: m,
        gapModel: bl.device.gapModel, minGapM: bl.device.minGapM,
      },
    };
  } catch (err) {
    if (err instanceof SourceInputError) throw new UserError(err.message);
    throw err;
  }
}

export function register(program: Command): void {
  program
    .command('source')
    .description('undulator/wiggler source of a beamline: harmonics, flux, brilliance, coherence, tuning curves, power')
    .option('--beamline <id>', 'a beamline of the catalogue (beamlines/catalogue), e.g. BL02U')
    .option('--device <file>', 'a device file {"type", "periodM", "periods", "k"} or {… "kx", "ky", "phaseRad"}')
    .option('--beam <file>', 'electron beam file {"energyEV", "currentA", "emittanceXM", "emittanceYM", "energySpread", "betaXM", "betaYM"}')
    .option('--beam-model <name>', 'without --beam: "optics" (sim/optics on the built-in ring, default) or "default" (documented [M] numbers)')
    .option('--current <A>', 'stored current [A] (default 0.4 A design; 0.16 A in the first user year)')
    .option('--k <K>', 'deflection parameter (default: K max of the device/mode)')
    .option('--mode <mode>', `APPLE-II polarisation mode (${POLARISATION_MODES.join(', ')})`)
    .option('--max-harmonic <n>', 'highest harmonic (default 9)')
    .option('--no-numeric', 'skip the numerical on-axis flux density with the beam')
    .option('--workers <n>', 'worker threads for the numerical part (default 0 = this thread)')
    .option('--power-aperture <XxY>', 'also the power through a centred aperture of these full angles, e.g. 0.5x0.3mrad')
    .option('--compare-spring8', 'add the brilliance envelope side by side with SPring-8 (8 GeV, 2.4 nm rad, 100 mA, standard IVU)')
    .option('--list', 'list the catalogue: the 28 ID straights, their beamlines (or empty slots), devices and stations')
    .option('--json', 'print JSON instead of tables')
    .addHelpText('after', '\nExamples:\n  npx nanoterasu source --list\n  npx nanoterasu source --beamline BL02U\n  npx nanoterasu source --beamline BL08U --mode circular-plus --json\n  npx nanoterasu source --device u22.json --beam beam.json --compare-spring8\n')
    .action(async (opts: Options) => {
      if (opts.list) {
        process.stdout.write(listCatalogue(opts.json === true) + '\n');
        return;
      }
      const { beam, report: ro, beamline } = resolveSource(opts);
      const report = await buildSourceReport(beam, {
        ...ro, maxHarmonic: num(opts.maxHarmonic, 'max-harmonic', { integer: true, min: 1 }), numeric: opts.numeric !== false,
        workers: num(opts.workers, 'workers', { integer: true, min: 0 }),
        powerApertureRad: opts.powerAperture ? parseAperture(opts.powerAperture) : undefined,
      });
      let comparison: Comparison | undefined;
      if (opts.compareSpring8) {
        if (ro.type === 'wiggler') throw new UserError('--compare-spring8 compares undulator brilliance; this device is a wiggler');
        const s8 = loadComparisonSource();
        const r8 = s8.device.kRanges.default!;
        comparison = compareEnvelopes(
          { type: ro.type, periodM: ro.periodM, periods: ro.periods, kMin: ro.kMin, kMax: ro.kMax, mode: ro.mode }, beam,
          { type: s8.device.type, periodM: s8.device.periodM, periods: s8.device.periods, kMin: r8.kMin, kMax: r8.kMax }, s8.beam,
          logGrid(50, 50_000, 61),
        );
      }
      const meta = {
        units: UNITS,
        conventions: { ...BRILLIANCE_CONVENTIONS, default: 'kimEnergySpread', kConvention: 'ky = K of the vertical field (planar K); helical/circular: K0 per component, K_eff = √2 K0' },
        beam: report.beam,
        device: report.device,
        k: ro.k,
        mode: ro.mode ?? null,
        beamline: beamline ? { id: beamline.id, title: beamline.title, class: beamline.class, straight: beamline.straight, energyRangeEV: beamline.energyRangeEV } : null,
        provenance: beamline?.provenance ?? null,
      };
      if (opts.json) {
        process.stdout.write(JSON.stringify({ meta, ...report, beam: undefined, device: undefined, comparison }, null, 2) + '\n');
        return;
      }
      process.stdout.write(formatReport(report, meta.beamline?.title, comparison) + '\n');
    });
}

/** The catalogue at a glance (ports in cell order; empty slots for planning). */
export function listCatalogue(json: boolean): string {
  const cat = loadCatalogue();
  const rows = cat.ports.map((p) => {
    const b = p.beamline ? findBeamline(cat, p.beamline)! : undefined;
    return {
      port: p.id, cell: p.cell, straight: p.straight, beamline: b?.id ?? null, class: b?.class ?? null, title: b?.title ?? null,
      device: b ? { name: b.device.name, type: b.device.type, periodM: b.device.periodM, periods: b.device.periods, kRanges: b.device.kRanges } : null,
      energyRangeEV: b?.energyRangeEV ?? null,
      stations: b?.stations ?? [],
    };
  });
  if (json) return JSON.stringify({ ports: rows, reserved: cat.reserved, straightLengthsM: cat.straightLengthsM }, null, 2);
  const lines = ['port   cell straight  class      device                              energy [eV]      stations'];
  for (const r of rows) {
    if (!r.beamline) { lines.push(`${r.port}  ${String(r.cell).padStart(3)}  ${r.straight.padEnd(8)}  (empty slot)`); continue; }
    const dev = `${r.device!.type} ${(r.device!.periodM * 1e3).toFixed(0)} mm × ${r.device!.periods}`;
    const st = r.stations.map((s) => s.name + (s.fixedEnergiesEV ? ` [${s.fixedEnergiesEV.join('/')} eV]` : '') + (s.concurrentWith.length ? ' (concurrent)' : '')).join(', ');
    lines.push(`${r.port}  ${String(r.cell).padStart(3)}  ${r.straight.padEnd(8)}  ${r.class!.padEnd(9)}  ${dev.padEnd(34)}  ${`${r.energyRangeEV!.min}–${r.energyRangeEV!.max}`.padEnd(15)}  ${st}`);
  }
  for (const x of cat.reserved) lines.push(`cell ${x.cell} ${x.straight} straight: reserved (${x.use})`);
  lines.push('(all ID parameters and most energy ranges are documented assumptions: beamlines/catalogue/*.yaml)');
  return lines.join('\n');
}

const e3 = (x: number | null) => (x === null ? '—' : x.toExponential(3));

export function formatReport(r: SourceReport, title?: string, cmp?: Comparison): string {
  const d = r.device;
  const b = r.beam;
  const lines: string[] = [];
  lines.push(`${d.name}${title ? ` — ${title}` : ''}`);
  lines.push(`device: ${d.type}${d.mode ? ` (${d.mode})` : ''}, λu = ${(d.periodM * 1e3).toFixed(1)} mm × ${d.periods} = ${d.lengthM.toFixed(3)} m, kx = ${d.kx.toFixed(4)}, ky = ${d.ky.toFixed(4)}, φ = ${d.phaseRad.toFixed(4)} rad, K_eff = ${d.kEff.toFixed(4)}`);
  lines.push(`beam: ${(b.energyEV / 1e9).toFixed(3)} GeV, ${(b.currentA * 1e3).toFixed(0)} mA, εx = ${(b.emittanceXM * 1e12).toFixed(1)} pm, εy = ${(b.emittanceYM * 1e12).toFixed(2)} pm, σδ = ${b.energySpread.toExponential(3)}; ` +
    `σx = ${(b.sizes.sigmaXM * 1e6).toFixed(1)} µm, σx′ = ${(b.sizes.sigmaXPrimeRad * 1e6).toFixed(2)} µrad, σy = ${(b.sizes.sigmaYM * 1e6).toFixed(2)} µm, σy′ = ${(b.sizes.sigmaYPrimeRad * 1e6).toFixed(2)} µrad`);
  lines.push(`  (${b.source})`);
  lines.push(`power: total ${r.totalPowerW.toFixed(1)} W, on axis ${r.onAxisPowerDensityWPerMrad2.toFixed(2)} W/mrad²` +
    (r.powerThroughAperture ? `, ${r.powerThroughAperture.watts.toFixed(1)} W through ${(r.powerThroughAperture.apertureRad.x * 1e3).toFixed(3)} × ${(r.powerThroughAperture.apertureRad.y * 1e3).toFixed(3)} mrad` : ''));
  if (r.wiggler) {
    lines.push(`wiggler: B0 = ${r.wiggler.fieldT.toFixed(3)} T, Ec = ${(r.wiggler.criticalEnergyEV / 1e3).toFixed(3)} keV (spectrum = 2N poles of a bending magnet)`);
    lines.push('   E [eV]   on-axis [ph/s/mrad²/0.1%bw]   per mrad (H) [ph/s/mrad/0.1%bw]');
    for (const w of r.wiggler.rows) lines.push(`${w.energyEV.toFixed(0).padStart(9)}   ${e3(w.onAxisFluxDensity).padStart(27)}   ${e3(w.fluxPerMradH).padStart(31)}`);
    return lines.join('\n');
  }
  lines.push('');
  lines.push('  n    E [eV]      Fn    flux [ph/s/0.1%bw]  on-axis filament  on-axis beam (peak)  brilliance Kim  Kim+ES (GA)  coh. frac (Kim+ES)');
  for (const h of r.harmonics) {
    lines.push(`${String(h.n).padStart(3)} ${h.energyEV.toFixed(1).padStart(9)} ${h.fn.toFixed(4).padStart(7)} ${e3(h.centralConeFlux).padStart(18)} ${e3(h.onAxisFluxDensity).padStart(17)} ${e3(h.onAxisFluxDensityBeam).padStart(20)} ${e3(h.brilliance.kim).padStart(15)} ${e3(h.brilliance.kimEnergySpread).padStart(12)} ${h.coherentFraction.toFixed(4).padStart(18)}`);
  }
  lines.push('  (flux density in ph/s/mrad²/0.1%bw; brilliance in ph/s/mm²/mrad²/0.1%bw)');
  lines.push('');
  lines.push('tuning curves (K max → K min):');
  for (const t of r.tuningCurves) {
    const p0 = t.points[0];
    const p1 = t.points[t.points.length - 1];
    const bmax = Math.max(...t.points.map((p) => p.brillianceKimEnergySpread));
    const gaps = p0.gapM !== null && p1.gapM !== null ? `, gap ${(p0.gapM * 1e3).toFixed(2)} → ${(p1.gapM * 1e3).toFixed(2)} mm` : '';
    lines.push(`  n = ${t.n}: ${p0.energyEV.toFixed(0)}–${p1.energyEV.toFixed(0)} eV (K ${t.kMax.toFixed(3)} → ${t.kMin.toFixed(3)}${gaps}), brilliance (GA) up to ${e3(bmax)}`);
  }
  if (cmp) {
    lines.push('');
    lines.push(`side by side with SPring-8 (brilliance envelope, ${cmp.convention}):`);
    lines.push('   E [eV]   NanoTerasu (n)        SPring-8 (n)          ratio            coherent flux NT / S8 [ph/s/0.1%bw]');
    for (const row of cmp.rows) {
      const f = (p: typeof row.nanoterasu) => (p.brilliance > 0 ? `${e3(p.brilliance)} (${p.harmonic})` : '—');
      const c = (p: typeof row.nanoterasu) => (p.brilliance > 0 ? e3(p.coherentFlux) : '—');
      lines.push(`${row.energyEV.toFixed(0).padStart(9)}   ${f(row.nanoterasu).padEnd(20)}  ${f(row.spring8).padEnd(20)}  ${(row.ratio === null ? '—' : row.ratio === Infinity ? 'only NanoTerasu' : row.ratio.toFixed(2)).padEnd(15)}  ${c(row.nanoterasu)} / ${c(row.spring8)}`);
    }
    lines.push(`NanoTerasu brighter: ${cmp.nanoterasuBrighter.map(([a, b]) => `${a.toFixed(0)}–${b.toFixed(0)} eV`).join(', ') || 'nowhere on this grid'}`);
  }
  return lines.join('\n');
}
