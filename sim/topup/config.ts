/**
 * The `topup` scenario section: its schema (zod, every field with a documented default), the
 * physical checks that zod cannot make alone, and the conversion to the plain inputs of
 * sim/lifetime/ring.ts and sim/topup/simulate.ts.
 *
 * Units are in the field names (MA = milliampere here, as operators speak; NC = nanocoulomb).
 * The defaults are the values of scenarios/topup.yaml, where each one carries its source tag.
 */
import { z } from 'zod';
import { C_LIGHT } from '../constants.ts';
import { type FillPattern, lossRateModel, type LossRateModel, type RingBeam } from '../lifetime/ring.ts';
import { GAS_SPECIES } from '../lifetime/gas.ts';
import type { YamlDoc } from '../scenario/yaml.ts';
import { maxSustainableCurrentA, type InjectorParams } from './injector.ts';
import type { TopupParams } from './simulate.ts';

const positive = z.number().finite().positive();

/** Largest timeline kept in memory (27 bytes per sample: about 270 MB). */
export const MAX_TIMELINE_SAMPLES = 10_000_000;

const vacuumSchema = z
  .object({
    basePressurePa: z.number().finite().default(1e-7),
    pressurePerAmpPa: z.number().finite().default(2.5e-7),
    temperatureK: positive.default(295),
    composition: z.record(z.string(), z.number().finite()).default({ H2: 0.75, CO: 0.15, CO2: 0.05, CH4: 0.05 }),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.basePressurePa < 0)
      ctx.addIssue({ code: 'custom', path: ['basePressurePa'], message: `${v.basePressurePa} Pa: a pressure cannot be negative` });
    if (v.pressurePerAmpPa < 0)
      ctx.addIssue({ code: 'custom', path: ['pressurePerAmpPa'], message: `${v.pressurePerAmpPa} Pa/A: the beam cannot pump the chamber (must be ≥ 0)` });
    let sum = 0;
    for (const [gas, frac] of Object.entries(v.composition)) {
      if (!GAS_SPECIES[gas]) ctx.addIssue({ code: 'custom', path: ['composition', gas], message: `unknown gas; known: ${Object.keys(GAS_SPECIES).join(', ')}` });
      else if (frac < 0) ctx.addIssue({ code: 'custom', path: ['composition', gas], message: `a partial-pressure fraction cannot be negative (got ${frac})` });
      sum += Math.max(frac, 0);
    }
    if (!(sum > 0)) ctx.addIssue({ code: 'custom', path: ['composition'], message: 'needs at least one gas with a positive fraction' });
  });

const aperturesSchema = z
  .object({
    xHalfMM: positive.default(5),
    betaXAtApertureM: positive.default(15.18),
    yHalfMM: positive.default(2),
    betaYAtApertureM: positive.default(3.71),
  })
  .strict();

export const lifetimeConfigSchema = z
  .object({
    /** εy/εx; 1 % design, 2 % measured [S]. */
    coupling: positive.default(0.01),
    /** Total RF voltage [MV]; absent = the lattice's cavities (scenario) or 3.39 MV (CLI fallback). */
    rfVoltageMV: positive.optional(),
    /** 'rf' = the RF acceptance alone; 'auto' = the local acceptance from sim/studies/ma.ts when available, else flat = RF; a number = flat lattice acceptance (limited by the RF one). */
    momentumAcceptance: z.union([z.enum(['rf', 'auto']), z.number().positive().lt(1)]).default('auto'),
    touschekMethod: z.enum(['piwinski', 'bruck']).default('piwinski'),
    /** Local momentum acceptance from a file written by `nanoterasu ma --json` (path relative to the scenario file). */
    momentumAcceptanceFile: z.string().min(1).optional(),
    /** Local momentum acceptance by tracking (sim/studies/ma.ts): turns and every Nth element. Slow (minutes). */
    tracking: z.object({ turns: z.number().int().min(1), every: z.number().int().min(1).default(10) }).strict().optional(),
    /** Intra-beam scattering (Bane's model) in the beam used for Touschek. */
    ibs: z.boolean().default(false),
    /** Bunch length override [mm] (e.g. lengthening); absent = from the RF (σz = c αc σδ / 2π fs). */
    bunchLengthMM: positive.optional(),
    vacuum: vacuumSchema.default({}),
    apertures: aperturesSchema.default({}),
  })
  .strict();

const fillSchema = z.union([
  z.object({ filledBuckets: z.number().int().min(1) }).strict(),
  z.object({ weights: z.array(z.number().nonnegative()).min(1) }).strict(),
]);

const triggerSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('threshold'), belowTargetMA: positive.default(0.4) }).strict(),
  z.object({ mode: z.literal('interval'), intervalS: positive }).strict(),
]);

