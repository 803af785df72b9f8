/**
 * One simulated facility year: machine faults, the two public proposal calls (public beamlines and
 * the shared time of coalition main stations), the coalition members' monthly bookings in three
 * rounds, then the hour bookkeeping of every slot. Results are added into an accumulator array
 * (layout in model.ts); all quantities are whole numbers so sums are exact in any order.
 *
 * Speed: a Workspace holds every array the loop touches; a year allocates nothing unless a trace
 * is asked for (tests) or the request arrays must grow.
 */
import * as model from './model.ts';
import { layoutOf, type Layout, type Plan } from './model.ts';
import * as rng from './rng.ts';

// Local copies of the imported constants and functions: under tsx every imported binding is read
// through a module getter, which costs more than the loop body itself (measured: half the run time).
const { CLASS_COALITION, HIST_BINS, N_CLASSES, NM, NS, NT } = model;
const M = { ...model.M }, T = { ...model.T }, F = { ...model.F };
const { exponential, poisson, seedStream, uniform, uniformInt } = rng;
/** Days over which round-1 bookings are made before round 1 closes (assumption: the month before). */
const ROUND1_WINDOW_DAYS = 30;

/** Optional record of every coalition grant and refusal, for checking the booking-round rules. */
export interface BookingTrace {
  /** coalition set index (into plan.sets), slot index in the set, round 0..2, tier */
  grants: { set: number; slot: number; round: number; tier: number; member: number }[];
  /** slot = -1: a flexible ask (rounds 2 and 3) that found no free slot in the month */
  refusals: { set: number; slot: number; month: number; round: number; tier: number; member: number }[];
}

export interface Workspace {
  plan: Plan;
  layout: Layout;
  rng: Uint32Array;
  lostMin: Int32Array;
  occ: Uint8Array; // 0 free, else round + 1 (public proposals: 1)
  unused: Uint8Array; // 1: granted but not used (no-show, late cancellation)
  // coalition requests of the year (grown when needed)
  cap: number;
  rMember: Int32Array; rCell: Int32Array; rPref: Int32Array; rLen: Int32Array;
  rStage: Int32Array; rUnmet: Int32Array; rCancel: Uint8Array; rGranted: Int32Array;
  order: Int32Array; bucketStart: Int32Array; bucketFill: Int32Array;
  /** free slots left per (month, coalition set) cell: a full month refuses at once instead of scanning */
  cellFree: Int32Array;
  memberGranted: Int32Array;
  /** user-shift index → lost minutes; prefix not needed: sets scan their slots */
  nCells: number;
}

export function makeWorkspace(plan: Plan): Workspace {
  const cap = 4096;
  const nCells = plan.coalitionSets.length * 12;
  return {
    plan, layout: layoutOf(plan), rng: new Uint32Array(4),
    lostMin: new Int32Array(plan.nUserShifts),
    occ: new Uint8Array(plan.totalSlots), unused: new Uint8Array(plan.totalSlots),
    cap, rMember: new Int32Array(cap), rCell: new Int32Array(cap), rPref: new Int32Array(cap), rLen: new Int32Array(cap),
    rStage: new Int32Array(cap), rUnmet: new Int32Array(cap), rCancel: new Uint8Array(cap), rGranted: new Int32Array(cap),
    order: new Int32Array(cap), bucketStart: new Int32Array(nCells + 1), bucketFill: new Int32Array(nCells), cellFree: new Int32Array(nCells),
    memberGranted: new Int32Array(plan.memberTier.length), nCells,
  };
}

function grow(w: Workspace): void {
  const cap = w.cap * 2;
  const g32 = (a: Int32Array) => { const b = new Int32Array(cap); b.set(a); return b; };
  w.rMember = g32(w.rMember); w.rCell = g32(w.rCell); w.rPref = g32(w.rPref); w.rLen = g32(w.rLen);
  w.rStage = g32(w.rStage); w.rUnmet = g32(w.rUnmet); w.rGranted = g32(w.rGranted); w.order = new Int32Array(cap);
  const c = new Uint8Array(cap); c.set(w.rCancel); w.rCancel = c;
  w.cap = cap;
}

