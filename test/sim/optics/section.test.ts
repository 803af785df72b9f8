// The optics scenario section: summary + Twiss + beam sizes for the bundle.
import { describe, expect, it } from 'vitest';
import { nanoterasuRing } from '../../../lattice/nanoterasu.ts';
import { opticsSection } from '../../../sim/optics/section.ts';

describe('optics section', () => {
  const lattice = nanoterasuRing();
  const cfg = opticsSection.schema.parse({});
  const r = opticsSection.run(cfg, { lattice } as any) as Awaited<ReturnType<typeof opticsSection.run>>;

  it('beam sizes at the long-straight centre are those of nanoterasu.md §5.3 (1 % coupling: σx 131 µm, σy 6.5 µm) to their printed digits', () => {
    const names = r.twiss.name as string[];
    const i = names.indexOf('LS02');
    expect(i).toBeGreaterThan(0);
    expect(r.beamSize.sigmaXM[i] * 1e6).toBeCloseTo(131, 0);
    expect(r.beamSize.sigmaYM[i] * 1e6).toBeCloseTo(6.5, 1);
    // εx + εy = ε0 and εy/εx = κ
    expect(r.beamSize.emittanceXM + r.beamSize.emittanceYM).toBeCloseTo(r.summary.emittanceM, 20);
    expect(r.beamSize.emittanceYM / r.beamSize.emittanceXM).toBeCloseTo(0.01, 12);
  });

  it('σx includes the dispersive part (√(βε + (ησδ)²)) where η ≠ 0', () => {
    const eta = r.twiss.etaX as number[], bx = r.twiss.betaX as number[];
    const i = eta.reduce((best, v, k) => (Math.abs(v) > Math.abs(eta[best]) ? k : best), 0);
    const expected = Math.sqrt(bx[i] * r.beamSize.emittanceXM + (eta[i] * r.summary.energySpread) ** 2);
    expect(r.beamSize.sigmaXM[i]).toBeCloseTo(expected, 15);
    expect(r.beamSize.sigmaXM[i]).toBeGreaterThan(Math.sqrt(bx[i] * r.beamSize.emittanceXM) * 1.01);
  });

  it('the bundle carries the summary keys tools read, the Twiss and the sizes', () => {
    const b = opticsSection.bundle!(r, cfg) as Record<string, any>;
    for (const k of ['tunes', 'chromaticity', 'emittanceM', 'energySpread', 'dampingPartition', 'rf', 'twiss', 'beamSize']) expect(b).toHaveProperty(k);
    expect(b.twiss.s.length).toBe(b.beamSize.sigmaXM.length);
  });
});
