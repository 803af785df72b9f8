/**
 * The capacity model compiled from a scenario: the operation calendar (which shifts of the year
 * carry user beam), the stations of every beamline, the slot sets each access class may use, the
 * demand rates, the coalition members. Everything the yearly event loop reads is a typed array
 * built here once, so that the loop allocates nothing.
 *
 * Time: a fiscal year starting 1 April (day 0), cut in shifts of `shiftHours` (8 h: 3 a day).
 * A "user shift" is a shift scheduled for beam to the beamlines; hours supplied to a station are
 * (user shifts) × shiftHours. Time amounts inside the loop are whole minutes, so that every sum is
 * an integer and exact in a Float64Array whatever the order of addition (this is what makes the
 * Monte Carlo identical for any number of workers).
 *
 * Access classes (per slot):
 *  - public:    every station of a public beamline (QST; proposal calls twice a year);
 *  - shared:    the 共用枠 share of each coalition *main* station's time, run like the public beamlines;
 *  - coalition: the rest of coalition main stations and all coalition branch stations (members' bookings).
 */
import { availableShifts, type CapacityScenario } from './scenario.ts';

export const CLASS_PUBLIC = 0;
export const CLASS_SHARED = 1;
export const CLASS_COALITION = 2;
export const N_CLASSES = 3;
export const CLASS_NAMES = ['public', 'shared', 'coalition'] as const;
export const N_ROUNDS = 3;

/** Days of each fiscal-year month, April first. */
export function fiscalMonthDays(daysInYear: number): number[] {
  return [30, 31, 30, 31, 31, 30, 31, 30, 31, 31, daysInYear === 366 ? 29 : 28, 31];
}

export interface BeamlinePlan {
  id: string;
  access: 'public' | 'coalition';
  stations: number[];
  surveyAcademicDays: number;
  surveyIndustrialDays: number;
  demandShare: number;
}

export interface StationPlan {
  beamline: number;
  name: string; // 'main', 'main2', 'branch1', ...
  main: boolean;
}

export interface SlotSet {
  beamline: number;
  station: number;
  cls: number;
  /** Offset of this set's slots in the workspace's flat occupancy arrays. */
  offset: number;
  /** User-shift indices of the slots, ascending. */
  slots: Int32Array;
  /** Slot ranges by fiscal month: month m is [monthStart[m], monthStart[m+1]). */
  monthStart: Int32Array;
  /** Slot ranges of the two public periods (A: Apr–Sep, B: Oct–Mar). */
  periodStart: Int32Array;
  /** Public/shared sets: expected proposals per call, and the probability that one is proprietary. */
  proposalsPerCall: number;
  proprietaryProb: number;
  /** Requested hours per year behind proposalsPerCall (for reports). */
  requestedHoursPerYear: number;
}

export interface Plan {
  scenario: CapacityScenario;
  shiftMin: number;
  shiftsPerDay: number;
  daysInYear: number;
  nUserShifts: number;
  /** Day (0 = 1 April) of each user shift. */
  userShiftDay: Int32Array;
  /** 1 when user shift u+1 follows u without a gap (a fault can run on into it). */
  userShiftContig: Uint8Array;
  monthStartDay: Int32Array; // 13 entries
  periodStartDay: Int32Array; // 3 entries: 0, 1 October, daysInYear
  beamlines: BeamlinePlan[];
  stations: StationPlan[];
  sets: SlotSet[];
  totalSlots: number;
  publicSets: Int32Array; // indices into sets (public and shared)
  coalitionSets: Int32Array; // indices into sets (coalition class)
  /** Coalition booking cells (coalition set × month), members choose one by this cumulative weight. */
  cellCum: Float64Array;
  cellSet: Int32Array; // index into coalitionSets
  cellMonth: Int32Array;
  /** The same choice as a Walker alias table (one uniform per draw; A. J. Walker, ACM TOMS 3 (1977) 253). */
  cellAliasProb: Float64Array;
  cellAlias: Int32Array;
  /** Per cell: bucket key (month · coalition sets + set), first slot of the month in the set, slots in the month. */
  cellKey: Int32Array;
  cellFirstSlot: Int32Array;
  cellSlots: Int32Array;
  tiers: { name: string; secondRound: boolean; members: number; unitsEach: number }[];
  memberTier: Int32Array;
  memberEntitlementShifts: Int32Array;
  memberMeanRequests: Float64Array;
  totalUnits: number;
}

