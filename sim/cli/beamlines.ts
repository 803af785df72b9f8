/**
 * `nanoterasu beamlines [--json] [--current mA] [--points n]`: the whole facility in one table —
 * every beamline and station with its energies, flux at the sample, resolving power, spot, which
 * stations run at once, and samples per hour. --json gives
 * { beamlines: [{ id, stations: [{ name, energyRangeEV | fixedEnergiesEV, concurrentWith,
 *   fluxAtSample: [{energyEV, photonsPerS}], samplesPerHour, … }] }] }.
 */
import type { Command } from 'commander';
import { facilityModel, formatFacility } from '../../beamlines/optics/facility.ts';
import { asUserError, number } from './beamline.ts';

export function register(program: Command): void {
  program
    .command('beamlines')
    .description('the whole facility: every beamline and station, flux at the sample, concurrency, samples/hour')
    .option('--current <mA>', 'stored current (default 400 mA, the design current)', number('current', { min: 1e-3 }))
    .option('--points <n>', 'points of each tunable station\'s flux curve (default 25)', number('points', { integer: true, min: 2 }))
    .option('--json', 'print JSON')
    .action((o: { current?: number; points?: number; json?: boolean }) => {
      const f = asUserError(() => facilityModel({ currentA: o.current === undefined ? undefined : o.current / 1e3, points: o.points }));
      process.stdout.write(o.json ? `${JSON.stringify(f, null, 2)}\n` : `${formatFacility(f)}\n`);
    });
}
