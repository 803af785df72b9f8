/**
 * Scenario section `sources`: the insertion-device source of every catalogue beamline — harmonics,
 * central-cone flux, brilliance, coherent fraction, power — built exactly as
 * `npx nanoterasu source --beamline ID` builds it (same resolveSource + buildSourceReport), so the
 * 3D view's panel shows the CLI's numbers. The electron beam at each straight comes from sim/optics
 * on the built-in ring. `numeric: true` adds the numerical on-axis density with the beam's
 * emittance and energy spread (slower).
 */
import { z } from 'zod';
import type { ScenarioSection } from '../../sim/scenario/schema.ts';
import { resolveSource } from '../../sim/cli/source.ts';
import { loadCatalogue } from '../catalogue/catalogue.ts';
import { buildSourceReport, type SourceReport } from './source-report.ts';

const schema = z.object({
  /** Stored current [A]; default 0.4 A (design). */
  currentA: z.number().positive().max(1).optional(),
  maxHarmonic: z.number().int().min(1).max(31).default(9),
  numeric: z.boolean().default(false),
}).strict();
type Config = z.infer<typeof schema>;
type Result = Record<string, SourceReport & { id: string }>;

export const sourcesSection: ScenarioSection<Config, Result> = {
  name: 'sources',
  summary: 'undulator/wiggler source of every beamline: harmonics, flux, brilliance, coherence, power',
  schema,
  async run(cfg) {
    const out: Result = {};
    for (const bl of loadCatalogue().beamlines) {
      const { beam, report } = resolveSource({ beamline: bl.id, current: cfg.currentA !== undefined ? String(cfg.currentA) : undefined });
      const r = await buildSourceReport(beam, { ...report, maxHarmonic: cfg.maxHarmonic, numeric: cfg.numeric });
      out[bl.id] = { id: bl.id, ...r };
    }
    return out;
  },
  report(res) {
    const rows = Object.values(res).map((r) => {
      const h1 = r.harmonics[0];
      const bri = h1 ? h1.brilliance.kimEnergySpread.toExponential(2) : '—';
      const e1 = h1 ? `${(h1.energyEV / 1e3).toFixed(3)} keV` : r.wiggler ? `Ec ${(r.wiggler.criticalEnergyEV / 1e3).toFixed(2)} keV` : '—';
      return `  ${r.id.padEnd(6)} ${r.device.name.slice(0, 28).padEnd(28)} K ${r.device.kEff.toFixed(2).padStart(5)}  E1 ${e1.padStart(10)}  brilliance(h1) ${bri.padStart(9)}  power ${(r.totalPowerW / 1e3).toFixed(2)} kW`;
    });
    return ['units: brilliance ph/s/mm²/mrad²/0.1%bw (Kim, T&K energy-spread correction); K at its maximum', ...rows].join('\n');
  },
  bundle(res) {
    // Plain data for the view: the harmonic table and the power of each source.
    return {
      beamlines: Object.fromEntries(Object.values(res).map((r) => [r.id, {
        id: r.id, device: r.device.name, kEff: r.device.kEff, totalPowerW: r.totalPowerW,
        harmonics: r.harmonics.map((h) => ({ n: h.n, energyEV: h.energyEV, centralConeFlux: h.centralConeFlux, brilliance: h.brilliance, coherentFraction: h.coherentFraction, coherentFractionByConvention: h.coherentFractionByConvention })),
        tuningCurves: r.tuningCurves.map((t) => ({ n: t.n, energyEV: t.points.map((p) => p.energyEV), brilliance: t.points.map((p) => p.brillianceKimEnergySpread) })),
      }])),
    };
  },
};