/** Choose `needed` user shifts among the available ones; the surplus becomes start-up tuning at the head of each run. */
function chooseUserShifts(s: CapacityScenario, perDay: number): number[] {
  const avail = availableShifts(s);
  const needed = Math.round(s.supply.userHoursPerYear / s.supply.shiftHours);
  let surplus = avail.length - needed;
  // runs = stretches between shutdowns; start-up tuning takes the first shifts of each run
  const ends = s.supply.calendar.shutdowns.map((x) => x.startDay + x.days).sort((a, b) => a - b);
  const runOf = (shift: number) => { const d = Math.floor(shift / perDay); let r = 0; for (const e of ends) if (d >= e) r++; return r; };
  const runs: number[][] = [];
  for (const sh of avail) { const r = runOf(sh); (runs[r] ??= []).push(sh); }
  const present = runs.filter((r) => r && r.length);
  const out: number[] = [];
  present.forEach((run, i) => {
    const drop = Math.min(run.length, Math.ceil(surplus / (present.length - i)));
    surplus -= drop;
    out.push(...run.slice(drop));
  });
  return out.slice(0, needed);
}

/** Walker's alias table for weights w (Vose's stable construction). */
function aliasTable(w: number[]): { prob: Float64Array; alias: Int32Array } {
  const n = w.length;
  const prob = new Float64Array(n), alias = new Int32Array(n);
  const total = w.reduce((a, x) => a + x, 0) || 1;
  const scaled = w.map((x) => (x * n) / total);
  const small: number[] = [], large: number[] = [];
  scaled.forEach((x, i) => (x < 1 ? small : large).push(i));
  while (small.length && large.length) {
    const l = small.pop()!, g = large.pop()!;
    prob[l] = scaled[l]; alias[l] = g;
    scaled[g] = scaled[g] + scaled[l] - 1;
    (scaled[g] < 1 ? small : large).push(g);
  }
  for (const i of [...small, ...large]) { prob[i] = 1; alias[i] = i; }
  return { prob, alias };
}

