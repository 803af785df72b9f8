/** Beamline chains: loading, station energies, branch rules, photon bookkeeping, named errors. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBeamline, loadCatalogue } from '../../../beamlines/catalogue/catalogue.ts';
import {
  beamFor, checkSimultaneous, loadBeamlineOptics, loadFacilityOptics, OPTICS_DIR, stationAt, stationSummary, type BeamlineOptics,
} from '../../../beamlines/optics/chain.ts';
import { OpticsError } from '../../../beamlines/optics/errors.ts';
import { sourceAt } from '../../../beamlines/optics/source.ts';

const cat = loadCatalogue();
const facility = loadFacilityOptics(cat);
const byId = (id: string) => facility.find((b) => b.id === id)!;
const st = (bo: BeamlineOptics, name: string) => bo.stations.find((s) => s.name === name)!;

/** A copy of the optics folder with one file edited. */
function editedOptics(id: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'optics-'));
  cpSync(OPTICS_DIR, dir, { recursive: true });
  const f = join(dir, `${id}.yaml`);
  writeFileSync(f, edit(readFileSync(f, 'utf8')));
  return dir;
}

describe('the facility', () => {
  it('every one of the ten beamlines has a chain for each catalogue station', () => {
    expect(facility.map((b) => b.id)).toEqual(cat.beamlines.map((b) => b.id));
    expect(facility).toHaveLength(10);
    for (const bo of facility) {
      for (const s of bo.beamline.stations) expect(bo.stations.some((o) => o.catalogueStation === s.name)).toBe(true);
    }
  });
  it('every number in the optics files carries a source or an assumption', () => {
    for (const bo of facility) {
      const values = (readFileSync(bo.file, 'utf8').match(/value:/g) ?? []).length;
      expect(Object.keys(bo.provenance).length).toBe(values);
    }
  });
  it('photon bookkeeping: at every curve point, sample ≤ source through the aperture in the band ≤ the whole source', () => {
    for (const bo of facility) {
      const beam = beamFor(bo.beamline);
      for (const s of bo.stations) {
        const sum = stationSummary(bo, s, beam, 6);
        expect(sum.curve.length).toBeGreaterThan(0);
        for (const p of sum.curve) {
          expect(p.photonsPerS).toBeGreaterThan(0);
          expect(p.photonsPerS).toBeLessThanOrEqual(p.sourcePhotonsInBand);
          expect(p.sourcePhotonsInBand).toBeLessThanOrEqual(p.sourceSpectralFluxUnlimited * (p.bandwidth / 1e-3) * (1 + 1e-12));
          expect(p.resolvingPower).toBeGreaterThan(100);
        }
      }
    }
  });
});

