/**
 * `nanoterasu spectrum --beamline BL13U --harmonic 1 --k 1.2 --aperture 0.1x0.1mrad [--json]`:
 * the numerical spectrum around one harmonic — on-axis flux density and flux through a centred
 * rectangular aperture against photon energy, with the beam's emittance and energy spread
 * (beamlines/devices/spectrum.ts). `--device FILE` / `--beam FILE` as for `source`.
 *
 * JSON keys: meta {units, method, device, beam, harmonic, harmonicEnergyEV, apertureRad, grid,
 * closedForms {onAxisFluxDensity, centralConeFlux}}, energiesEV[], onAxisFluxDensity[],
 * apertureFlux[] (with an aperture), peakOnAxis, peakAperture.
 */
import type { Command } from 'commander';
import { computeSpectrum } from '../../beamlines/devices/spectrum.ts';
import { SHARD_HELP, shardRange, shardRequest, shardWrittenLine, writeShard } from '../cluster/shard.ts';
import { spectrumJson, spectrumShardInputs } from '../cluster/spectrum.ts';
import { centralConeFlux, onAxisFluxDensity, settingFor } from '../../beamlines/devices/undulator.ts';
import { UserError } from './main.ts';
import { resolveSource } from './source.ts';

interface Options {
  beamline?: string;
  device?: string;
  beam?: string;
  beamModel?: string;
  current?: string;
  k?: string;
  mode?: string;
  harmonic?: string;
  aperture?: string;
  points?: string;
  range?: string;
  step?: string;
  workers?: string;
  emittance?: boolean;
  energySpread?: boolean;
  json?: boolean;
  shard?: string;
  out?: string;
}

/** "0.1x0.1mrad", "100x50urad", "0.1x0.1" (mrad), or "none" → full angles [rad]. */
export function parseAperture(text: string): { x: number; y: number } | undefined {
  if (text === 'none') return undefined;
  const m = /^\s*([0-9.eE+-]+)\s*[x×]\s*([0-9.eE+-]+)\s*(mrad|urad|µrad|rad)?\s*$/.exec(text);
  if (!m) throw new UserError(`--aperture: expected e.g. 0.1x0.1mrad or 100x100urad (full angles), got "${text}"`);
  const unit = m[3] === 'rad' ? 1 : m[3] === 'urad' || m[3] === 'µrad' ? 1e-6 : 1e-3;
  const x = Number(m[1]) * unit;
  const y = Number(m[2]) * unit;
  if (!(x > 0) || !(y > 0) || !Number.isFinite(x) || !Number.isFinite(y)) throw new UserError(`--aperture: both full angles must be > 0, got "${text}"`);
  return { x, y };
}

