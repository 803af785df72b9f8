/**
 * `nanoterasu beamline <BL> [--json] [--current mA] [--points n] [--station S --energy eV]`:
 * one beamline's stations, energy ranges or fixed energies, flux at the sample against energy,
 * spot size, resolving power, which stations run at once, and samples per hour.
 * With --station and --energy: that station at that energy, element by element (an energy the
 * station cannot deliver is an error, exit 2).
 */
import type { Command } from 'commander';
import { loadCatalogue } from '../../beamlines/catalogue/catalogue.ts';
import { OpticsError } from '../../beamlines/optics/errors.ts';
import { facilityModel, formatBeamline, stationPointAt } from '../../beamlines/optics/facility.ts';
import { UserError } from './main.ts';

export function number(name: string, opts: { integer?: boolean; min?: number } = {}) {
  return (v: string) => {
    const x = Number(v);
    if (!Number.isFinite(x) || (opts.integer && !Number.isInteger(x)) || (opts.min !== undefined && x < opts.min)) {
      throw new UserError(`--${name}: expected ${opts.integer ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}, got "${v}"`);
    }
    return x;
  };
}

/** Runs f, turning optics mistakes into the CLI's one-line user errors. */
export function asUserError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof OpticsError) throw new UserError(e.message);
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command('beamline')
    .description('one beamline: stations, energies, flux at the sample vs energy, spot, resolving power, concurrency, samples/hour')
    .argument('<id>', 'beamline id, e.g. BL08W')
    .option('--current <mA>', 'stored current (default 400 mA, the design current)', number('current', { min: 1e-3 }))
    .option('--points <n>', 'points of each tunable station\'s flux curve (default 25)', number('points', { integer: true, min: 2 }))
    .option('--station <name>', 'one station (with --energy)')
    .option('--energy <eV>', 'photon energy for --station [eV]', number('energy'))
    .option('--json', 'print JSON')
    .action((id: string, o: { current?: number; points?: number; station?: string; energy?: number; json?: boolean }) => {
      const cat = loadCatalogue();
      const bl = cat.beamlines.find((b) => b.id.toUpperCase() === id.toUpperCase());
      if (!bl) throw new UserError(`unknown beamline "${id}" (known: ${cat.beamlines.map((b) => b.id).join(', ')})`);
      const currentA = o.current === undefined ? undefined : o.current / 1e3;
      if ((o.station === undefined) !== (o.energy === undefined)) throw new UserError('--station and --energy go together');
      if (o.station !== undefined) {
        const r = asUserError(() => stationPointAt(bl.id, o.station!, o.energy!, currentA));
        if (o.json) { process.stdout.write(`${JSON.stringify(r, null, 2)}\n`); return; }
        const p = r.point;
        const lines = [
          `${r.beamline} ${r.station} at ${(p.energyEV / 1e3).toFixed(3)} keV: ${p.photonsPerS.toExponential(3)} photons/s, E/ΔE ${p.resolvingPower.toFixed(0)}, ΔE/E ${p.bandwidth.toExponential(2)}`,
          `  source: ${p.source}; ${p.sourceSpectralFlux.toExponential(3)} ph/s/0.1%bw through the front-end aperture (${p.sourcePhotonsInBand.toExponential(3)} photons/s in the band)`,
          ...p.elements.map((e) => `  ${e.name.padEnd(42)} ${e.factor.toFixed(4)}  ${e.detail}`),
          `  spot ${(p.spotFwhmM.horizontal * 1e6).toPrecision(3)} × ${(p.spotFwhmM.vertical * 1e6).toPrecision(3)} µm FWHM`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
        return;
      }
      const f = asUserError(() => facilityModel({ currentA, points: o.points, only: [bl.id], catalogue: cat }));
      const b = f.beamlines[0];
      if (o.json) { process.stdout.write(`${JSON.stringify({ format: f.format, currentA: f.currentA, materialsSource: f.materialsSource, ...b }, null, 2)}\n`); return; }
      process.stdout.write(`${formatBeamline(b, f.currentA)}\n`);
    });
}
