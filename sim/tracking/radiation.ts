/**
 * Synchrotron radiation in the tracking kernels.
 *
 * Classical damping (pyAT BndMPoleSymplectic4RadPass / StrMPoleSymplectic4RadPass model, M. Sands
 * SLAC-121 eq. 4.1): at every kick of the 4th-order integrator, of weight w [m],
 *   δ −= CRAD (1+δ)² |b⊥|² (1 + h x + (x'² + y'²)/2) w,     CRAD = Cγ E0³ / (2π),
 * with x' = px/(1+δ), y' = py/(1+δ) the angles (kept fixed through the energy loss, so px, py are
 * rescaled) and |b⊥|² = |e × b|² the field perpendicular to the velocity in units of 1/(Bρ0):
 * b = (Im Σ, h + Re Σ, 0), e ∝ (x', y', 1 + h x) (pyAT B2perp). The curvature/path-length factor
 * (1 + h x + (x'² + y'²)/2) turns the slice length into the particle's path length.
 *
 * Quantum excitation (not in pyAT's pass methods, which use a separate diffusion element): a
 * Gaussian kick on δ once per integrator slice, at its central kick, with the variance of
 * incoherent photon emission (Sands, SLAC-121, eq. 5.14: d⟨δ²⟩/ds = (55/(24√3)) r_e λ̄_e γ⁵ |h|³,
 * λ̄_e = ħ/(m_e c)), written with pyAT's constants as 2 Cq γ² CRAD |h|³:
 *   ⟨Δδ²⟩ = 2 Cq γ0² CRAD (1+δ)⁴ |b⊥|³ (1 + h x + (x'² + y'²)/2) ℓ,
 * ℓ the slice length. Per turn on the design orbit: 2 Cq γ² CRAD I3. With synchrotron motion half
 * of it shows in δ, and with the damping above the equilibrium is σδ² = Cq γ² I3 / (Je I2)
 * (Sands eq. 5.17).
 * The random number is keyed by (seed, particle, turn, element, slice pair) — see integrator.ts and
 * sim/parallel/rng.ts.
 */
import { CGAMMA_M_PER_EV3, CQ_M } from '../constants.ts';

/** pyAT's CRAD = Cγ E0³ / (2π) [m] for a reference energy [eV]. */
export function cradM(energyEV: number): number {
  return (CGAMMA_M_PER_EV3 * energyEV ** 3) / (2 * Math.PI);
}

/** Quantum diffusion coefficient 2 Cq γ² CRAD [m²] (⟨Δδ²⟩ per unit |b|³ × path length). */
export function quantumDiffusionM2(energyEV: number, gamma: number): number {
  return 2 * CQ_M * gamma * gamma * cradM(energyEV);
}

/**
 * |e × b|² (pyAT B2perp): bx, by the field over Bρ0 [1/m] (by includes the curvature h), xpr, ypr
 * the angles, h the reference curvature.
 */
export function b2perp(bx: number, by: number, h: number, x: number, xpr: number, ypr: number): number {
  const ez = 1 + x * h;
  const vnorm2 = 1 / (ez * ez + xpr * xpr + ypr * ypr);
  const a = by * ez;
  const b = bx * ez;
  const c = bx * ypr - by * xpr;
  return (a * a + b * b + c * c) * vnorm2;
}
