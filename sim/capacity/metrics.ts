/**
 * From the accumulated counts of a Monte Carlo to the planner's numbers: per beamline, per access
 * class, per station, per member tier, facility totals and revenue, all as means per facility-year,
 * plus terminal tables. Pure functions of the accumulator, so they are identical for any worker count.
 */
import {
  CLASS_COALITION, CLASS_NAMES, F, HIST_BINS, M, N_CLASSES, N_ROUNDS, NM, NS, NT, T, type Layout, type Plan,
} from './model.ts';
import type { MonteCarloResult } from './montecarlo.ts';

export interface WaitSummary {
  count: number; meanDays: number; p10Days: number; medianDays: number; p90Days: number;
  /** the distribution: days at the 0 %, 5 %, …, 100 % quantiles (one-day bins; the last bin is ≥ 511 days) */
  quantilesDays: number[];
}

export interface ClassSummary {
  access: (typeof CLASS_NAMES)[number];
  hoursSupplied: number; hoursUsed: number; hoursIdle: number; hoursLost: number; hoursRequested: number; hoursGranted: number;
  /** requested hours / supplied hours */
  oversubscription: number;
  /** proposals accepted / submitted (public, shared); bookings with at least one shift / bookings (coalition) */
  acceptanceRate: number;
  /** used / supplied */
  utilisation: number;
  requestsPerYear: number; acceptedPerYear: number; cancelledPerYear: number;
  proprietaryHoursUsed: number;
  /** fees this class brings per year: proprietary beamtime (public, shared) or hourly fees (coalition); unit fees are facility-wide */
  revenueJPY: number;
  wait: WaitSummary;
}

export interface StationSummary { name: string; hoursSupplied: number; hoursUsed: number; hoursIdle: number; hoursLost: number; utilisation: number }

export interface BeamlineSummary {
  id: string; access: string; stations: StationSummary[];
  hoursSupplied: number; hoursUsed: number; hoursIdle: number; hoursLost: number; hoursRequested: number;
  oversubscription: number;
  /** the document's measure: survey days (academic + industrial) / usable days per beamline */
  surveyOversubscription: number;
  acceptanceRate: number; utilisation: number;
  waitDaysMedian: number; waitDaysP10: number; waitDaysP90: number;
  /** proprietary and hourly fees of this beamline per year (unit fees are facility-wide) */
  revenueJPY: number;
  classes: ClassSummary[];
}

export interface TierSummary {
  name: string; members: number; units: number;
  entitlementHours: number; requestedHours: number; grantedHours: number; cappedHours: number;
  /** granted / (requested − capped): the share of bookings met by the end of round 3 */
  shareMet: number;
  rounds: { round: number; askedHours: number; grantedHours: number; shareMet: number }[];
}

export interface RevenueSummary {
  /** coalition entry fees spread over the contract (units × price / contract years) */
  unitFeesJPY: number;
  hourlyFeesJPY: number;
  proprietaryFeesJPY: number;
  totalJPY: number;
  spring8: {
    /** proprietary public hours at SPring-8's 成果占有 rate */
    proprietaryJPY: number;
    /** coalition hours used, priced at SPring-8's 成果占有 rate (no publication duty either) */
    coalitionHoursAtProprietaryRateJPY: number;
    /** coalition hours used, priced at SPring-8's 優先利用 (non-proprietary priority) rate */
    coalitionHoursAtPriorityRateJPY: number;
  };
}

export interface FacilitySummary {
  facilityYears: number; beamlines: number; stations: number;
  ringHoursScheduled: number; availability: number; faultsPerYear: number;
  hoursSupplied: number; hoursUsed: number; hoursIdle: number; hoursLost: number; hoursRequested: number;
  oversubscription: number; utilisation: number;
  usedHoursPerYear: { mean: number; p5: number; p95: number };
  /** request → beamtime, all classes */
  wait: WaitSummary;
  classes: ClassSummary[];
}

export interface CapacityReport {
  seed: number; workers: number; years: number; runs: number; facilityYears: number;
  beamlines: BeamlineSummary[];
  facility: FacilitySummary;
  revenue: RevenueSummary;
  tiers: TierSummary[];
}

