/**
 * The capacity section of a whole-twin scenario (`capacity:` key), for the scenario runner's
 * section table (sim/scenario/run.ts). The same schema, validation and Monte Carlo as the
 * `nanoterasu capacity` command; the section runs `capacity.monteCarlo` (years × runs, seed) with
 * the machine's worker count (results do not depend on it).
 */
import type { ScenarioSection } from '../scenario/schema.ts';
import { formatReport, summarise, type CapacityReport } from './metrics.ts';
import { defaultWorkers, runMonteCarlo } from './montecarlo.ts';
import { capacitySchema, validateCapacity, type CapacityScenario } from './scenario.ts';

export const capacitySection: ScenarioSection<CapacityScenario, CapacityReport> = {
  name: 'capacity',
  summary: 'beamtime capacity: Monte Carlo of facility years, demand against supply under the access rules',
  schema: capacitySchema as unknown as ScenarioSection<CapacityScenario, CapacityReport>['schema'],
  async run(config, ctx) {
    // cross-field checks (catalogue ids, calendar fit) with the YAML line of the culprit
    const s = validateCapacity(config, { doc: ctx.doc });
    const mc = s.monteCarlo;
    return summarise(await runMonteCarlo(s, { years: mc.years, runs: mc.runs, seed: mc.seed, workers: defaultWorkers() }));
  },
  report(result) {
    return formatReport(result);
  },
  bundle(result) {
    return result;
  },
};
