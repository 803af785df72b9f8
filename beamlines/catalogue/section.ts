/**
 * Scenario section `catalogue`: the facility's beamlines and the 28 ID ports, as the catalogue data
 * files give them (beamlines/catalogue/*.yaml), put into the results bundle so that the 3D view
 * places the beamlines on their straights and shows their stations. `catalogue: {}` in a scenario
 * uses the built-in catalogue; `dir:` points to another folder of catalogue files.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { ScenarioSection } from '../../sim/scenario/schema.ts';
import { loadCatalogue, type Catalogue } from './catalogue.ts';

const schema = z.object({ dir: z.string().optional() }).strict();
type Config = z.infer<typeof schema>;

export const catalogueSection: ScenarioSection<Config, Catalogue> = {
  name: 'catalogue',
  summary: 'beamlines, stations and the 28 insertion-device ports (data files)',
  schema,
  run(cfg, ctx) {
    return loadCatalogue(cfg.dir ? resolve(ctx.dir, cfg.dir) : undefined);
  },
  report(cat) {
    const built = cat.ports.filter((p) => p.beamline).length;
    const lines = [`${cat.beamlines.length} beamlines on ${built} of ${cat.ports.length} ID ports`];
    for (const bl of cat.beamlines) {
      const st = bl.stations.map((s) => s.name).join(', ');
      lines.push(`  ${bl.id.padEnd(6)} ${bl.class.padEnd(9)} ${bl.straight.kind.padEnd(5)} straight, cell ${String(bl.straight.cell).padStart(2)}  stations: ${st}`);
    }
    return lines.join('\n');
  },
  bundle(cat) {
    return {
      ports: cat.ports,
      beamlines: cat.beamlines.map((b) => ({
        id: b.id, title: b.title, class: b.class, operator: b.operator, straight: b.straight,
        energyRangeEV: b.energyRangeEV, device: { name: b.device.name, type: b.device.type, periodM: b.device.periodM, periods: b.device.periods },
        stations: b.stations,
      })),
    };
  },
};
