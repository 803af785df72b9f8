// The capacity scenario is self-contained (beamline ids, access class, stations); this test keeps it
// in step with the beamline catalogue (beamlines/catalogue/) so that a change there is noticed here.
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../beamlines/catalogue/catalogue.ts';
import { CATALOGUE_IDS, loadCapacityScenario, MAX_BEAMLINES } from '../../../sim/capacity/scenario.ts';

describe('capacity scenario against the beamline catalogue', () => {
  const cat = loadCatalogue();
  const s = loadCapacityScenario('scenarios/capacity-fy2026.yaml');
  it('knows the same beamline ids', () => {
    expect([...CATALOGUE_IDS].sort()).toEqual(cat.beamlines.map((b) => b.id).sort());
    expect(cat.ports.length).toBe(MAX_BEAMLINES);
  });
  it('has the same access class and stations (main + branches that run at once)', () => {
    for (const b of s.beamlines) {
      const c = cat.beamlines.find((x) => x.id === b.id)!;
      expect(c.class, b.id).toBe(b.access);
      expect(c.stations.length, b.id).toBe(b.mainStations + b.branchStations);
      expect(c.stations.filter((st) => st.name.startsWith('branch')).length, b.id).toBe(b.branchStations);
    }
  });
});