/** Machine faults over the user time: Poisson arrivals (MTBF), exponential repair (MTTR), whole minutes. */
function faults(w: Workspace, acc: Float64Array): void {
  const p = w.plan, s = w.rng, lost = w.lostMin, shiftMin = p.shiftMin;
  lost.fill(0);
  const total = p.nUserShifts * shiftMin;
  const mtbfMin = p.scenario.supply.faults.mtbfHours * 60, mttrMin = p.scenario.supply.faults.mttrHours * 60;
  let t = exponential(s, mtbfMin), count = 0;
  while (t < total) {
    count++;
    let left = mttrMin > 0 ? Math.max(1, Math.round(exponential(s, mttrMin))) : 0;
    let u = Math.floor(t / shiftMin);
    let off = Math.floor(t - u * shiftMin);
    while (left > 0) {
      const take = Math.min(left, shiftMin - off);
      lost[u] = Math.min(shiftMin, lost[u] + take);
      left -= take;
      if (!p.userShiftContig[u]) break; // repaired during the time without user beam that follows
      u++; off = 0;
    }
    t += exponential(s, mtbfMin);
  }
  let ringLost = 0;
  for (let u = 0; u < p.nUserShifts; u++) ringLost += lost[u];
  const f = w.layout.fac;
  acc[f + F.SCHEDULED] += total;
  acc[f + F.LOST] += ringLost;
  acc[f + F.FAULTS] += count;
}

function addWait(acc: Float64Array, w: Workspace, beamline: number, cls: number, days: number): void {
  const d = days < 0 ? 0 : Math.floor(days);
  const base = w.layout.blc + (beamline * N_CLASSES + cls) * NM;
  acc[base + M.WAIT_COUNT] += 1;
  acc[base + M.WAIT_SUM_DAYS] += d;
  acc[w.layout.hist + (beamline * N_CLASSES + cls) * HIST_BINS + (d < HIST_BINS ? d : HIST_BINS - 1)] += 1;
}

/**
 * Proposal calls: proposals arrive as a Poisson number per call; the review ranks them at random
 * (score independent of everything else), so taking them in generation order *is* rank order.
 * A proposal is accepted when its requested shifts still fit in the period (first fit by rank);
 * accepted proposals are packed one after another into the period's slots. A cancelled proposal
 * gives its time back to the next ones (the reserve list); a no-show leaves its shifts idle.
 */
function proposals(w: Workspace, acc: Float64Array): void {
  const p = w.plan, s = w.rng, sc = p.scenario.public, shiftMin = p.shiftMin;
  const minLen = sc.requestShifts.min, maxLen = sc.requestShifts.max;
  for (let k = 0; k < p.publicSets.length; k++) {
    const set = p.sets[p.publicSets[k]];
    const base = w.layout.blc + (set.beamline * N_CLASSES + set.cls) * NM;
    const slots = set.slots, off = set.offset;
    for (let period = 0; period < 2; period++) {
      const b = set.periodStart[period + 1];
      let cursor = set.periodStart[period];
      const submitFrom = p.periodStartDay[period] - sc.deadlineDaysBeforePeriod - sc.submissionWindowDays;
      const n = poisson(s, set.proposalsPerCall);
      acc[base + M.SUBMITTED] += n;
      let requested = 0;
      for (let i = 0; i < n; i++) {
        const len = uniformInt(s, minLen, maxLen);
        requested += len;
        if (cursor + len > b) continue; // does not fit what is left: rejected
        acc[base + M.ACCEPTED] += 1;
        if (uniform(s) < sc.cancelProbability) { acc[base + M.CANCELLED] += 1; continue; }
        const proprietary = uniform(s) < set.proprietaryProb;
        const noShow = uniform(s) < sc.noShowProbability;
        let used = 0;
        for (let j = cursor; j < cursor + len; j++) {
          w.occ[off + j] = 1;
          if (noShow) w.unused[off + j] = 1;
          else used += shiftMin - w.lostMin[slots[j]];
        }
        acc[base + M.USED] += used;
        acc[base + M.GRANTED] += len * shiftMin;
        if (proprietary) acc[base + M.PROPRIETARY_USED] += used;
        const submitted = submitFrom + uniform(s) * sc.submissionWindowDays;
        addWait(acc, w, set.beamline, set.cls, p.userShiftDay[slots[cursor]] - submitted);
        cursor += len;
      }
      acc[base + M.REQUESTED] += requested * shiftMin;
    }
  }
}

