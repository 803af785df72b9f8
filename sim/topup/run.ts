/**
 * One top-up study from a configuration: the beam model → lifetime at the target current →
 * the loss-rate model → reachability check → the event simulation; plus the report text, the JSON
 * summary (the CLI's --json) and the timeline as CSV and plot-ready JSON. Shared by the CLI commands
 * `lifetime` and `topup` and by the scenario section.
 */
import { ringLifetime, type LifetimeBreakdown, type LossRateModel, type RingBeam } from '../lifetime/ring.ts';
import type { YamlDoc } from '../scenario/yaml.ts';
import { applyLifetimeConfig, checkReachable, fillOf, lossRateModel, topupParamsOf, type TopupConfig } from './config.ts';
import { simulateTopup, type TopupResult, type Timeline } from './simulate.ts';

export interface TopupRun {
  ring: RingBeam;
  lifetime: LifetimeBreakdown;
  lossRate: LossRateModel;
  result: TopupResult;
  notes: string[];
}

const hours = (s: number) => s / 3600;

/** JSON-safe number: Infinity (a lifetime too long to matter) becomes null. */
export function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export function runTopupStudy(cfg: TopupConfig, base: RingBeam, opts: { doc?: YamlDoc; basePath?: (string | number)[]; notes?: string[] } = {}): TopupRun {
  const ring = applyLifetimeConfig(base, cfg.lifetime);
  const fill = fillOf(cfg);
  const lifetime = ringLifetime(ring, cfg.targetCurrentMA * 1e-3, fill);
  const lossRate = lossRateModel(ring, fill, cfg.targetCurrentMA * 1e-3);
  checkReachable(cfg, ring, lossRate, opts.doc, opts.basePath);
  const result = simulateTopup(topupParamsOf(cfg, ring, lossRate));
  return { ring, lifetime, lossRate, result, notes: opts.notes ?? [] };
}

/** Lifetime components in hours (null = longer than a double can hold: irrelevant). */
export function lifetimeHours(l: LifetimeBreakdown) {
  return {
    touschek: finite(hours(l.touschekS)),
    gas: finite(hours(l.gas.totalS)),
    gasElastic: finite(hours(l.gas.elasticS)),
    gasBremsstrahlung: finite(hours(l.gas.bremsstrahlungS)),
    quantum: finite(hours(l.quantum.totalS)),
    total: finite(hours(l.totalS)),
  };
}

/** The --json summary of a top-up run. */
export function topupJson(run: TopupRun) {
  const s = run.result.summary;
  return {
    lifetimeH: lifetimeHours(run.lifetime),
    currentMA: { target: s.targetCurrentMA, ...s.currentMA },
    meanCurrentAllMA: s.meanCurrentAllMA,
    shots: s.shots,
    shotsPerHour: s.shotsPerHour,
    injectedChargePerHourC: s.injectedChargePerHourC,
    injectionEfficiency: s.injectionEfficiency,
    injectedChargeC: s.injectedChargeC,
    capturedChargeC: s.capturedChargeC,
    lostChargeC: s.lostChargeC,
    lost: s.lost,
    decayedChargeC: s.decayedChargeC,
    storedChargeChangeC: s.storedChargeEndC - s.storedChargeStartC,
    balanceErrorC: s.balanceErrorC,
    lifetimeOverTimeH: s.lifetimeH,
    availability: s.availability,
    faults: s.faults,
    downtimeH: s.downtimeH,
    meanBurstIntervalS: finite(s.meanBurstIntervalS),
    durationH: s.durationH,
    lossRate: run.lossRate,
    source: run.ring.source,
    notes: run.notes,
  };
}

/** Timeline as CSV: one row per sample. */
export function timelineCsv(t: Timeline): string {
  const rows = ['t_s,current_mA,lifetime_h,shots,state'];
  for (let i = 0; i < t.tS.length; i++) {
    rows.push(`${t.tS[i]},${t.currentMA[i].toFixed(5)},${Number.isFinite(t.lifetimeH[i]) ? t.lifetimeH[i].toFixed(4) : ''},${t.shots[i]},${['beam', 'down', 'refill'][t.state[i]]}`);
  }
  return rows.join('\n') + '\n';
}

/**
 * Plot-ready JSON: columns of equal length, optionally thinned to every `every`-th sample (the
 * min/max of the current within each thinned bin are kept so that the band stays visible).
 */