export function register(program: Command): void {
  program
    .command('spectrum')
    .description('numerical undulator spectrum around a harmonic: on-axis flux density and flux through an aperture, with emittance and energy spread')
    .option('--beamline <id>', 'a beamline of the catalogue, e.g. BL13U')
    .option('--device <file>', 'a device file {"type", "periodM", "periods", "k"} or {… "kx", "ky", "phaseRad"}')
    .option('--beam <file>', 'electron beam file (see `source --help`)')
    .option('--beam-model <name>', 'without --beam: "optics" (default) or "default"')
    .option('--current <A>', 'stored current [A] (default 0.4)')
    .option('--k <K>', 'deflection parameter (default: K max)')
    .option('--mode <mode>', 'APPLE-II polarisation mode')
    .option('--harmonic <n>', 'harmonic (default 1)', '1')
    .option('--aperture <XxY>', 'full aperture angles, e.g. 0.1x0.1mrad (default none: on-axis only)', 'none')
    .option('--points <n>', 'photon energies (default 500)', '500')
    .option('--range <lo:hi>', 'photon energy range [eV] (default around E_n, see beamlines/devices/spectrum.ts)')
    .option('--step <urad>', 'angular grid step [µrad] (default min(1, σr′/5))')
    .option('--workers <n>', 'worker threads (default 0 = this thread; results identical for any number)', '0')
    .option('--no-emittance', 'filament beam (no angular spread)')
    .option('--no-energy-spread', 'no energy spread')
    .option('--json', 'print JSON instead of a table')
    .option('--shard <i/N>', `${SHARD_HELP.shard} (blocks of photon energies)`)
    .option('--out <dir>', SHARD_HELP.out)
    .addHelpText('after', '\nExamples:\n  npx nanoterasu spectrum --beamline BL13U --harmonic 1 --k 1.2 --aperture 0.1x0.1mrad\n  npx nanoterasu spectrum --device u22.json --harmonic 5 --workers 2 --json\n')
    .action(async (opts: Options) => {
      const shard = shardRequest(opts);
      const { beam, report: ro } = resolveSource(opts);
      if (ro.type === 'wiggler') throw new UserError('spectrum computes undulator harmonics; for a wiggler use `source` (bending-magnet-like spectrum)');
      const n = Number(opts.harmonic);
      if (!Number.isInteger(n) || n < 1) throw new UserError(`--harmonic: a positive integer, got "${opts.harmonic}"`);
      const points = Number(opts.points);
      if (!Number.isInteger(points) || points < 1 || points > 100_000) throw new UserError(`--points: an integer 1–100000, got "${opts.points}"`);
      const workers = Number(opts.workers);
      if (!Number.isInteger(workers) || workers < 0) throw new UserError(`--workers: an integer ≥ 0, got "${opts.workers}"`);
      let energiesEV: number[] | undefined;
      if (opts.range) {
        const m = /^([0-9.eE+-]+):([0-9.eE+-]+)$/.exec(opts.range);
        const lo = m ? Number(m[1]) : NaN;
        const hi = m ? Number(m[2]) : NaN;
        if (!(lo > 0 && hi > lo)) throw new UserError(`--range: expected lo:hi in eV with 0 < lo < hi, got "${opts.range}"`);
        energiesEV = Array.from({ length: points }, (_, i) => (points === 1 ? lo : lo + ((hi - lo) * i) / (points - 1)));
      }
      let step: number | undefined;
      if (opts.step !== undefined) {
        step = Number(opts.step) * 1e-6;
        if (!(step > 0)) throw new UserError(`--step: a positive number of µrad, got "${opts.step}"`);
      }
      const d = ro.setting ?? settingFor(ro.type, ro.periodM, ro.periods, ro.k, ro.mode);
      const apertureRad = parseAperture(opts.aperture ?? 'none');
      const range = shard ? shardRange(energiesEV?.length ?? points, shard.spec) : undefined;
      const t0 = performance.now();
      const r = await computeSpectrum(d, beam, {
        harmonic: n, energiesEV, points, apertureRad, emittance: opts.emittance !== false, energySpread: opts.energySpread !== false,
        angularStepRad: step, workers, ...(range ? { energyRange: { first: range.first, count: range.count } } : {}),
      });
      const seconds = (performance.now() - t0) / 1e3;
      let closedFlux: number | null = null;
      let closedDensity: number | null = null;
      try {
        closedFlux = centralConeFlux(d, beam, n);
        closedDensity = onAxisFluxDensity(d, beam, n);
      } catch {
        /* no closed form for a general phase */
      }
      const meta = {
        units: { energiesEV: 'eV', onAxisFluxDensity: 'ph/s/mrad²/0.1%bw', apertureFlux: 'ph/s/0.1%bw through the centred rectangular aperture (full angles apertureRad)' },
        method: 'far field, acceleration form of the Liénard–Wiechert integral over one period × N-period grating factor; emittance as angular weights; energy spread as a Gaussian σ = 2σδE (undulator.md §2.11)',
        device: { ...d, name: ro.name, mode: ro.mode ?? null },
        beam,
        harmonic: n,
        harmonicEnergyEV: r.grid.harmonicEnergyEV,
        apertureRad: apertureRad ?? null,
        emittance: opts.emittance !== false,
        energySpread: opts.energySpread !== false,
        grid: r.grid,
        closedForms: { onAxisFluxDensity: closedDensity, centralConeFlux: closedFlux, note: 'filament beam, at E_n (Kim)' },
        seconds,
      };
      if (shard && range) {
        const inputs = spectrumShardInputs({
          device: meta.device, beam, harmonic: n, energiesEV: energiesEV ?? null, points, apertureRad: apertureRad ?? null,
          emittance: meta.emittance, energySpread: meta.energySpread, angularStepRad: step ?? null,
        });
        const payload = {
          meta, energiesEV: Array.from(r.energiesEV), onAxisFluxDensity: Array.from(r.onAxisFluxDensity),
          apertureFlux: r.apertureFlux ? Array.from(r.apertureFlux) : null,
        };
        const file = writeShard('spectrum', shard, range, inputs, payload);
        process.stdout.write(shardWrittenLine(shard, range, 'photon energies', file) + '\n');
        return;
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify(spectrumJson(meta, r.energiesEV, r.onAxisFluxDensity, r.apertureFlux)) + '\n');
        return;
      }
      process.stdout.write(formatSpectrum(spectrumJson(meta, r.energiesEV, r.onAxisFluxDensity, r.apertureFlux)));
    });
}

