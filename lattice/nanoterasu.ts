/**
 * The built-in NanoTerasu storage ring.
 *
 * ┌──────────────────────────────────────────────────────────────────────────────────────────────┐
 * │ THIS IS A RECONSTRUCTION, NOT THE FACILITY'S LATTICE FILE. The real NanoTerasu lattice is not │
 * │ public. The cell below is the SYNTHETIC four-bend-achromat cell of                           │
 * │ shared/reference/nanoterasu.md §2.3–2.4 (tag [M]): it reproduces the published global        │
 * │ numbers (C = 348.843 m, 16 cells, 64 B-Q bends, 160 Q + 160 S, νx/νy ≈ 28.17/9.23,            │
 * │ εx ≈ 1.14 nm, Jx ≈ 1.389) but its element order, lengths and strengths are a model.           │
 * └──────────────────────────────────────────────────────────────────────────────────────────────┘
 *
 * Source tags on every number are those of nanoterasu.md §0.1: [P] primary, [S] secondary,
 * [B] brochure, [D] derived, [M] synthetic model, plus [A] = an assumption made here.
 *
 * Layout. Half cell, from the long-straight (LSS) centre to the short-straight (SSS) centre:
 *   LSS/2 – QA – [S1] – QB – BQ – [SD] – QC – [SF] – QD – [SD] – BQ – [S5] – QE – SSS/2
 * and the cell is half + reversed(half). Sextupoles [..] are thick (L = 0.2 m), centred in the
 * drift they sit in. Cell n (01…16) starts at the centre of long straight LSn (marker `LS01`…) and
 * holds the short straight SSn (marker `SS01`…) at its middle, so that beamline BLnnU (long
 * straight) and BLnnW (short straight) share the cell number, as the facility's names suggest
 * (nanoterasu.md §2.1, inference). s = 0 is the centre of LS01.
 *
 * Names: magnets are `<family>_C<cell>_<k>` in the full ring (e.g. `QA_C03_2`, `SD_C16_4`), k
 * counting that family's magnets along the cell; `<family>_<k>` in the bare cell. The family is
 * the text before the first underscore (`magnetFamily`).
 *
 * Inserted into the full ring only (the cell stays bare):
 * - RF [A]: four 0.5 m TM020 cavities RF1…RF4 in long straight LS16, centred, 0.4 m apart
 *   ([S] 4 cavities fit in one 5.44 m straight; 0.9 MV each maximum; total default 3.39 MV [D]),
 *   h = 592, f = 508.76 MHz [S].
 * - Injection [A]: long straight LS01 — marker `INJ` at the straight centre (the injection point,
 *   s = 0), the in-vacuum septum as marker `INJ_SEPTUM` 0.3 m upstream, and four zero-strength
 *   bump kickers `INJ_K1`…`INJ_K4` at −2.3, −1.3, +1.3, +2.3 m from the centre ([S] 7.5 mm local
 *   bump; the number and positions of the kickers are not published).
 * Which straights hold RF and injection is not published: LS01 and LS16 are a choice, made so that
 * neither collides with the long straights of the beamlines in operation (BL02U, 06U, 07U, 08U,
 * 09U, 10U, 13U, 14U; nanoterasu.md §4.1). Change them with the options.
 */
import { C_LIGHT } from '../sim/constants.ts';
import { LatticeError, makeElement, type Element } from './elements.ts';
import { makeLattice, reverse, line, flatten, type Lattice } from './lattice.ts';

/** Magnet families of the cell. */
export type NanoterasuFamily = 'BQ' | 'QA' | 'QB' | 'QC' | 'QD' | 'QE' | 'SF' | 'SD' | 'S1' | 'S5';