/** a/b; 0/0 = 0 (nothing asked of nothing), x/0 = ∞ (asked of nothing: written null in JSON). */
const div = (a: number, b: number) => (b > 0 ? a / b : a > 0 ? Infinity : 0);

function waitFrom(hist: Float64Array, sumDays: number): WaitSummary {
  let count = 0;
  for (let i = 0; i < hist.length; i++) count += hist[i];
  const q = (p: number) => {
    if (count === 0) return NaN;
    const target = p * count;
    let c = 0;
    for (let i = 0; i < hist.length; i++) { c += hist[i]; if (c >= target) return i; }
    return hist.length - 1;
  };
  return { count, meanDays: div(sumDays, count), p10Days: q(0.1), medianDays: q(0.5), p90Days: q(0.9), quantilesDays: Array.from({ length: 21 }, (_, i) => q(i / 20)) };
}

function classFrom(acc: Float64Array, lay: Layout, beamlines: number[], cls: number, years: number, plan: Plan): ClassSummary {
  const v = new Float64Array(NM);
  const hist = new Float64Array(HIST_BINS);
  for (const b of beamlines) {
    const o = lay.blc + (b * N_CLASSES + cls) * NM;
    for (let k = 0; k < NM; k++) v[k] += acc[o + k];
    const h = lay.hist + (b * N_CLASSES + cls) * HIST_BINS;
    for (let i = 0; i < HIST_BINS; i++) hist[i] += acc[h + i];
  }
  const hrs = (k: number) => v[k] / 60 / years;
  return {
    access: CLASS_NAMES[cls],
    hoursSupplied: hrs(M.SUPPLIED), hoursUsed: hrs(M.USED), hoursIdle: hrs(M.IDLE), hoursLost: hrs(M.LOST),
    hoursRequested: hrs(M.REQUESTED), hoursGranted: hrs(M.GRANTED),
    oversubscription: div(v[M.REQUESTED], v[M.SUPPLIED]),
    acceptanceRate: div(v[M.ACCEPTED], v[M.SUBMITTED]),
    utilisation: div(v[M.USED], v[M.SUPPLIED]),
    requestsPerYear: v[M.SUBMITTED] / years, acceptedPerYear: v[M.ACCEPTED] / years, cancelledPerYear: v[M.CANCELLED] / years,
    proprietaryHoursUsed: hrs(M.PROPRIETARY_USED),
    revenueJPY: cls === CLASS_COALITION
      ? hrs(M.USED) * plan.scenario.coalition.hourlyFeeJPY
      : (hrs(M.PROPRIETARY_USED) * plan.scenario.fees.proprietaryJPYPerShift) / plan.scenario.supply.shiftHours,
    wait: waitFrom(hist, v[M.WAIT_SUM_DAYS]),
  };
}

function sumClasses(cs: ClassSummary[], acc: Float64Array, lay: Layout, beamlines: number[], years: number) {
  const hist = new Float64Array(HIST_BINS);
  let sumDays = 0, submitted = 0, accepted = 0;
  for (const b of beamlines) for (let c = 0; c < N_CLASSES; c++) {
    const o = lay.blc + (b * N_CLASSES + c) * NM;
    const h = lay.hist + (b * N_CLASSES + c) * HIST_BINS;
    for (let i = 0; i < HIST_BINS; i++) hist[i] += acc[h + i];
    sumDays += acc[o + M.WAIT_SUM_DAYS]; submitted += acc[o + M.SUBMITTED]; accepted += acc[o + M.ACCEPTED];
  }
  const tot = {
    hoursSupplied: 0, hoursUsed: 0, hoursIdle: 0, hoursLost: 0, hoursRequested: 0,
  };
  for (const c of cs) { tot.hoursSupplied += c.hoursSupplied; tot.hoursUsed += c.hoursUsed; tot.hoursIdle += c.hoursIdle; tot.hoursLost += c.hoursLost; tot.hoursRequested += c.hoursRequested; }
  return { ...tot, oversubscription: div(tot.hoursRequested, tot.hoursSupplied), utilisation: div(tot.hoursUsed, tot.hoursSupplied), acceptanceRate: div(accepted, submitted), wait: waitFrom(hist, sumDays) };
}

function quantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))));
  return sorted[i];
}

export function summarise(r: MonteCarloResult): CapacityReport {
  const { plan, layout: lay, acc } = r;
  const years = acc[lay.fac + F.YEARS];
  const s = plan.scenario;
  const beamlines: BeamlineSummary[] = plan.beamlines.map((b, bi) => {
    const classes: ClassSummary[] = [];
    for (let c = 0; c < N_CLASSES; c++) {
      const cs = classFrom(acc, lay, [bi], c, years, plan);
      if (cs.hoursSupplied > 0 || cs.hoursRequested > 0) classes.push(cs);
    }
    const t = sumClasses(classes, acc, lay, [bi], years);
    const stations: StationSummary[] = b.stations.map((st) => {
      const o = lay.station + st * NS;
      const h = (k: number) => acc[o + k] / 60 / years;
      return { name: plan.stations[st].name, hoursSupplied: h(0), hoursUsed: h(1), hoursIdle: h(2), hoursLost: h(3), utilisation: div(acc[o + 1], acc[o]) };
    });
    return {
      id: b.id, access: b.access, stations,
      hoursSupplied: t.hoursSupplied, hoursUsed: t.hoursUsed, hoursIdle: t.hoursIdle, hoursLost: t.hoursLost, hoursRequested: t.hoursRequested,
      oversubscription: t.oversubscription,
      surveyOversubscription: ((b.surveyAcademicDays + b.surveyIndustrialDays) * b.demandShare) / s.survey.usableDaysPerBeamline,
      acceptanceRate: t.acceptanceRate, utilisation: t.utilisation,
      waitDaysMedian: t.wait.medianDays, waitDaysP10: t.wait.p10Days, waitDaysP90: t.wait.p90Days,
      revenueJPY: classes.reduce((a, c) => a + c.revenueJPY, 0),
      classes,
    };
  });
  const all = plan.beamlines.map((_, i) => i);
  const facClasses: ClassSummary[] = [];
  for (let c = 0; c < N_CLASSES; c++) {
    const cs = classFrom(acc, lay, all, c, years, plan);
    if (cs.hoursSupplied > 0 || cs.hoursRequested > 0) facClasses.push(cs);
  }
  const ft = sumClasses(facClasses, acc, lay, all, years);
  const sorted = Float64Array.from(r.usedHoursPerYear).sort();
  const mean = sorted.reduce((a, x) => a + x, 0) / Math.max(1, sorted.length);
  const facility: FacilitySummary = {
    facilityYears: years, beamlines: plan.beamlines.length, stations: plan.stations.length,
    ringHoursScheduled: acc[lay.fac + F.SCHEDULED] / 60 / years,
    availability: 1 - div(acc[lay.fac + F.LOST], acc[lay.fac + F.SCHEDULED]),
    faultsPerYear: acc[lay.fac + F.FAULTS] / years,
    hoursSupplied: ft.hoursSupplied, hoursUsed: ft.hoursUsed, hoursIdle: ft.hoursIdle, hoursLost: ft.hoursLost, hoursRequested: ft.hoursRequested,
    oversubscription: ft.oversubscription, utilisation: ft.utilisation,
    usedHoursPerYear: { mean, p5: quantile(sorted, 0.05), p95: quantile(sorted, 0.95) },
    wait: ft.wait,
    classes: facClasses,
  };
  const coal = facClasses.find((c) => c.access === 'coalition');
  const coalHours = coal ? coal.hoursUsed : 0;
  const propHours = facClasses.reduce((a, c) => a + (c.access !== 'coalition' ? c.proprietaryHoursUsed : 0), 0);
  const perShift = (jpy: number) => jpy / s.supply.shiftHours;
  const revenue: RevenueSummary = {
    unitFeesJPY: (plan.totalUnits * s.coalition.unitPriceJPY) / s.coalition.contractYears,
    hourlyFeesJPY: coalHours * s.coalition.hourlyFeeJPY,
    proprietaryFeesJPY: propHours * perShift(s.fees.proprietaryJPYPerShift),
    totalJPY: 0,
    spring8: {
      proprietaryJPY: propHours * perShift(s.fees.spring8.proprietaryJPYPerShift),
      coalitionHoursAtProprietaryRateJPY: coalHours * perShift(s.fees.spring8.proprietaryJPYPerShift),
      coalitionHoursAtPriorityRateJPY: coalHours * perShift(s.fees.spring8.priorityJPYPerShift),
    },
  };
  revenue.totalJPY = revenue.unitFeesJPY + revenue.hourlyFeesJPY + revenue.proprietaryFeesJPY;
  const sh = s.supply.shiftHours;
  const tiers: TierSummary[] = plan.tiers.map((t, ti) => {
    const o = lay.tier + ti * NT;
    const v = (k: number) => (acc[o + k] * sh) / years;
    const rounds = [];
    for (let rd = 0; rd < N_ROUNDS; rd++) rounds.push({ round: rd + 1, askedHours: v(T.ASKED + rd), grantedHours: v(T.GRANTED + rd), shareMet: div(acc[o + T.GRANTED + rd], acc[o + T.ASKED + rd]) });
    return {
      name: t.name, members: t.members, units: t.members * t.unitsEach,
      entitlementHours: v(T.ENTITLEMENT), requestedHours: v(T.REQUESTED), grantedHours: v(T.GRANTED_TOTAL), cappedHours: v(T.CAPPED),
      shareMet: div(acc[o + T.GRANTED_TOTAL], acc[o + T.REQUESTED] - acc[o + T.CAPPED]),
      rounds,
    };
  });
  return {
    seed: r.options.seed, workers: r.options.workers, years: r.options.years, runs: r.options.runs, facilityYears: years,
    beamlines, facility, revenue, tiers,
  };
}

