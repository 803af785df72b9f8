/**
 * Scenario section `beamlines`: photons delivered to each end station and which stations run at
 * once — per beamline and station its energies, flux at the sample against energy, spot, resolving
 * power, concurrency and samples per hour (beamlines/optics/facility.ts). The optics chains are the
 * data files beamlines/catalogue/optics/<BL>.yaml (every number an assumption, documented there);
 * the sources are the catalogue devices at NanoTerasu's beam (beamlines/devices).
 *
 *   beamlines: {}                      # all ten beamlines at 400 mA
 *   beamlines: { currentMA: 160, points: 25, only: [BL08W], opticsDir: my-optics/ }
 *
 * Uses the `catalogue` section's result when the scenario has one (so `catalogue.dir` applies).
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { ScenarioSection } from '../sim/scenario/schema.ts';
import { loadCatalogue, type Catalogue } from './catalogue/catalogue.ts';
import { OpticsError } from './optics/errors.ts';
import { facilityModel, formatFacility, type FacilityModel } from './optics/facility.ts';

const schema = z.object({
  /** Stored current [mA] (default 400, the design current; 160 in the first user year). */
  currentMA: z.number().positive().max(1000).optional(),
  /** Points of each tunable station's flux curve. */
  points: z.number().int().min(2).max(200).optional(),
  /** Only these beamlines (ids). */
  only: z.array(z.string()).min(1).optional(),
  /** Another folder of optics files (relative to the scenario file). */
  opticsDir: z.string().optional(),
}).strict();
type Config = z.infer<typeof schema>;

export const beamlinesSection: ScenarioSection<Config, FacilityModel> = {
  name: 'beamlines',
  summary: 'beamline optics: flux at each end station vs energy, spot, resolving power, concurrent stations, samples per hour',
  schema,
  run(cfg, ctx) {
    const cat = ctx.results.has('catalogue') ? (ctx.results.get('catalogue') as Catalogue) : loadCatalogue();
    cfg.only?.forEach((id, i) => {
      if (!cat.beamlines.some((b) => b.id.toUpperCase() === id.toUpperCase())) {
        throw ctx.doc.error(['beamlines', 'only', i], `unknown beamline "${id}" (known: ${cat.beamlines.map((b) => b.id).join(', ')})`);
      }
    });
    try {
      const f = facilityModel({
        currentA: cfg.currentMA === undefined ? undefined : cfg.currentMA / 1e3,
        points: cfg.points, only: cfg.only, catalogue: cat,
        opticsDir: cfg.opticsDir ? resolve(ctx.dir, cfg.opticsDir) : undefined,
      });
      for (const b of f.beamlines) for (const w of b.warnings) ctx.warn(w);
      return f;
    } catch (e) {
      if (e instanceof OpticsError) throw ctx.doc.error(['beamlines'], e.message);
      throw e;
    }
  },
  report(f) {
    return formatFacility(f);
  },
  bundle(f) {
    return f;
  },
};