export interface FamilySpec {
  type: 'sbend' | 'quadrupole' | 'sextupole';
  /** Magnetic (arc) length [m]. */
  lengthM: number;
  /** Bend angle [rad] (sbend only). */
  angleRad?: number;
  /** Quadrupole strength k1 [m⁻²], MAD-X convention (positive focuses horizontally). */
  k1?: number;
  /** Sextupole strength k2 [m⁻³], MAD-X convention. */
  k2?: number;
  /** Where each number comes from. */
  source: string;
}

/** One slot of the half cell: a magnet of a family, or a drift (possibly holding a sextupole at its centre). */
export type HalfCellSlot =
  | { magnet: NanoterasuFamily }
  | { drift: string; lengthM: number; sextupole?: NanoterasuFamily; source: string };

export interface NanoterasuCellSpec {
  families: Record<NanoterasuFamily, FamilySpec>;
  /** From the LSS centre to the SSS centre, in beam order; the cell is this plus its mirror image. */
  halfCell: HalfCellSlot[];
}

const BEND_ANGLE_RAD = (2 * Math.PI) / 64;

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * THE STRENGTHS AND LENGTHS OF THE CELL — the one place to read or change them. They will be
 * refined by matching (sim/optics); pass `families` overrides to `nanoterasuRing`/`nanoterasuCell`
 * instead of editing code where possible.
 *
 * The drifts are the table of nanoterasu.md §2.4 (rounded there to 0.1 mm), except SSS/2, which
 * takes the rounding residue so that the half cell is 10.90134 m and the ring 32 × 10.90134 =
 * 348.84288 m [D] (the listed 1.2608 m would make the ring 348.8448 m, 1.9 mm too long).
 */
export const NANOTERASU_CELL: Readonly<NanoterasuCellSpec> = deepFreeze<NanoterasuCellSpec>({
  families: {
    BQ: {
      type: 'sbend', lengthM: 1.1443, angleRad: BEND_ANGLE_RAD, k1: -0.7331,
      source: 'angle 2π/64 [D] (64 identical bends [S]/[B]); B-Q combined function [P-q]; L, K1 [M] §2.4; sector, e1 = e2 = 0 [M]',
    },
    QA: { type: 'quadrupole', lengthM: 0.3315, k1: 1.992, source: '[M] §2.4' },
    QB: { type: 'quadrupole', lengthM: 0.2675, k1: -0.086, source: '[M] §2.4 (nearly unused in the model)' },
    QC: { type: 'quadrupole', lengthM: 0.4059, k1: 2.8783, source: '[M] §2.4' },
    QD: { type: 'quadrupole', lengthM: 0.3224, k1: -0.122, source: '[M] §2.4 (weak in the model)' },
    QE: { type: 'quadrupole', lengthM: 0.4216, k1: 2.2182, source: '[M] §2.4' },
    // Sextupoles: L = 0.2 m [M] §2.4. Strengths [A] tuned for DA/MA (2026-11-29) by minimising the
    // resonance driving terms and amplitude/momentum tune shifts (analytic, from the Twiss functions)
    // over S1/S5 with SF/SD held at ξ = (+1, +1), then Nelder–Mead on a tracked DA at INJ; reproduce
    // with `npx nanoterasu tune-sextupoles --seed 1` (sim/studies/sextupoles.ts). Before: the [M]
    // §2.4 values SF +180, SD −122, S1 = S5 = 0 (ξ ≈ (0.05, 0.63), no DA optimisation).
    SF: { type: 'sextupole', lengthM: 0.2, k2: 183.8838, source: '[A] tuned for DA/MA by driving-term minimisation + tracked DA (Nelder–Mead), 2026-11-29; see sim/studies/sextupoles.ts ([M] §2.4 had +180)' },
    SD: { type: 'sextupole', lengthM: 0.2, k2: -108.2279, source: '[A] tuned for DA/MA by driving-term minimisation + tracked DA (Nelder–Mead), 2026-11-29; see sim/studies/sextupoles.ts ([M] §2.4 had −122)' },
    S1: { type: 'sextupole', lengthM: 0.2, k2: 44.14, source: '[A] tuned for DA/MA by driving-term minimisation + tracked DA (Nelder–Mead), 2026-11-29; see sim/studies/sextupoles.ts (harmonic, η = 0; [M] §2.4 had 0)' },
    S5: { type: 'sextupole', lengthM: 0.2, k2: -142.73, source: '[A] tuned for DA/MA by driving-term minimisation + tracked DA (Nelder–Mead), 2026-11-29; see sim/studies/sextupoles.ts (harmonic; [M] §2.4 had 0)' },
  },
  halfCell: [
    { drift: 'DLS', lengthM: 2.72, source: 'half of the 5.44 m long straight [S]' },
    { magnet: 'QA' },
    { drift: 'D1', lengthM: 0.3479, sextupole: 'S1', source: '[M] §2.4' },
    { magnet: 'QB' },
    { drift: 'D2', lengthM: 0.2189, source: '[M] §2.4' },
    { magnet: 'BQ' },
    { drift: 'D3', lengthM: 0.8173, sextupole: 'SD', source: '[M] §2.4' },
    { magnet: 'QC' },
    { drift: 'D4', lengthM: 0.5664, sextupole: 'SF', source: '[M] §2.4' },
    { magnet: 'QD' },
    { drift: 'D5', lengthM: 0.6593, sextupole: 'SD', source: '[M] §2.4' },
    { magnet: 'BQ' },
    { drift: 'D6', lengthM: 0.2733, sextupole: 'S5', source: '[M] §2.4' },
    { magnet: 'QE' },
    {
      drift: 'DSS', lengthM: 1.26074,
      source: '[M] §2.4 lists 1.2608 m; 1.26074 m closes the half cell at 10.90134 m [D] (short straight 2.52148 m)',
    },
  ],
});