const injectorSchema = z
  .object({
    linacMaxRepetitionHz: positive.default(25),
    topupShotRateHz: positive.default(1),
    refillShotRateHz: positive.default(10),
    chargePerShotNC: positive.default(0.3),
    chargeJitter: z.number().nonnegative().default(0.05),
    efficiency: z.number().positive().max(1).default(0.9),
    efficiencyJitter: z.number().nonnegative().default(0.03),
    storedLossPerShot: z.number().nonnegative().lt(1).default(0),
    /**
     * 'constant': `efficiency` as given; 'tracking': `efficiency` is replaced by the captured fraction
     * of an injected bunch tracked into the ring (sim/topup/injection-tracking.ts, settings in `tracking`).
     */
    efficiencyModel: z.enum(['constant', 'tracking']).default('constant'),
    tracking: z
      .object({
        particles: z.number().int().min(1).default(200),
        turns: z.number().int().min(1).default(256),
        seed: z.number().int().nonnegative().default(1),
        /** Round vacuum chamber radius [mm] checked after every element; 0 = none. */
        chamberRadiusMM: z.number().nonnegative().default(0),
      })
      .strict()
      .default({}),
  })
  .strict();

const faultsSchema = z
  .object({
    enabled: z.boolean().default(true),
    mtbfH: positive.default(100),
    recoveryMinMin: z.number().nonnegative().default(10),
    recoveryMeanExtraMin: z.number().nonnegative().default(20),
  })
  .strict();

export const topupConfigSchema = z
  .object({
    targetCurrentMA: positive.default(400),
    hours: positive.default(24),
    seed: z.number().int().nonnegative().default(1),
    resolutionS: positive.default(1),
    availabilityThreshold: z.number().positive().max(1).default(0.9),
    fill: fillSchema.default({ filledBuckets: 474 }),
    trigger: triggerSchema.default({ mode: 'threshold', belowTargetMA: 0.4 }),
    injector: injectorSchema.default({}),
    faults: faultsSchema.default({}),
    lifetime: lifetimeConfigSchema.default({}),
    montecarlo: z.object({ days: z.number().int().min(1).default(1000), workers: z.number().int().min(1).default(2) }).strict().default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const inj = c.injector;
    for (const k of ['topupShotRateHz', 'refillShotRateHz'] as const) {
      if (inj[k] > inj.linacMaxRepetitionHz)
        ctx.addIssue({ code: 'custom', path: ['injector', k], message: `${inj[k]} Hz exceeds the linac's maximum repetition rate (linacMaxRepetitionHz = ${inj.linacMaxRepetitionHz} Hz)` });
    }
    if (c.trigger.mode === 'interval' && c.trigger.intervalS < 1 / inj.linacMaxRepetitionHz)
      ctx.addIssue({ code: 'custom', path: ['trigger', 'intervalS'], message: `${c.trigger.intervalS} s is shorter than the linac allows (one shot every ${1 / inj.linacMaxRepetitionHz} s at ${inj.linacMaxRepetitionHz} Hz)` });
    if (c.trigger.mode === 'threshold' && c.trigger.belowTargetMA >= c.targetCurrentMA)
      ctx.addIssue({ code: 'custom', path: ['trigger', 'belowTargetMA'], message: `must be smaller than targetCurrentMA (${c.targetCurrentMA} mA)` });
    if ('filledBuckets' in c.fill && c.fill.filledBuckets > 592)
      ctx.addIssue({ code: 'custom', path: ['fill', 'filledBuckets'], message: `${c.fill.filledBuckets} exceeds the harmonic number 592` });
    if ((c.hours * 3600) / c.resolutionS > MAX_TIMELINE_SAMPLES)
      ctx.addIssue({ code: 'custom', path: ['hours'], message: `${c.hours} h at ${c.resolutionS} s resolution is ${Math.round((c.hours * 3600) / c.resolutionS)} timeline samples (at most ${MAX_TIMELINE_SAMPLES}): use a coarser resolutionS, or the Monte Carlo (--days) for long statistics` });
    if (Math.abs(c.hours * 3600 / c.resolutionS - Math.round(c.hours * 3600 / c.resolutionS)) > 1e-6)
      ctx.addIssue({ code: 'custom', path: ['resolutionS'], message: `must divide the duration (${c.hours} h) into whole steps` });
  });

export type TopupConfig = z.infer<typeof topupConfigSchema>;
export type LifetimeConfig = z.infer<typeof lifetimeConfigSchema>;