export function timelinePlot(t: Timeline, every = 1) {
  const n = Math.ceil(t.tS.length / every);
  const tS: number[] = [], mean: number[] = [], lo: number[] = [], hi: number[] = [], tau: (number | null)[] = [], shots: number[] = [], state: number[] = [];
  for (let b = 0; b < n; b++) {
    const i0 = b * every, i1 = Math.min(t.tS.length, i0 + every);
    let s = 0, mn = Infinity, mx = -Infinity, sh = 0;
    for (let i = i0; i < i1; i++) { s += t.currentMA[i]; mn = Math.min(mn, t.currentMA[i]); mx = Math.max(mx, t.currentMA[i]); sh += t.shots[i]; }
    tS.push(t.tS[i1 - 1]); mean.push(s / (i1 - i0)); lo.push(mn); hi.push(mx);
    tau.push(finite(t.lifetimeH[i1 - 1])); shots.push(sh); state.push(t.state[i1 - 1]);
  }
  return {
    format: 'nanoterasu-topup-timeline/1',
    units: { t: 's', current: 'mA', lifetime: 'h' },
    states: ['beam', 'down', 'refill'],
    t: tS, currentMA: mean, currentMinMA: lo, currentMaxMA: hi, lifetimeH: tau, shots, state,
  };
}

const fmt = (x: number | null, d = 2) => (x === null ? '∞ (negligible)' : x.toFixed(d));

export function formatLifetime(l: LifetimeBreakdown, ring: RingBeam): string {
  const h = lifetimeHours(l);
  return [
    `  current ${(l.currentA * 1e3).toFixed(1)} mA in ${l.bunches} bunches (${l.bunchPopulationEff.toExponential(3)} e per bunch, effective)`,
    `  εx ${(l.emittanceXM * 1e9).toFixed(3)} nm, εy ${(l.emittanceYM * 1e12).toFixed(2)} pm (coupling ${(ring.coupling * 100).toFixed(2)} %), σz ${(l.bunchLengthM * 1e3).toFixed(3)} mm, σδ ${ring.energySpread.toExponential(3)}`,
    `  RF ${(ring.rf.voltageV / 1e6).toFixed(3)} MV: acceptance ${(l.rf.rfAcceptance * 100).toFixed(2)} %, fs ${(l.rf.synchrotronFrequencyHz / 1e3).toFixed(2)} kHz; momentum acceptance used (ring average) +${(l.momentumAcceptanceAvg.pos * 100).toFixed(2)} % / −${(l.momentumAcceptanceAvg.neg * 100).toFixed(2)} %${ring.rfAcceptanceOnly ? ' (RF acceptance only)' : ''}`,
    `  pressure ${l.pressurePa.toExponential(2)} Pa`,
    `  Touschek (${ring.touschekMethod ?? 'piwinski'})  ${fmt(h.touschek)} h`,
    `  gas elastic          ${fmt(h.gasElastic, 1)} h`,
    `  gas bremsstrahlung   ${fmt(h.gasBremsstrahlung, 1)} h`,
    `  gas total            ${fmt(h.gas, 1)} h`,
    `  quantum              ${fmt(h.quantum)}${h.quantum === null ? '' : ' h'}`,
    `  total                ${fmt(h.total)} h`,
  ].join('\n');
}

export function formatTopup(run: TopupRun): string {
  const s = run.result.summary;
  const nC = (c: number) => `${(c * 1e9).toFixed(1)} nC`;
  return [
    `  ${s.durationH} h at ${s.targetCurrentMA} mA target; lifetime at target ${fmt(lifetimeHours(run.lifetime).total)} h`,
    `  current in top-up: mean ${s.currentMA.mean.toFixed(3)} mA, min ${s.currentMA.min.toFixed(3)}, max ${s.currentMA.max.toFixed(3)} (p-p ${s.currentMA.peakToPeak.toFixed(3)} mA = ${((s.currentMA.peakToPeak / s.targetCurrentMA) * 100).toFixed(3)} %), rms deviation ${s.currentMA.rmsDeviation.toFixed(3)} mA`,
    `  shots ${s.shots} (${s.shotsPerHour.toFixed(1)} per hour), mean interval between top-ups ${Number.isFinite(s.meanBurstIntervalS) ? s.meanBurstIntervalS.toFixed(1) + ' s' : '—'}`,
    `  injected ${nC(s.injectedChargeC)} (${nC(s.injectedChargePerHourC)} per hour), captured ${nC(s.capturedChargeC)}, efficiency ${(s.injectionEfficiency * 100).toFixed(2)} %`,
    `  lost ${nC(s.lostChargeC)} (injection ${nC(s.lost.injectionC)}, stored beam at injection ${nC(s.lost.storedAtInjectionC)}, dumps ${nC(s.lost.dumpsC)}), decayed ${nC(s.decayedChargeC)}`,
    `  charge balance: injected − lost − decayed − ΔQ = ${s.balanceErrorC.toExponential(2)} C`,
    `  faults ${s.faults}, downtime ${s.downtimeH.toFixed(2)} h, availability ${(s.availability * 100).toFixed(3)} %`,
  ].join('\n');
}