/** Machine constants of the ring (other than the cell). */
export const NANOTERASU = Object.freeze({
  /** Beam energy [eV] [P]. */
  energyEV: 3e9,
  cells: 16,
  /** Design circumference [m] [B]; c·h/f_RF = 348.8425 m [D]. */
  circumferenceM: 348.843,
  /** Harmonic number [S]. */
  harmonic: 592,
  /** RF frequency [Hz] [S]. */
  rfFrequencyHz: 508.76e6,
  /** Number of TM020 cavities [S] (4 fit in one 5.44 m straight). */
  rfCavities: 4,
  /** Length of one cavity [m] [S]. */
  rfCavityLengthM: 0.5,
  /** Maximum voltage of one cavity [V] [S]. */
  rfMaxVoltagePerCavityV: 0.9e6,
  /** Default total RF voltage [V] [D]: reproduces σz = 2.92 mm with the [M] αc, σδ, U0. */
  rfVoltageV: 3.39e6,
  /** Gap between adjacent cavities [m] [A]. */
  rfCavityGapM: 0.4,
  /** Long straight holding the RF cavities [A]. */
  rfStraight: 16,
  /**
   * Long straight holding the injection [A]. Cells 15 and 16 hold injection and RF so that the
   * 28 ID ports are cells 1–14 (long + short), matching the beamline numbers BL01–BL14 of the
   * catalogue (beamlines/catalogue/ports.yaml).
   */
  injectionStraight: 15,
});

export interface NanoterasuOptions {
  /** Total RF voltage of the four cavities [V]; default 3.39 MV; at most 4 × 0.9 MV. */
  rfVoltageV?: number;
  /** Cell number (1…16) of the long straight holding the RF cavities; default 16 [A]. */
  rfStraight?: number;
  /** Cell number (1…16) of the long straight holding the injection; default 15 [A]. */
  injectionStraight?: number;
  /** Changes to family lengths or strengths, e.g. `{ QA: { k1: 1.99 }, SF: { k2: 175 } }`. */
  families?: Partial<Record<NanoterasuFamily, Partial<Omit<FamilySpec, 'type'>>>>;
  /** A whole different cell description (families are still applied on top). */
  cell?: NanoterasuCellSpec;
  /** Beam energy [eV]; default 3 GeV. */
  energyEV?: number;
}