/** The table of a spectrum (also printed by `nanoterasu merge` for merged shards), from its JSON object. */
export function formatSpectrum(o: ReturnType<typeof spectrumJson>): string {
  const meta = o.meta as {
    device: { name: string; kx: number; ky: number }; beam: { source: string }; harmonic: number;
    apertureRad: { x: number; y: number } | null; emittance: boolean; energySpread: boolean; seconds: number;
    grid: { harmonicEnergyEV: number; thetaXPoints: number; thetaYPoints: number; angularStepRad: number; internalEnergies: number; chunks: number; workers: number };
    closedForms: { onAxisFluxDensity: number | null; centralConeFlux: number | null };
  };
  const g = meta.grid;
  const ap = meta.apertureRad;
  const lines: string[] = [];
  lines.push(`${meta.device.name}: harmonic ${meta.harmonic}, E_n = ${g.harmonicEnergyEV.toFixed(2)} eV, kx = ${meta.device.kx.toFixed(4)}, ky = ${meta.device.ky.toFixed(4)}`);
  lines.push(`beam: ${meta.beam.source}`);
  lines.push(`aperture: ${ap ? `${(ap.x * 1e3).toFixed(4)} × ${(ap.y * 1e3).toFixed(4)} mrad` : 'none (on axis only)'}; emittance ${meta.emittance ? 'on' : 'off'}, energy spread ${meta.energySpread ? 'on' : 'off'}`);
  lines.push(`grid: ${g.thetaXPoints} × ${g.thetaYPoints} directions, step ${(g.angularStepRad * 1e6).toFixed(3)} µrad, ${g.internalEnergies} internal energies, ${g.chunks} chunks on ${g.workers || 'no'} workers, ${meta.seconds.toFixed(2)} s`);
  lines.push(`peak on axis: ${o.peakOnAxis.value.toExponential(4)} ph/s/mrad²/0.1%bw at ${o.peakOnAxis.energyEV.toFixed(2)} eV (filament closed form at E_n: ${meta.closedForms.onAxisFluxDensity?.toExponential(4) ?? '—'})`);
  if (o.peakAperture) lines.push(`peak through aperture: ${o.peakAperture.value.toExponential(4)} ph/s/0.1%bw at ${o.peakAperture.energyEV.toFixed(2)} eV (central-cone Fn: ${meta.closedForms.centralConeFlux?.toExponential(4) ?? '—'})`);
  lines.push('');
  lines.push('    E [eV]   on axis [ph/s/mrad²/0.1%bw]   aperture [ph/s/0.1%bw]');
  const n = o.energiesEV.length;
  const every = Math.max(1, Math.ceil(n / 40));
  for (let i = 0; i < n; i += every) {
    lines.push(`${o.energiesEV[i].toFixed(2).padStart(10)}   ${o.onAxisFluxDensity[i].toExponential(4).padStart(27)}   ${o.apertureFlux ? o.apertureFlux[i].toExponential(4).padStart(22) : '—'.padStart(22)}`);
  }
  if (every > 1) lines.push(`  (every ${every}th of ${n} energies; --json for all)`);
  return lines.join('\n') + '\n';
}