/**
 * Coalition bookings. Each member asks, over the year, a Poisson number of bookings sized to its
 * entitlement (units × hoursPerUnit × demandFactor); a booking picks a station-month (weights in the
 * plan), a preferred start slot and 1–3 shifts, and is first placed in round 1 (planned ahead) or, if
 * late, in round 2 (platinum / special gold only) or round 3 (everyone). Month by month:
 *   round 1: all members alike, in lottery order; each asked slot is granted if free, else unmet;
 *   round 2: members with second-round priority place their unmet and new shifts on the free slots
 *            nearest their preference in the month;
 *   round 3: everyone, likewise, on any slot still free.
 * Slots given back later than round 3 (late cancellations) stay idle, so a slot refused to a member
 * in some round is never given to anyone in a later round.
 */
function bookings(w: Workspace, acc: Float64Array, trace?: BookingTrace): void {
  const p = w.plan, s = w.rng, sc = p.scenario.coalition, shiftMin = p.shiftMin;
  const nCS = p.coalitionSets.length;
  if (nCS === 0 || p.cellCum.length === 0) return;
  const nMembers = p.memberTier.length;
  const bMin = sc.bookingShifts.min, bMax = sc.bookingShifts.max;
  const lay = w.layout;
  w.memberGranted.fill(0);
  // 1. generate requests
  let nr = 0;
  const nc = p.cellCum.length, aliasProb = p.cellAliasProb, alias = p.cellAlias;
  const cellKey = p.cellKey, cellFirst = p.cellFirstSlot, cellSlots = p.cellSlots;
  for (let m = 0; m < nMembers; m++) {
    const tier = p.memberTier[m];
    const second = p.tiers[tier].secondRound;
    const cnt = poisson(s, p.memberMeanRequests[m]);
    for (let i = 0; i < cnt; i++) {
      if (nr >= w.cap) grow(w);
      // station-month cell from the alias table: one uniform
      const xu = uniform(s) * nc;
      const ci = xu | 0;
      const cell = xu - ci < aliasProb[ci] ? ci : alias[ci];
      const set = p.sets[p.coalitionSets[p.cellSet[cell]]];
      w.rMember[nr] = m;
      w.rCell[nr] = cellKey[cell];
      w.rPref[nr] = cellFirst[cell] + Math.floor(uniform(s) * cellSlots[cell]);
      const len = uniformInt(s, bMin, bMax);
      w.rLen[nr] = len;
      w.rStage[nr] = uniform(s) < sc.firstRoundShare ? 0 : second ? 1 : 2;
      w.rCancel[nr] = uniform(s) < sc.lateCancelProbability ? 1 : 0;
      w.rUnmet[nr] = len;
      w.rGranted[nr] = 0;
      const tb = lay.tier + tier * NT;
      acc[tb + T.REQUESTED] += len;
      const bb = lay.blc + (set.beamline * N_CLASSES + CLASS_COALITION) * NM;
      acc[bb + M.SUBMITTED] += 1;
      acc[bb + M.REQUESTED] += len * shiftMin;
      nr++;
    }
  }
  for (let m = 0; m < nMembers; m++) acc[lay.tier + p.memberTier[m] * NT + T.ENTITLEMENT] += p.memberEntitlementShifts[m];
  // 2. bucket by (month, coalition set)
  const nCells = w.nCells, bs = w.bucketStart, bf = w.bucketFill;
  bs.fill(0);
  for (let r = 0; r < nr; r++) bs[w.rCell[r] + 1]++;
  for (let c = 0; c < nCells; c++) bs[c + 1] += bs[c];
  bf.fill(0);
  for (let r = 0; r < nr; r++) { const c = w.rCell[r]; w.order[bs[c] + bf[c]++] = r; }
  // the lottery: requests were generated member by member (tier by tier), so shuffle each bucket
  // (Fisher–Yates) to give every member the same chance in every round
  for (let c = 0; c < nCells; c++) {
    for (let i = bs[c + 1] - 1; i > bs[c]; i--) {
      const j = bs[c] + Math.floor(uniform(s) * (i - bs[c] + 1));
      const t = w.order[i]; w.order[i] = w.order[j]; w.order[j] = t;
    }
  }
  // 3. month by month, round by round
  const rounds = sc.rounds;
  const occ = w.occ, unused = w.unused, lostMin = w.lostMin, rStage = w.rStage, rUnmet = w.rUnmet, rCancel = w.rCancel;
  const memberGranted = w.memberGranted, order = w.order, cellFree = w.cellFree;
  for (let cs = 0; cs < nCS; cs++) {
    const ms = p.sets[p.coalitionSets[cs]].monthStart;
    for (let month = 0; month < 12; month++) cellFree[month * nCS + cs] = ms[month + 1] - ms[month];
  }
  for (let month = 0; month < 12; month++) {
    const monthStartDay = p.monthStartDay[month];
    for (let round = 0; round < 3; round++) {
      for (let cs = 0; cs < nCS; cs++) {
        const setIndex = p.coalitionSets[cs];
        const set = p.sets[setIndex];
        const off = set.offset, slots = set.slots;
        const ms = set.monthStart[month], me = set.monthStart[month + 1];
        const cell = month * nCS + cs;
        const bb = lay.blc + (set.beamline * N_CLASSES + CLASS_COALITION) * NM;
        for (let q = bs[cell]; q < bs[cell + 1]; q++) {
          const r = order[q];
          if (rStage[r] !== round) continue;
          const member = w.rMember[r], tier = p.memberTier[member];
          const tb = lay.tier + tier * NT;
          const ent = p.memberEntitlementShifts[member];
          let want = rUnmet[r];
          let grantedNow = 0, firstSlot = -1, capped = false;
          acc[tb + T.ASKED + round] += want;
          if (round === 0) {
            // the asked block, kept inside the month
            const len = w.rLen[r];
            let start = w.rPref[r];
            if (start + len > me) start = Math.max(ms, me - len);
            for (let j = start; j < start + len && j < me; j++) {
              if (memberGranted[member] >= ent) { capped = true; break; }
              if (occ[off + j] === 0) {
                occ[off + j] = 1; cellFree[cell]--; memberGranted[member]++; want--; grantedNow++;
                if (firstSlot < 0 || j < firstSlot) firstSlot = j;
                if (rCancel[r]) unused[off + j] = 1; else acc[bb + M.USED] += shiftMin - lostMin[slots[j]];
                if (trace) trace.grants.push({ set: setIndex, slot: j, round, tier, member });
              } else if (trace) trace.refusals.push({ set: setIndex, slot: j, month, round, tier, member });
            }
            if (start + len > me) want -= start + len - me; // the month is shorter than the booking
          } else {
            const pref = w.rPref[r];
            while (want > 0) {
              if (memberGranted[member] >= ent) { capped = true; break; }
              let found = -1;
              if (cellFree[cell] > 0) for (let d = 0; ms + d < me || pref - d >= ms; d++) {
                const a = pref + d, b = pref - d;
                if (a < me && a >= ms && occ[off + a] === 0) { found = a; break; }
                if (b >= ms && b < me && occ[off + b] === 0) { found = b; break; }
                if (a >= me && b < ms) break;
              }
              if (found < 0) {
                if (trace) trace.refusals.push({ set: setIndex, slot: -1, month, round, tier, member });
                break;
              }
              occ[off + found] = round + 1; cellFree[cell]--; memberGranted[member]++; want--; grantedNow++;
              if (firstSlot < 0 || found < firstSlot) firstSlot = found;
              if (rCancel[r]) unused[off + found] = 1; else acc[bb + M.USED] += shiftMin - lostMin[slots[found]];
              if (trace) trace.grants.push({ set: setIndex, slot: found, round, tier, member });
            }
          }
          acc[tb + T.GRANTED + round] += grantedNow;
          acc[tb + T.GRANTED_TOTAL] += grantedNow;
          acc[bb + M.GRANTED] += grantedNow * shiftMin;
          if (grantedNow > 0) {
            if (w.rGranted[r] === 0) acc[bb + M.ACCEPTED] += 1;
            w.rGranted[r] += grantedNow;
            // booking day: round 1 closes firstCloseDays before the month; round 2 between that and
            // secondCloseDays before the slot; round 3 between secondCloseDays and thirdCloseDays before it
            const slotDay = p.userShiftDay[slots[firstSlot]];
            let booked: number;
            // assumption: round-1 bookings are spread over the 30 days before round 1 closes
            if (round === 0) booked = monthStartDay - rounds.firstCloseDays - uniform(s) * ROUND1_WINDOW_DAYS;
            else if (round === 1) {
              const open = monthStartDay - rounds.firstCloseDays, close = slotDay - rounds.secondCloseDays;
              booked = close - uniform(s) * Math.max(0, close - open);
            } else booked = slotDay - rounds.thirdCloseDays - uniform(s) * (rounds.secondCloseDays - rounds.thirdCloseDays);
            addWait(acc, w, set.beamline, CLASS_COALITION, slotDay - booked);
          }
          if (capped) { acc[tb + T.CAPPED] += want; acc[tb + T.ASKED + round] -= want; want = 0; }
          rUnmet[r] = want;
          if (want <= 0) rStage[r] = 3;
          else rStage[r] = round === 0 ? (p.tiers[tier].secondRound ? 1 : 2) : round + 1;
        }
      }
    }
  }
}