/** The family of a magnet of the built-in ring: the text before the first underscore. */
export function magnetFamily(name: string): string {
  const i = name.indexOf('_');
  return i < 0 ? name : name.slice(0, i);
}

function cellSpec(opts: NanoterasuOptions): NanoterasuCellSpec {
  const base = opts.cell ?? NANOTERASU_CELL;
  const families = { ...base.families } as Record<NanoterasuFamily, FamilySpec>;
  for (const [fam, change] of Object.entries(opts.families ?? {})) {
    if (!(fam in families)) {
      throw new LatticeError(`unknown NanoTerasu magnet family (known: ${Object.keys(families).join(', ')})`, { element: fam, field: 'families' });
    }
    families[fam as NanoterasuFamily] = { ...families[fam as NanoterasuFamily], ...change, source: `${families[fam as NanoterasuFamily].source}; overridden` };
  }
  return { families, halfCell: base.halfCell };
}

function magnet(f: FamilySpec, name: string): Element {
  const common = { name, length: f.lengthM, comment: f.source };
  switch (f.type) {
    case 'sbend':
      return makeElement({ ...common, type: 'sbend', angle: f.angleRad ?? 0, k1: f.k1 ?? 0, k2: f.k2 ?? 0 });
    case 'quadrupole':
      return makeElement({ ...common, type: 'quadrupole', k1: f.k1 ?? 0, k2: f.k2 ?? 0 });
    case 'sextupole':
      return makeElement({ ...common, type: 'sextupole', k1: f.k1 ?? 0, k2: f.k2 ?? 0 });
  }
}

/**
 * The elements of one cell (LSS centre → SSS centre → next LSS centre). `cellTag` (`_C03`) is put
 * in the magnet names so that every magnet of the ring has its own name.
 */
function cellElements(spec: NanoterasuCellSpec, cellTag: string, markers: { ls?: string; ss: string }): Element[] {
  const half: Element[] = [];
  for (const slot of spec.halfCell) {
    if ('magnet' in slot) {
      half.push(magnet(spec.families[slot.magnet], slot.magnet));
      continue;
    }
    if (!slot.sextupole) {
      half.push(makeElement({ type: 'drift', name: slot.drift, length: slot.lengthM, comment: slot.source }));
      continue;
    }
    const sx = spec.families[slot.sextupole];
    const side = (slot.lengthM - sx.lengthM) / 2;
    if (side < 0) {
      throw new LatticeError(`sextupole ${slot.sextupole} (${sx.lengthM} m) does not fit in the drift (${slot.lengthM} m)`, { element: slot.drift, field: 'lengthM' });
    }
    half.push(makeElement({ type: 'drift', name: `${slot.drift}A`, length: side, comment: slot.source }));
    half.push(magnet(sx, slot.sextupole));
    half.push(makeElement({ type: 'drift', name: `${slot.drift}B`, length: side, comment: slot.source }));
  }
  const ss = makeElement({ type: 'marker', name: markers.ss, comment: 'short straight centre' });
  const seq: Element[] = flatten(line('cell', [line('half', half), ss, reverse(line('half', half))]));
  if (markers.ls) seq.unshift(makeElement({ type: 'marker', name: markers.ls, comment: 'long straight centre' }));
  // Name the magnets: family + cell tag + running number of that family along the cell.
  const seen = new Map<string, number>();
  return seq.map((e) => {
    if (e.type === 'drift' || e.type === 'marker') return e;
    const k = (seen.get(e.name) ?? 0) + 1;
    seen.set(e.name, k);
    return makeElement({ ...(e as unknown as Record<string, unknown>), name: `${e.name}${cellTag}_${k}` });
  });
}

/**
 * The bare cell (periodicity 16, no RF, no injection), for fast optics: the ring is this cell
 * repeated 16 times. Starts and ends at a long-straight centre (marker `LS`), with marker `SS` at
 * the short-straight centre.
 */
