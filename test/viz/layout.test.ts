// Scene builders: positions come from the survey, counts from the lattice and the catalogue.
import { describe, expect, it } from 'vitest';
import { nanoterasuRing } from '../../lattice/nanoterasu.ts';
import { countByType } from '../../lattice/lattice.ts';
import { survey, surveyAt } from '../../lattice/survey.ts';
import { loadCatalogue } from '../../beamlines/catalogue/catalogue.ts';
import { catalogueSection } from '../../beamlines/catalogue/section.ts';
import { alongPath, undulatorPlacements, beamlinePlacements, envelopeLines, floorAt, linacLayout, magnetPlacements, ringExtent, shotsInFlight, straights, type BundleLike, type CatalogueLike } from '../../viz/scene/layout.ts';
import { buildTour, TourController } from '../../viz/tour/tour.ts';
import { beamlinePanelRows } from '../../viz/panels/data.ts';

function bundleOf(): { b: BundleLike; cat: CatalogueLike } {
  const lat = nanoterasuRing();
  const sv = survey(lat);
  const b: BundleLike = {
    survey: {
      points: { s: [...sv.s], x: [...sv.x], y: [...sv.y], z: [...sv.z], theta: [...sv.theta] },
      elements: sv.elements.map((e, i) => ({ name: e.name, type: e.type, sM: sv.s[i], lengthM: sv.s[i + 1] - sv.s[i], angleRad: e.type === "sbend" || e.type === "rbend" ? e.angle : 0 })),
    },
  };
  const cat = catalogueSection.bundle!(loadCatalogue(), {}) as CatalogueLike;
  b.sections = { catalogue: cat };
  return { b, cat };
}