/** Scan every slot: lost, idle, supplied per (beamline, class) and per station; clear for the next year. */
function bookkeeping(w: Workspace, acc: Float64Array): void {
  const p = w.plan, lay = w.layout, shiftMin = p.shiftMin;
  for (let k = 0; k < p.sets.length; k++) {
    const set = p.sets[k];
    const base = lay.blc + (set.beamline * N_CLASSES + set.cls) * NM;
    const sb = lay.station + set.station * NS;
    let lost = 0, idle = 0, used = 0;
    const slots = set.slots, off = set.offset;
    for (let j = 0; j < slots.length; j++) {
      const l = w.lostMin[slots[j]];
      lost += l;
      if (w.occ[off + j] === 0 || w.unused[off + j] === 1) idle += shiftMin - l;
      else used += shiftMin - l;
    }
    const supplied = slots.length * shiftMin;
    acc[base + M.SUPPLIED] += supplied;
    acc[base + M.LOST] += lost;
    acc[base + M.IDLE] += idle;
    acc[sb] += supplied; acc[sb + 1] += used; acc[sb + 2] += idle; acc[sb + 3] += lost;
  }
  w.occ.fill(0);
  w.unused.fill(0);
}

/**
 * Simulate facility-year `yearIndex` of the run seeded `seed`, adding into `acc`
 * (length layoutOf(plan).size). The random stream depends on (seed, yearIndex) only.
 * Returns the ring's used minutes summed over stations, for the per-year series.
 */
export function simulateYear(w: Workspace, seed: number, yearIndex: number, acc: Float64Array, trace?: BookingTrace): void {
  seedStream(w.rng, seed, yearIndex);
  faults(w, acc);
  proposals(w, acc);
  bookings(w, acc, trace);
  bookkeeping(w, acc);
  acc[w.layout.fac + F.YEARS] += 1;
}