export function nanoterasuCell(opts: Omit<NanoterasuOptions, 'rfVoltageV' | 'rfStraight' | 'injectionStraight'> = {}): Lattice {
  const spec = cellSpec(opts);
  return makeLattice({
    name: 'nanoterasu-cell',
    energyEV: opts.energyEV ?? NANOTERASU.energyEV,
    particle: 'electron',
    periodicity: NANOTERASU.cells,
    elements: cellElements(spec, '', { ls: 'LS', ss: 'SS' }),
    source: 'built-in NanoTerasu cell: SYNTHETIC reconstruction (shared/reference/nanoterasu.md §2.4), not the facility lattice',
  });
}

/**
 * The full NanoTerasu ring (periodicity 1, 16 cells): the bare cells with the RF cavities and the
 * injection inserted into their long straights. See the file header for what is a model and what
 * an assumption.
 */
export function nanoterasuRing(opts: NanoterasuOptions = {}): Lattice {
  const spec = cellSpec(opts);
  const rfStraight = opts.rfStraight ?? NANOTERASU.rfStraight;
  const injStraight = opts.injectionStraight ?? NANOTERASU.injectionStraight;
  for (const [field, v] of [['rfStraight', rfStraight], ['injectionStraight', injStraight]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > NANOTERASU.cells) {
      throw new LatticeError(`must be a cell number 1…${NANOTERASU.cells} (got ${v})`, { field });
    }
  }
  if (rfStraight === injStraight) {
    throw new LatticeError(`RF and injection cannot share long straight LS${pad(rfStraight)}`, { field: 'rfStraight' });
  }
  const voltage = opts.rfVoltageV ?? NANOTERASU.rfVoltageV;
  const maxV = NANOTERASU.rfCavities * NANOTERASU.rfMaxVoltagePerCavityV;
  if (!Number.isFinite(voltage) || voltage < 0) {
    throw new LatticeError(`total RF voltage must be a number ≥ 0 V (got ${voltage})`, { field: 'rfVoltageV' });
  }
  if (voltage > maxV * (1 + 1e-12)) {
    throw new LatticeError(
      `total RF voltage ${(voltage / 1e6).toFixed(3)} MV exceeds what the ${NANOTERASU.rfCavities} cavities give (${NANOTERASU.rfCavities} × ${NANOTERASU.rfMaxVoltagePerCavityV / 1e6} MV = ${maxV / 1e6} MV)`,
      { field: 'rfVoltageV' },
    );
  }

  const elements: Element[] = [];
  for (let c = 1; c <= NANOTERASU.cells; c++) {
    elements.push(...cellElements(spec, `_C${pad(c)}`, { ls: `LS${pad(c)}`, ss: `SS${pad(c)}` }));
  }
  let total = 0;
  for (const e of elements) total += e.length;
  const cellLength = total / NANOTERASU.cells;
  const lsCentre = (n: number) => (n - 1) * cellLength;

  const insertions: Insertion[] = [];
  // RF: four cavities centred in the straight, 0.4 m apart [A].
  const pitch = NANOTERASU.rfCavityLengthM + NANOTERASU.rfCavityGapM;
  for (let k = 0; k < NANOTERASU.rfCavities; k++) {
    insertions.push({
      sM: lsCentre(rfStraight) + (k - (NANOTERASU.rfCavities - 1) / 2) * pitch,
      element: makeElement({
        type: 'rfcavity', name: `RF${k + 1}`, length: NANOTERASU.rfCavityLengthM,
        voltage: voltage / NANOTERASU.rfCavities,
        // h·c/C of the model ring (508.7595 MHz): the published 508.76 MHz [S] is rounded, and a
        // cavity 9.5e-7 off h·f0 would make the tracked beam settle 0.2 % off momentum.
        frequency: (NANOTERASU.harmonic * C_LIGHT) / total, harmonic: NANOTERASU.harmonic,
        comment: `TM020 cavity [P-q]; 0.5 m, ≤ 0.9 MV [S]; in LS${pad(rfStraight)} [A]`,
      }),
    });
  }
  // Injection [A].
  const inj = lsCentre(injStraight);
  const kicker = (name: string, ds: number) => ({
    sM: inj + ds,
    element: makeElement({ type: 'kicker', name, hkick: 0, vkick: 0, comment: 'injection bump kicker, zero strength; position [A]' }),
  });
  insertions.push(
    kicker('INJ_K1', -2.3),
    kicker('INJ_K2', -1.3),
    { sM: inj - 0.3, element: makeElement({ type: 'marker', name: 'INJ_SEPTUM', comment: 'in-vacuum septum [P-q]; position [A]' }) },
    { sM: inj, element: makeElement({ type: 'marker', name: 'INJ', comment: `injection point, LS${pad(injStraight)} centre [A]` }) },
    kicker('INJ_K3', 1.3),
    kicker('INJ_K4', 2.3),
  );

  return makeLattice({
    name: 'nanoterasu',
    energyEV: opts.energyEV ?? NANOTERASU.energyEV,
    particle: 'electron',
    periodicity: 1,
    elements: insertIntoDrifts(elements, insertions),
    source: 'built-in NanoTerasu ring: SYNTHETIC reconstruction (shared/reference/nanoterasu.md §2.3–2.4), not the facility lattice',
  });
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** An element to put into a drift, centred at sM (a zero-length one exactly at sM). */
export interface Insertion {
  sM: number;
  element: Element;
}

/**
 * Splits drifts to insert elements centred at given s [m] (s < 0 or ≥ the line length wraps round,
 * as in a ring). Each insertion must lie wholly inside one drift; otherwise a LatticeError names
 * it. Insertions at the same s keep their order. The total length is unchanged.
 */
export function insertIntoDrifts(elements: readonly Element[], insertions: readonly Insertion[]): Element[] {
  let total = 0;
  for (const e of elements) total += e.length;
  const TOL = 1e-9;
  const pending = insertions.map((ins, order) => {
    let s = ins.sM;
    if (s < 0 || s >= total) s = ((s % total) + total) % total;
    return { s0: s - ins.element.length / 2, s1: s + ins.element.length / 2, el: ins.element, order, used: false };
  });
  const out: Element[] = [];
  let s = 0;
  for (const e of elements) {
    const start = s, end = s + e.length;
    s = end;
    if (e.type !== 'drift') {
      out.push(e);
      continue;
    }
    const here = pending
      .filter((p) => !p.used && p.s0 >= start - TOL && p.s1 <= end + TOL)
      .sort((a, b) => a.s0 - b.s0 || a.order - b.order);
    if (here.length === 0) {
      out.push(e);
      continue;
    }
    let cursor = start;
    let piece = 0;
    for (const p of here) {
      if (p.s0 < cursor - TOL) {
        throw new LatticeError(`overlaps the element inserted before it in drift '${e.name}'`, { element: p.el.name });
      }
      const gap = Math.max(0, p.s0 - cursor);
      if (gap > TOL) out.push(makeElement({ type: 'drift', name: `${e.name}_${++piece}`, length: gap, ...(e.comment ? { comment: e.comment } : {}) }));
      out.push(p.el);
      cursor = Math.max(cursor, p.s1);
      p.used = true;
    }
    const rest = end - cursor;
    if (rest > TOL) out.push(makeElement({ type: 'drift', name: `${e.name}_${++piece}`, length: rest, ...(e.comment ? { comment: e.comment } : {}) }));
  }
  const missed = pending.find((p) => !p.used);
  if (missed) {
    throw new LatticeError(
      `cannot be inserted at s = ${((missed.s0 + missed.s1) / 2).toFixed(4)} m: it does not lie inside one drift`,
      { element: missed.el.name },
    );
  }
  return out;
}