/** Applies the lifetime configuration to a base beam (optics and acceptance from an adapter or the fallback). */
export function applyLifetimeConfig(base: RingBeam, cfg: LifetimeConfig): RingBeam {
  return {
    ...base,
    coupling: cfg.coupling,
    rf: cfg.rfVoltageMV !== undefined ? { ...base.rf, voltageV: cfg.rfVoltageMV * 1e6 } : base.rf,
    rfAcceptanceOnly: cfg.momentumAcceptance === 'rf',
    momentumAcceptancePos: typeof cfg.momentumAcceptance === 'number' ? cfg.momentumAcceptance : base.momentumAcceptancePos,
    momentumAcceptanceNeg: typeof cfg.momentumAcceptance === 'number' ? cfg.momentumAcceptance : base.momentumAcceptanceNeg,
    touschekMethod: cfg.touschekMethod,
    ibs: cfg.ibs,
    bunchLengthOverrideM: cfg.bunchLengthMM !== undefined ? cfg.bunchLengthMM * 1e-3 : base.bunchLengthOverrideM,
    vacuum: { ...cfg.vacuum },
    apertures: {
      xHalfM: cfg.apertures.xHalfMM * 1e-3,
      betaXAtApertureM: cfg.apertures.betaXAtApertureM,
      yHalfM: cfg.apertures.yHalfMM * 1e-3,
      betaYAtApertureM: cfg.apertures.betaYAtApertureM,
    },
  };
}

export function fillOf(cfg: TopupConfig): FillPattern {
  return 'filledBuckets' in cfg.fill ? { filledBuckets: cfg.fill.filledBuckets } : { weights: cfg.fill.weights };
}

export function injectorOf(cfg: TopupConfig): InjectorParams {
  const i = cfg.injector;
  return {
    linacMaxRepetitionHz: i.linacMaxRepetitionHz,
    topupShotRateHz: i.topupShotRateHz,
    refillShotRateHz: i.refillShotRateHz,
    chargePerShotC: i.chargePerShotNC * 1e-9,
    chargeJitterRel: i.chargeJitter,
    efficiency: i.efficiency,
    efficiencyJitter: i.efficiencyJitter,
    storedLossPerShot: i.storedLossPerShot,
  };
}

/** The top-up simulation inputs of a configuration and a loss-rate model. */
export function topupParamsOf(cfg: TopupConfig, ring: RingBeam, lossRate: LossRateModel): TopupParams {
  const target = cfg.targetCurrentMA * 1e-3;
  return {
    durationS: cfg.hours * 3600,
    resolutionS: cfg.resolutionS,
    seed: cfg.seed,
    targetCurrentA: target,
    trigger:
      cfg.trigger.mode === 'threshold'
        ? { mode: 'threshold', thresholdA: target - cfg.trigger.belowTargetMA * 1e-3 }
        : { mode: 'interval', intervalS: cfg.trigger.intervalS },
    revolutionS: ring.circumferenceM / C_LIGHT,
    lossRate,
    injector: injectorOf(cfg),
    faults: {
      enabled: cfg.faults.enabled,
      mtbfS: cfg.faults.mtbfH * 3600,
      recoveryMinS: cfg.faults.recoveryMinMin * 60,
      recoveryMeanExtraS: cfg.faults.recoveryMeanExtraMin * 60,
    },
    availabilityThreshold: cfg.availabilityThreshold,
    record: true,
  };
}

/**
 * The checks that need the physics: the target current must be one the injector can hold against
 * the beam losses. `doc` (optional) names the YAML line; `basePath` is where the section sits.
 */
export function checkReachable(
  cfg: TopupConfig, ring: RingBeam, lossRate: LossRateModel, doc?: YamlDoc, basePath: (string | number)[] = ['topup'],
): void {
  const inj = injectorOf(cfg);
  const T0 = ring.circumferenceM / C_LIGHT;
  const maxA = maxSustainableCurrentA(inj, lossRate.aPerS, lossRate.bPerSA, T0);
  if (cfg.targetCurrentMA * 1e-3 > maxA) {
    const msg =
      `${cfg.targetCurrentMA} mA is above what the injector can hold: at most ${(maxA * 1e3).toFixed(1)} mA with ` +
      `${inj.chargePerShotC * 1e9} nC per shot × efficiency ${inj.efficiency} × ${inj.topupShotRateHz} Hz against the beam losses ` +
      `(lifetime ${(1 / (lossRate.aPerS + lossRate.bPerSA * cfg.targetCurrentMA * 1e-3) / 3600).toFixed(2)} h at the target)`;
    if (doc) throw doc.error([...basePath, 'targetCurrentMA'], msg);
    throw new Error(`targetCurrentMA: ${msg}`);
  }
}

export { lossRateModel };
