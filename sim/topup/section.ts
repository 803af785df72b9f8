/**
 * The `topup` section of a scenario (registered in the SECTIONS table of sim/scenario/run.ts):
 * lifetime of the scenario's lattice at the target current and a top-up simulation.
 *
 * The beam comes from sim/optics on the scenario's lattice (sim/lifetime/adapters.ts); if that fails
 * (e.g. a lattice without bends) the section warns and uses the documented [M] fallback.
 */
import type { ScenarioSection } from '../scenario/schema.ts';
import { resolve } from 'node:path';
import { builtinBeam, readAcceptanceFile, resolveBeam, type LocalAcceptance } from '../lifetime/adapters.ts';
import { topupConfigSchema, type TopupConfig } from './config.ts';
import { resolveTrackedEfficiencyPooled } from './injection-tracking.ts';
import { formatLifetime, formatTopup, runTopupStudy, timelinePlot, topupJson, type TopupRun } from './run.ts';

export const topupSection: ScenarioSection<TopupConfig, TopupRun> = {
  name: 'topup',
  summary: 'beam lifetime (Touschek, gas, quantum) and top-up injection: stored current over time',
  schema: topupConfigSchema,
  async run(config, ctx) {
    let acceptance: LocalAcceptance | undefined;
    if (config.lifetime.momentumAcceptanceFile) {
      try {
        acceptance = readAcceptanceFile(resolve(ctx.dir, config.lifetime.momentumAcceptanceFile));
      } catch (err) {
        throw ctx.doc.error(['topup', 'lifetime', 'momentumAcceptanceFile'], (err as Error).message);
      }
    }
    let source;
    try {
      source = await resolveBeam({ lattice: ctx.lattice, ...(acceptance ? { acceptance } : { tracking: config.lifetime.tracking }) });
    } catch (err) {
      ctx.warn(`topup: optics of the lattice could not be computed (${(err as Error).message}); using the built-in fallback beam`);
      source = await builtinBeam();
    }
    // injector.efficiencyModel: tracking — the efficiency from an injected bunch tracked into the lattice
    let eff;
    try {
      eff = await resolveTrackedEfficiencyPooled(config, { lattice: ctx.lattice });
    } catch (err) {
      throw ctx.doc.error(['topup', 'injector', 'efficiencyModel'], (err as Error).message);
    }
    return runTopupStudy(eff.config, source.beam, { doc: ctx.doc, basePath: ['topup'], notes: [...source.notes, ...eff.notes] });
  },
  report(run) {
    return ['Lifetime at the target current:', formatLifetime(run.lifetime, run.ring), '', 'Top-up:', formatTopup(run), ...run.notes.map((n) => `  - ${n}`)].join('\n');
  },
  bundle(run) {
    // The timeline thinned to one point per minute (min/max kept) for the view's plots.
    return { summary: topupJson(run), timeline: run.result.timeline ? timelinePlot(run.result.timeline, 60) : null };
  },
};