describe('viz scene layout', () => {
  const { b, cat } = bundleOf();
  const lat = nanoterasuRing();

  it('places one box per magnet and cavity, as many as the lattice has', () => {
    const mags = magnetPlacements(b);
    const byType: Record<string, number> = {};
    for (const m of mags) byType[m.type] = (byType[m.type] ?? 0) + 1;
    const counts = countByType(lat);
    expect(byType.sbend).toBe(64);
    expect(byType.quadrupole).toBe(160);
    expect(byType.sextupole).toBe(160);
    expect(byType.rfcavity).toBe(counts.rfcavity);
  });

  it('puts each magnet at its survey position (element centre, to 1 µm)', () => {
    const sv = survey(lat);
    for (const m of magnetPlacements(b)) {
      const p = surveyAt(sv, m.sM + m.lengthM / 2);
      expect(Math.hypot(p.x - m.centre[0], p.z - m.centre[2])).toBeLessThan(1e-6);
    }
  });

  it('finds the 32 straights and the 28 ID ports, 10 with beamlines', () => {
    expect(straights(b)).toHaveLength(32);
    const bl = beamlinePlacements(b, cat);
    expect(bl).toHaveLength(28);
    expect(bl.filter((x) => x.beamline)).toHaveLength(10);
    // BL08W has three stations that run at once (main + 2 branches).
    expect(bl.find((x) => x.id === 'BL08W')!.stations).toHaveLength(3);
  });

  it('runs each beamline along the tangent of its straight, outside the ring', () => {
    const { centre, radiusM } = ringExtent(b);
    expect(radiusM).toBeGreaterThan(50);
    expect(radiusM).toBeLessThan(348.843 / (2 * Math.PI) + 1);
    for (const x of beamlinePlacements(b, cat)) {
      const r0 = Math.hypot(x.start[0] - centre[0], x.start[2] - centre[2]);
      const r1 = Math.hypot(x.end[0] - centre[0], x.end[2] - centre[2]);
      expect(r1).toBeGreaterThan(r0);
    }
  });

  it('interpolates the floor within 1 µm of the exact survey (arcs in bends)', () => {
    const sv = survey(lat);
    for (const s of [0, 10.3, 100.7, 200.1, 348.0]) {
      const a = floorAt(b, s), e = surveyAt(sv, s);
      expect(Math.hypot(a.p[0] - e.x, a.p[2] - e.z)).toBeLessThan(1e-6);
    }
  });

  it('puts the linac (110 m) outside the ring', () => {
    const l = linacLayout(b);
    expect(Math.hypot(l.end[0] - l.start[0], l.end[2] - l.start[2])).toBeCloseTo(110, 9);
  });

  it('tour visits gun → linac → ring → undulator → beamline → experiment, and advances by its clock', () => {
    const stops = buildTour(b, cat);
    expect(stops.map((s) => s.id)).toEqual(['gun', 'linac', 'ring', 'undulator', 'beamline', 'experiment']);
    for (const s of stops) { expect(s.captionJa.length).toBeGreaterThan(5); expect(s.captionEn.length).toBeGreaterThan(5); }
    const t = new TourController(stops, 2).start();
    t.tick(stops[0].dwellS + 0.01);
    expect(t.index).toBe(1);
    t.pause().tick(100);
    expect(t.index).toBe(1);
    t.resume();
    for (let i = 0; i < 1000 && !t.finished; i++) t.tick(0.5);
    expect(t.finished).toBe(true);
    expect(t.index).toBe(stops.length - 1);
  });

  it('beamline panel rows come from the bundle (stations of BL08W)', () => {
    const { rows } = beamlinePanelRows(b, 'BL08W');
    expect(rows.filter((r) => r.key.startsWith('station.') && !r.key.includes('.concurrent')).length).toBeGreaterThanOrEqual(3);
    const free = beamlinePanelRows(b, 'BL03U');
    expect(free.title).toContain('free port');
  });

  it('envelope lines sit ±σ·scale from the orbit, horizontally outward and vertically', () => {
    const s = [0, 50, 100.5, 200];
    const sx = [1e-4, 2e-4, 1.5e-4, 1e-4], sy = [5e-6, 6e-6, 7e-6, 8e-6];
    const env = envelopeLines(b, s, sx, sy, 2000, 20000);
    const { centre } = ringExtent(b);
    s.forEach((si, i) => {
      const f = floorAt(b, si);
      expect(Math.hypot(env.outer[i][0] - f.p[0], env.outer[i][2] - f.p[2])).toBeCloseTo(sx[i] * 2000, 9);
      expect(env.upper[i][1] - f.p[1]).toBeCloseTo(sy[i] * 20000, 12);
      // "outer" is on the outside of the ring (positive x of a ring of positive bends)
      const rOut = Math.hypot(env.outer[i][0] - centre[0], env.outer[i][2] - centre[2]);
      const rIn = Math.hypot(env.inner[i][0] - centre[0], env.inner[i][2] - centre[2]);
      expect(rOut).toBeGreaterThan(rIn);
    });
  });

  it('top-up shots leave at the rate of the top-up section, in time-lapse, and travel the path', () => {
    // 120 shots/h at ×30: one shot every 1 s of animation; 2.5 s of travel → 3 in flight.
    expect(shotsInFlight(10.2, 120, 30, 2.5).length).toBe(3);
    expect(shotsInFlight(10.2, 120, 30, 2.5)[0]).toBeCloseTo(0.2 / 2.5, 12);
    expect(shotsInFlight(5, 0, 30, 2.5)).toEqual([]);
    const path: [number, number, number][] = [[0, 0, 0], [10, 0, 0], [10, 0, 10]];
    expect(alongPath(path, 0.25)).toEqual([5, 0, 0]);
    expect(alongPath(path, 0.75)).toEqual([10, 0, 5]);
    expect(alongPath(path, 1)).toEqual([10, 0, 10]);
  });

  it('puts the insertion device of each built beamline in its straight, with its catalogue length', () => {
    const ids = undulatorPlacements(b, cat);
    expect(ids).toHaveLength(10);
    const st = straights(b);
    for (const u of ids) {
      const bl = cat.beamlines.find((x) => u.name.startsWith(x.id))!;
      expect(u.lengthM).toBeCloseTo(bl.device!.periodM * bl.device!.periods, 12);
      const port = cat.ports.find((p) => p.beamline === bl.id)!;
      const mark = st.find((s) => s.cell === port.cell && s.kind === port.straight)!;
      expect(u.centre).toEqual(mark.centre);
      // it fits in its straight (5.44 m long, 2.52 m short)
      expect(u.lengthM).toBeLessThan(port.straight === 'long' ? 5.44 : 2.52);
    }
  });
});