/** Build the plan. The scenario must have been validated (validateCapacity / applyWhatIf). */
export function buildPlan(s: CapacityScenario): Plan {
  const shiftH = s.supply.shiftHours;
  const perDay = 24 / shiftH;
  const daysInYear = s.supply.calendar.daysInYear;
  const user = chooseUserShifts(s, perDay);
  const n = user.length;
  const userShiftDay = new Int32Array(n);
  const userShiftContig = new Uint8Array(n);
  for (let u = 0; u < n; u++) {
    userShiftDay[u] = Math.floor(user[u] / perDay);
    userShiftContig[u] = u + 1 < n && user[u + 1] === user[u] + 1 ? 1 : 0;
  }
  const md = fiscalMonthDays(daysInYear);
  const monthStartDay = new Int32Array(13);
  for (let m = 0; m < 12; m++) monthStartDay[m + 1] = monthStartDay[m] + md[m];
  const periodStartDay = Int32Array.from([0, monthStartDay[6], daysInYear]);
  const monthOfUser = (u: number) => { let m = 0; while (m < 11 && userShiftDay[u] >= monthStartDay[m + 1]) m++; return m; };

  const beamlines: BeamlinePlan[] = [];
  const stations: StationPlan[] = [];
  const sets: SlotSet[] = [];
  let offset = 0;
  const mkSet = (beamline: number, station: number, cls: number, us: number[]): SlotSet => {
    const slots = Int32Array.from(us);
    const monthStart = new Int32Array(13);
    const periodStart = new Int32Array(3);
    let j = 0;
    for (let m = 0; m < 12; m++) {
      monthStart[m] = j;
      while (j < slots.length && userShiftDay[slots[j]] < monthStartDay[m + 1]) j++;
    }
    monthStart[12] = slots.length;
    periodStart[0] = 0; periodStart[1] = monthStart[6]; periodStart[2] = slots.length;
    const set: SlotSet = { beamline, station, cls, offset, slots, monthStart, periodStart, proposalsPerCall: 0, proprietaryProb: 0, requestedHoursPerYear: 0 };
    offset += slots.length;
    return set;
  };

  const allUser = Array.from({ length: n }, (_, u) => u);
  s.beamlines.forEach((b, bi) => {
    const bp: BeamlinePlan = { id: b.id, access: b.access, stations: [], surveyAcademicDays: b.survey.academicDays, surveyIndustrialDays: b.survey.industrialDays, demandShare: b.demandShare };
    beamlines.push(bp);
    const names = [
      ...Array.from({ length: b.mainStations }, (_, k) => (k === 0 ? 'main' : `main${k + 1}`)),
      ...Array.from({ length: b.branchStations }, (_, k) => `branch${k + 1}`),
    ];
    names.forEach((name, k) => {
      const st = stations.length;
      const main = k < b.mainStations;
      stations.push({ beamline: bi, name, main });
      bp.stations.push(st);
      if (b.access === 'public') {
        sets.push(mkSet(bi, st, CLASS_PUBLIC, allUser));
      } else if (!main) {
        sets.push(mkSet(bi, st, CLASS_COALITION, allUser));
      } else {
        // shared time: the first round(f·n_m) user shifts of every month ([PD] 共用枠, average ≈ 40 %)
        const shared: number[] = [];
        const coal: number[] = [];
        let u = 0;
        for (let m = 0; m < 12; m++) {
          const inMonth: number[] = [];
          while (u < n && monthOfUser(u) === m) inMonth.push(u++);
          const k2 = Math.round(s.coalition.sharedFraction * inMonth.length);
          shared.push(...inMonth.slice(0, k2));
          coal.push(...inMonth.slice(k2));
        }
        sets.push(mkSet(bi, st, CLASS_SHARED, shared));
        sets.push(mkSet(bi, st, CLASS_COALITION, coal));
      }
    });
  });

  // Demand of the proposal classes, from the survey (hours a year), split over the beamline's stations by supply.
  const meanReqShifts = (s.public.requestShifts.min + s.public.requestShifts.max) / 2;
  for (const b of beamlines) {
    const mine = sets.filter((x) => x.beamline === beamlines.indexOf(b) && x.cls !== CLASS_COALITION);
    const slotsTotal = mine.reduce((a, x) => a + x.slots.length, 0);
    const days = b.access === 'public' ? b.surveyAcademicDays + b.surveyIndustrialDays : b.surveyAcademicDays;
    const hours = days * s.survey.hoursPerDay * s.public.demandFactor * b.demandShare;
    for (const x of mine) {
      // with no slots at all (sharedFraction 0) the demand is still there, and all of it is refused
      x.requestedHoursPerYear = slotsTotal > 0 ? (hours * x.slots.length) / slotsTotal : hours / mine.length;
      x.proposalsPerCall = x.requestedHoursPerYear / s.public.callsPerYear / (meanReqShifts * shiftH);
      x.proprietaryProb = b.access === 'public' && days > 0 ? b.surveyIndustrialDays / days : 0;
    }
  }

  const publicSets = Int32Array.from(sets.map((x, i) => (x.cls !== CLASS_COALITION ? i : -1)).filter((i) => i >= 0));
  const coalitionSets = Int32Array.from(sets.map((x, i) => (x.cls === CLASS_COALITION ? i : -1)).filter((i) => i >= 0));

  // Members choose a beamline in proportion to its survey days (academic + industrial) times its
  // station weight (main 1, branch branchDemandWeight; assumption), then a station and month in
  // proportion to the weighted coalition slots there.
  const bw = s.coalition.branchDemandWeight;
  const stW = (st: number) => (stations[st].main ? 1 : bw);
  const blStationW = beamlines.map((b) => b.stations.reduce((a, st) => a + stW(st), 0));
  const blWeight = beamlines.map((b, bi) => (b.access === 'coalition' ? (b.surveyAcademicDays + b.surveyIndustrialDays) * b.demandShare * blStationW[bi] : 0));
  const blSlots = beamlines.map((_, bi) => sets.filter((x) => x.beamline === bi && x.cls === CLASS_COALITION).reduce((a, x) => a + stW(x.station) * x.slots.length, 0));
  const cum: number[] = [], cs: number[] = [], cm: number[] = [];
  let acc = 0;
  coalitionSets.forEach((si, k) => {
    const x = sets[si];
    for (let m = 0; m < 12; m++) {
      const cnt = x.monthStart[m + 1] - x.monthStart[m];
      if (cnt === 0 || blSlots[x.beamline] === 0 || stW(x.station) === 0) continue;
      acc += (blWeight[x.beamline] * stW(x.station) * cnt) / blSlots[x.beamline];
      cum.push(acc); cs.push(k); cm.push(m);
    }
  });
  const cellCum = Float64Array.from(cum.map((c) => c / (acc || 1)));
  const { prob: cellAliasProb, alias: cellAlias } = aliasTable(cum.map((c, i) => c - (i > 0 ? cum[i - 1] : 0)));
  const nCS = coalitionSets.length;
  const cellKey = Int32Array.from(cs.map((k, i) => cm[i] * nCS + k));
  const cellFirstSlot = Int32Array.from(cs.map((k, i) => sets[coalitionSets[k]].monthStart[cm[i]]));
  const cellSlots = Int32Array.from(cs.map((k, i) => sets[coalitionSets[k]].monthStart[cm[i] + 1] - sets[coalitionSets[k]].monthStart[cm[i]]));

  const meanBook = (s.coalition.bookingShifts.min + s.coalition.bookingShifts.max) / 2;
  const memberTier: number[] = [], ent: number[] = [], meanReq: number[] = [];
  let totalUnits = 0;
  s.coalition.tiers.forEach((t, ti) => {
    for (let k = 0; k < t.members; k++) {
      memberTier.push(ti);
      ent.push(Math.floor((t.unitsEach * s.coalition.hoursPerUnit) / shiftH));
      meanReq.push(cum.length ? (t.unitsEach * s.coalition.hoursPerUnit * s.coalition.demandFactor) / (shiftH * meanBook) : 0);
      totalUnits += t.unitsEach;
    }
  });

  return {
    scenario: s, shiftMin: shiftH * 60, shiftsPerDay: perDay, daysInYear, nUserShifts: n, userShiftDay, userShiftContig,
    monthStartDay, periodStartDay, beamlines, stations, sets, totalSlots: offset, publicSets, coalitionSets,
    cellCum, cellSet: Int32Array.from(cs), cellMonth: Int32Array.from(cm), cellAliasProb, cellAlias, cellKey, cellFirstSlot, cellSlots,
    tiers: s.coalition.tiers.map((t) => ({ name: t.name, secondRound: t.secondRound, members: t.members, unitsEach: t.unitsEach })),
    memberTier: Int32Array.from(memberTier), memberEntitlementShifts: Int32Array.from(ent), memberMeanRequests: Float64Array.from(meanReq), totalUnits,
  };
}

