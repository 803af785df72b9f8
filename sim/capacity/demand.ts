/**
 * Demand from the facility's survey ([PD] 需要調査, 2022: 674 answers): wished-for days per
 * beamline, academic and industrial, against the usable days per beamline and year ("about 200").
 * The document reads this as "4 to 7 times oversubscribed on every beamline"; `surveyOversubscription`
 * is that ratio. How the survey turns into proposals and bookings in the Monte Carlo is in model.ts
 * (buildPlan): academic days → published proposals (public beamlines and shared time), industrial
 * days on public beamlines → proprietary proposals, coalition members' bookings sized by their units.
 */
import type { CapacityScenario } from './scenario.ts';

export interface SurveyRow {
  id: string;
  access: 'public' | 'coalition';
  academicDays: number;
  industrialDays: number;
  totalDays: number;
  /** total wished-for days / usable days per beamline */
  oversubscription: number;
}

export function surveyOversubscription(s: CapacityScenario): SurveyRow[] {
  return s.beamlines.map((b) => {
    const total = (b.survey.academicDays + b.survey.industrialDays) * b.demandShare;
    return {
      id: b.id, access: b.access, academicDays: b.survey.academicDays, industrialDays: b.survey.industrialDays,
      totalDays: total, oversubscription: total / s.survey.usableDaysPerBeamline,
    };
  });
}

/** Requested beam hours per year implied by the survey for one beamline (all classes). */
export function surveyHoursPerYear(s: CapacityScenario, id: string): number {
  const b = s.beamlines.find((x) => x.id === id);
  if (!b) return 0;
  return (b.survey.academicDays + b.survey.industrialDays) * b.demandShare * s.survey.hoursPerDay;
}
