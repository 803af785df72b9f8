/**
 * What the side panels show, as plain rows taken from the results bundle — no physics here: every
 * number is one the library computed for the CLI (`npx nanoterasu run`, `capacity`, `source`, ...).
 * Each row keeps the raw number (rendered into `data-value`) so tests can compare it exactly.
 */
import type { BundleLike, CatalogueLike } from '../scene/layout.ts';

export interface Row { key: string; label: string; value: number | string; unit?: string }

type Obj = Record<string, any>;

function section(b: BundleLike, name: string): Obj | undefined {
  return (b.sections as Obj | undefined)?.[name];
}

export function catalogueOf(b: BundleLike): CatalogueLike | undefined {
  const c = section(b, 'catalogue') ?? section(b, 'beamlines');
  return c && Array.isArray(c.ports) && Array.isArray(c.beamlines) ? (c as CatalogueLike) : undefined;
}

/** Rows of the beamline panel: stations, source, flux at the sample, capacity. */
export function beamlinePanelRows(b: BundleLike, portId: string): { title: string; rows: Row[] } {
  const cat = catalogueOf(b);
  const port = cat?.ports.find((p) => p.id === portId);
  const id = port?.beamline ?? portId;
  const bl = cat?.beamlines.find((x) => x.id === id) as Obj | undefined;
  const rows: Row[] = [];
  if (!bl) {
    rows.push({ key: 'port', label: 'Port', value: `${portId}: empty (${port?.straight ?? '?'} straight, cell ${port?.cell ?? '?'})` });
    return { title: `${portId} (free port)`, rows };
  }
  rows.push({ key: 'class', label: 'Access', value: bl.class });
  if (bl.title) rows.push({ key: 'title', label: 'Beamline', value: bl.title });
  for (const st of bl.stations as Obj[]) {
    const range = st.energyRangeEV
      ? `${fmt(st.energyRangeEV.min ?? st.energyRangeEV[0])}–${fmt(st.energyRangeEV.max ?? st.energyRangeEV[1])} eV`
      : st.fixedEnergiesEV ? `fixed ${(st.fixedEnergiesEV as number[]).map(fmt).join(', ')} eV` : '';
    rows.push({ key: `station.${st.name}`, label: `Station ${st.name}`, value: `${st.technique ?? ''} ${range}`.trim() });
    if (st.concurrentWith?.length) rows.push({ key: `station.${st.name}.concurrent`, label: '  runs with', value: st.concurrentWith.join(', ') });
    if (st.samplesPerHour !== undefined) rows.push({ key: `station.${st.name}.samplesPerHour`, label: '  samples/h', value: st.samplesPerHour });
  }
  const opt = findById(section(b, 'beamlines')?.beamlines, id);
  for (const st of (opt?.stations ?? []) as Obj[]) {
    const flux = st.fluxAtSample as { energyEV: number; photonsPerS: number }[] | undefined;
    if (flux?.length) {
      const best = flux.reduce((a, x) => (x.photonsPerS > a.photonsPerS ? x : a));
      rows.push({ key: `flux.${st.name}.peakPhotonsPerS`, label: `  ${st.name}: peak flux at sample`, value: best.photonsPerS, unit: 'ph/s' });
      rows.push({ key: `flux.${st.name}.peakEnergyEV`, label: `  ${st.name}: at`, value: best.energyEV, unit: 'eV' });
    }
    if (typeof st.samplesPerHour === 'number') rows.push({ key: `flux.${st.name}.samplesPerHour`, label: `  ${st.name}: samples/h`, value: st.samplesPerHour });
  }
  const src = findById(section(b, 'sources')?.beamlines, id);
  if (src) {
    if (src.totalPowerW !== undefined) rows.push({ key: 'source.totalPowerW', label: 'Source power', value: src.totalPowerW, unit: 'W' });
    const h1 = src.harmonics?.[0];
    if (h1) {
      rows.push({ key: 'source.h1.energyEV', label: 'Harmonic 1', value: h1.energyEV, unit: 'eV' });
      if (h1.brilliance?.kimEnergySpread !== undefined) rows.push({ key: 'source.h1.brilliance', label: 'Brilliance (h1)', value: h1.brilliance.kimEnergySpread, unit: 'ph/s/mm²/mrad²/0.1%bw' });
      if (h1.centralConeFlux !== undefined) rows.push({ key: 'source.h1.centralConeFlux', label: 'Central-cone flux (h1)', value: h1.centralConeFlux, unit: 'ph/s/0.1%bw' });
    }
  }
  const cap = findById(section(b, 'capacity')?.beamlines, id);
  if (cap) {
    for (const k of ['hoursSupplied', 'hoursUsed', 'hoursRequested', 'oversubscription', 'acceptanceRate', 'utilisation', 'waitDaysMedian']) {
      if (typeof cap[k] === 'number') rows.push({ key: `capacity.${k}`, label: k, value: cap[k] });
    }
  }
  return { title: `${id}`, rows };
}

function findById(list: unknown, id: string): Obj | undefined {
  if (Array.isArray(list)) return list.find((x: Obj) => x?.id === id);
  if (list && typeof list === 'object') return (list as Obj)[id];
  return undefined;
}

export function fmt(v: number | string): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(3);
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

/** Per-beamline values in [0, 1] for the colour overlay. */
export function overlayValues(b: BundleLike, what: string): Record<string, number> | null {
  const cap = section(b, 'capacity')?.beamlines as Obj[] | undefined;
  if ((what === 'utilisation' || what === 'oversubscription') && Array.isArray(cap)) {
    const out: Record<string, number> = {};
    for (const x of cap) {
      const v = x[what];
      if (typeof v === 'number') out[x.id] = what === 'utilisation' ? v : Math.min(1, (v - 1) / 7);
    }
    return out;
  }
  if (what === 'flux') {
    const src = section(b, 'sources')?.beamlines;
    if (!src) return null;
    const entries: [string, number][] = [];
    for (const [id, s] of Object.entries(src as Obj)) {
      const f = (s as Obj)?.harmonics?.[0]?.centralConeFlux;
      if (typeof f === 'number' && f > 0) entries.push([(s as Obj).id ?? id, Math.log10(f)]);
    }
    if (!entries.length) return null;
    const lo = Math.min(...entries.map((e) => e[1])), hi = Math.max(...entries.map((e) => e[1]));
    return Object.fromEntries(entries.map(([k, v]) => [k, hi > lo ? (v - lo) / (hi - lo) : 0.5]));
  }
  return null;
}

/** Differences between two bundles' headline numbers (scenario comparison). */
export function diffRows(a: BundleLike, b: BundleLike): { key: string; a: number; b: number }[] {
  const flat = (o: unknown, prefix: string, out: Map<string, number>, depth = 0) => {
    if (depth > 3 || o === null || typeof o !== 'object') return;
    for (const [k, v] of Object.entries(o as Obj)) {
      if (Array.isArray(v)) continue;
      if (typeof v === 'number') out.set(prefix + k, v);
      else flat(v, `${prefix}${k}.`, out, depth + 1);
    }
  };
  const fa = new Map<string, number>(), fb = new Map<string, number>();
  flat({ lattice: a.lattice, sections: a.sections }, '', fa);
  flat({ lattice: b.lattice, sections: b.sections }, '', fb);
  const rows: { key: string; a: number; b: number }[] = [];
  for (const [k, va] of fa) {
    const vb = fb.get(k);
    if (vb !== undefined && vb !== va) rows.push({ key: k, a: va, b: vb });
  }
  return rows;
}