// ---------------------------------------------------------------------------------------------
// Accumulator layout: one Float64Array of integer counts (minutes, counts, day bins), summed over years.

/** Metrics per (beamline, class). Minutes unless said. */
export const M = {
  SUPPLIED: 0, USED: 1, IDLE: 2, LOST: 3, REQUESTED: 4, SUBMITTED: 5, ACCEPTED: 6, GRANTED: 7,
  PROPRIETARY_USED: 8, CANCELLED: 9, WAIT_COUNT: 10, WAIT_SUM_DAYS: 11,
} as const;
export const NM = 12;
/** Per station: supplied, used, idle, lost (minutes). */
export const NS = 4;
/** Per tier: asked and granted shifts in each round, then requested, granted, capped, entitlement (shifts). */
export const T = { ASKED: 0, GRANTED: 3, REQUESTED: 6, GRANTED_TOTAL: 7, CAPPED: 8, ENTITLEMENT: 9 } as const;
export const NT = 10;
/** Facility: years, scheduled user minutes of the ring, ring minutes lost to faults, faults. */
export const F = { YEARS: 0, SCHEDULED: 1, LOST: 2, FAULTS: 3 } as const;
export const NF = 4;
/** Waiting-time histogram: one-day bins; the last bin collects everything longer. */
export const HIST_BINS = 512;

export interface Layout {
  blc: number; station: number; tier: number; fac: number; hist: number; size: number;
  nBeamlines: number; nStations: number; nTiers: number;
}

export function layoutOf(plan: Plan): Layout {
  const nB = plan.beamlines.length, nS = plan.stations.length, nT = plan.tiers.length;
  const blc = 0;
  const station = blc + nB * N_CLASSES * NM;
  const tier = station + nS * NS;
  const fac = tier + nT * NT;
  const hist = fac + NF;
  const size = hist + nB * N_CLASSES * HIST_BINS;
  return { blc, station, tier, fac, hist, size, nBeamlines: nB, nStations: nS, nTiers: nT };
}