// ---------------------------------------------------------------------------------------------
// Terminal tables

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), w.map((x) => '-'.repeat(x)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
const h0 = (x: number) => Math.round(x).toLocaleString('en-US');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const pc = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
const d0 = (x: number) => (Number.isFinite(x) ? String(Math.round(x)) : '-');
const mJPY = (x: number) => `${(x / 1e6).toFixed(1)} M`;

export function formatReport(r: CapacityReport): string {
  const out: string[] = [];
  const f = r.facility;
  out.push(`Capacity Monte Carlo: ${r.facilityYears} facility-years (${r.runs} runs × ${r.years} years), seed ${r.seed}, workers ${r.workers}. Means per year.`);
  out.push('oversub = requested / supplied hours (all stations, all classes); survey = the document\'s wished-for days / 200 days; accept = proposals accepted (public, shared) or bookings served (coalition).');
  out.push(`Ring: ${h0(f.ringHoursScheduled)} h scheduled, availability ${pc(f.availability)} (${f.faultsPerYear.toFixed(1)} faults/yr); ${f.beamlines} beamlines, ${f.stations} stations.`);
  out.push('');
  out.push(table(
    ['beamline', 'access', 'st', 'supplied h', 'used h', 'idle h', 'lost h', 'util', 'oversub', 'survey', 'accept', 'wait p10/med/p90 d', 'fees JPY'],
    r.beamlines.map((b) => [b.id, b.access, b.stations.length, h0(b.hoursSupplied), h0(b.hoursUsed), h0(b.hoursIdle), h0(b.hoursLost), pc(b.utilisation), f2(b.oversubscription), f2(b.surveyOversubscription), pc(b.acceptanceRate), `${d0(b.waitDaysP10)}/${d0(b.waitDaysMedian)}/${d0(b.waitDaysP90)}`, mJPY(b.revenueJPY)]),
  ));
  out.push('');
  out.push('By access class (public = public beamlines; shared = 共用枠 on coalition main stations; coalition = member bookings):');
  const rows: (string | number)[][] = [];
  for (const b of r.beamlines) for (const c of b.classes) rows.push([b.id, c.access, h0(c.hoursSupplied), h0(c.hoursRequested), h0(c.hoursUsed), h0(c.hoursIdle), pc(c.utilisation), f2(c.oversubscription), pc(c.acceptanceRate), `${d0(c.wait.p10Days)}/${d0(c.wait.medianDays)}/${d0(c.wait.p90Days)}`]);
  for (const c of f.classes) rows.push(['facility', c.access, h0(c.hoursSupplied), h0(c.hoursRequested), h0(c.hoursUsed), h0(c.hoursIdle), pc(c.utilisation), f2(c.oversubscription), pc(c.acceptanceRate), `${d0(c.wait.p10Days)}/${d0(c.wait.medianDays)}/${d0(c.wait.p90Days)}`]);
  out.push(table(['beamline', 'class', 'supplied h', 'requested h', 'used h', 'idle h', 'util', 'oversub', 'accept', 'wait p10/med/p90 d'], rows));
  out.push('');
  out.push(`Facility: supplied ${h0(f.hoursSupplied)} h = used ${h0(f.hoursUsed)} + idle ${h0(f.hoursIdle)} + lost to faults ${h0(f.hoursLost)}; utilisation ${pc(f.utilisation)}; oversubscription ${f2(f.oversubscription)}; used h per year p5–p95 ${h0(f.usedHoursPerYear.p5)}–${h0(f.usedHoursPerYear.p95)}.`);
  out.push('');
  out.push('Coalition members by tier (share of booked shifts met in each round; round 2 is platinum / special gold only):');
  out.push(table(
    ['tier', 'members', 'units', 'entitled h', 'requested h', 'granted h', 'met', 'round 1', 'round 2', 'round 3'],
    r.tiers.map((t) => [t.name, t.members, t.units, h0(t.entitlementHours), h0(t.requestedHours), h0(t.grantedHours), pc(t.shareMet),
      ...t.rounds.map((x) => (x.askedHours > 0 ? `${pc(x.shareMet)} of ${h0(x.askedHours)} h` : '-'))]),
  ));
  out.push('');
  const rv = r.revenue;
  out.push(table(['revenue per year (JPY)', 'NanoTerasu', 'at SPring-8 rates'], [
    ['coalition unit fees (annualised)', mJPY(rv.unitFeesJPY), '-'],
    ['coalition hourly fees', mJPY(rv.hourlyFeesJPY), `${mJPY(rv.spring8.coalitionHoursAtProprietaryRateJPY)} (成果占有) / ${mJPY(rv.spring8.coalitionHoursAtPriorityRateJPY)} (優先利用)`],
    ['proprietary public beamtime', mJPY(rv.proprietaryFeesJPY), mJPY(rv.spring8.proprietaryJPY)],
    ['total', mJPY(rv.totalJPY), '-'],
  ]));
  return out.join('\n');
}

export interface WhatIfRow { name: string; report: CapacityReport }

/** Side-by-side facility totals of the baseline and each what-if variant. */
export function formatWhatIf(rows: WhatIfRow[]): string {
  const head = ['scenario', 'beamlines', 'stations', 'supplied h', 'used h', 'idle h', 'util', 'oversub', 'accept public', 'accept shared', 'coalition met', 'wait med d', 'revenue M JPY'];
  return table(head, rows.map(({ name, report: r }) => {
    const f = r.facility;
    const cls = (a: string) => f.classes.find((c) => c.access === a);
    const req = r.tiers.reduce((a, t) => a + t.requestedHours - t.cappedHours, 0);
    const got = r.tiers.reduce((a, t) => a + t.grantedHours, 0);
    const med = f.wait.medianDays;
    return [name, f.beamlines, f.stations, h0(f.hoursSupplied), h0(f.hoursUsed), h0(f.hoursIdle), pc(f.utilisation), f2(f.oversubscription),
      pc(cls('public')?.acceptanceRate ?? NaN), pc(cls('shared')?.acceptanceRate ?? NaN), pc(div(got, req)), d0(med), (r.revenue.totalJPY / 1e6).toFixed(0)];
  }));
}

export type { Plan };