describe('BL08W branches', () => {
  const bo = byId('BL08W');
  const beam = beamFor(bo.beamline);
  it('main, branch1 and branch2 run at once; their fan slices are disjoint and together take less than the fan', () => {
    for (const s of bo.stations) {
      expect(s.concurrentWith.sort()).toEqual(bo.stations.map((o) => o.name).filter((n) => n !== s.name).sort());
      expect(s.timeSharedWith).toEqual([]);
    }
    const parts = bo.stations.map((s) => sourceAt(bo.beamline.device, beam, 13000, s.acceptance));
    expect(parts.reduce((a, p) => a + p.spectralFlux, 0)).toBeLessThan(parts[0].spectralFluxUnlimited);
  });
  it('fixed-energy branches deliver only their energies (8.0/13.1 and 17.5/28.5 keV)', () => {
    for (const e of [8000, 13100]) expect(stationAt(bo, st(bo, 'branch1'), beam, e).photonsPerS).toBeGreaterThan(1e10);
    for (const e of [17500, 28500]) expect(stationAt(bo, st(bo, 'branch2'), beam, e).photonsPerS).toBeGreaterThan(1e10);
    expect(() => stationAt(bo, st(bo, 'branch1'), beam, 9000)).toThrow(OpticsError);
    expect(() => stationAt(bo, st(bo, 'branch1'), beam, 9000)).toThrow(/BL08W branch1: a fixed-energy branch delivers only 8\.00 keV and 13\.10 keV, not 9\.000 keV/);
    expect(stationSummary(bo, st(bo, 'branch2'), beam).curve.map((p) => p.energyEV)).toEqual([17500, 28500]);
  });
  it('the main station is tunable over 2.1–13 keV only: 20 keV is a clear error', () => {
    expect(() => stationAt(bo, st(bo, 'main'), beam, 20000)).toThrow(/BL08W main: 20\.000 keV is outside the station's range 2\.100–13\.000 keV/);
    const curve = stationSummary(bo, st(bo, 'main'), beam, 9).curve;
    expect(curve[0].energyEV).toBeCloseTo(2100, 6);
    expect(curve[curve.length - 1].energyEV).toBeCloseTo(13000, 6);
  });
  it('apertures of concurrent stations may not overlap (the same photons counted twice)', () => {
    const dir = editedOptics('BL08W', (t) => t.replace('centreHorizontalRad: {value: -0.0008,', 'centreHorizontalRad: {value: -0.0003,'));
    expect(() => loadBeamlineOptics(findBeamline(cat, 'BL08W')!, dir)).toThrow(/stations branch1 and main run at once but their front-end apertures overlap/);
  });
  it('a mirror set above its critical angle fails at that energy with a message naming the mirror', () => {
    const dir = editedOptics('BL08W', (t) => t.replace('grazingAngleRad: {value: 0.0018,', 'grazingAngleRad: {value: 0.004,'));
    const edited = loadBeamlineOptics(findBeamline(cat, 'BL08W')!, dir);
    expect(() => stationAt(edited, st(edited, 'branch2'), beam, 28500)).toThrow(/BL08W branch2, M1 focusing \(Pt\): mirror M1 focusing \(Pt\) \(Pt\) at 4\.00 mrad is above its critical angle/);
  });
});

describe('time-shared end stations (BL08U)', () => {
  const bo = byId('BL08U');
  it('a schedule may run BL08W\'s three stations together but never BL08U\'s XAS with AP-XPS', () => {
    expect(() => checkSimultaneous(byId('BL08W'), ['main', 'branch1', 'branch2'])).not.toThrow();
    expect(() => checkSimultaneous(bo, ['XAS', 'AP-XPS'])).toThrow(/BL08U: stations XAS and AP-XPS are time-shared: they never take beam at the same time/);
    expect(() => checkSimultaneous(bo, ['XAS', 'RIXS'])).toThrow(/has no station "RIXS"/);
  });
  it('XAS and AP-XPS share the beam one at a time', () => {
    expect(bo.stations.map((s) => s.name)).toEqual(['XAS', 'AP-XPS']);
    expect(st(bo, 'XAS').timeSharedWith).toEqual(['AP-XPS']);
    expect(st(bo, 'AP-XPS').timeSharedWith).toEqual(['XAS']);
    expect(st(bo, 'XAS').concurrentWith).toEqual([]);
  });
  it('the AP-XPS membrane costs photons at the O K edge (less flux than XAS at 530 eV)', () => {
    const beam = beamFor(bo.beamline);
    const xas = stationAt(bo, st(bo, 'XAS'), beam, 530).photonsPerS;
    const ap = stationAt(bo, st(bo, 'AP-XPS'), beam, 530).photonsPerS;
    expect(ap).toBeLessThan(xas);
    expect(ap / xas).toBeGreaterThan(0.3);
  });
});

describe('bad optics files', () => {
  const bl = findBeamline(cat, 'BL09W')!;
  it('an unknown coating names the file, line and field', () => {
    const dir = editedOptics('BL09W', (t) => t.replace('coatings: [Rh, Pt]', 'coatings: [Rh, Unobtainium]'));
    expect(() => loadBeamlineOptics(bl, dir)).toThrow(/BL09W\.yaml:\d+: stations\.0\.elements\.1\.coatings\.1: unknown material "Unobtainium"/);
  });
  it('a bare number without source or assumption is refused', () => {
    const dir = editedOptics('BL09W', (t) => t.replace(/horizontalRad: \{value: 0\.001, assumption: "[^"]*"\}/, 'horizontalRad: 0.001'));
    expect(() => loadBeamlineOptics(bl, dir)).toThrow(/acceptance\.horizontalRad: a bare number/);
  });
  it('an operating energy outside the station is refused at load', () => {
    const dir = editedOptics('BL09W', (t) => t.replace('operatingEnergyEV: {value: 15000,', 'operatingEnergyEV: {value: 45000,'));
    expect(() => loadBeamlineOptics(bl, dir)).toThrow(/45000 eV is not an energy of station main/);
  });
  it('a station without a monochromator is refused', () => {
    const dir = editedOptics('BL09W', (t) => t.replace(/      - kind: dcm\n(        .*\n){3}/, ''));
    expect(() => loadBeamlineOptics(bl, dir)).toThrow(/exactly one monochromator/);
  });
});

describe('focusing and slope errors', () => {
  const bo = byId('BL10U');
  const beam = beamFor(bo.beamline);
  it('the spot is the demagnified source; slope errors enlarge it and cost flux density', () => {
    const p = stationAt(bo, bo.stations[0], beam, 8000);
    expect(p.spotFwhmM.vertical).toBeLessThan(1e-6);
    expect(p.slopeErrorDensityFactor).toBeGreaterThan(0);
    expect(p.slopeErrorDensityFactor).toBeLessThan(1);
    const dir = editedOptics('BL10U', (t) => t.replaceAll('slopeErrorRad: {value: 1e-07,', 'slopeErrorRad: {value: 1e-06,'));
    const worse = loadBeamlineOptics(bo.beamline, dir);
    const q = stationAt(worse, worse.stations[0], beam, 8000);
    expect(q.slopeErrorDensityFactor).toBeLessThan(p.slopeErrorDensityFactor);
    expect(q.spotFwhmM.vertical).toBeGreaterThan(p.spotFwhmM.vertical);
    expect(q.photonsPerS).toBeCloseTo(p.photonsPerS, -5);
  });
});
