/**
 * The electron beam at a straight of the built-in ring, read from `sim/optics`: Twiss and
 * dispersion at the straight's centre marker (LSnn / SSnn of lattice/nanoterasu.ts), the natural
 * emittance and energy spread from the radiation equilibrium. The built-in ring is the synthetic
 * 4BA reconstruction (nanoterasu.md §2.4 [M]), not the real lattice.
 *
 * The emittance is split by the coupling κ as εx = ε0/(1+κ), εy = κ ε0/(1+κ) (nanoterasu.md §1).
 */
import { nanoterasuRing } from '../../lattice/nanoterasu.ts';
import { computeOpticsDetailed } from '../../sim/optics/summary.ts';
import { beamFromTwiss, NANOTERASU, type ElectronBeam, type StraightKind } from './beam.ts';

let cached: ReturnType<typeof computeOpticsDetailed> | undefined;

export function nanoterasuBeamFromOptics(straight: StraightKind, cell: number, opts: { currentA?: number; coupling?: number } = {}): ElectronBeam {
  cached ??= computeOpticsDetailed(nanoterasuRing(), { skipNaturalChromaticity: true });
  const t = cached.twiss;
  const marker = `${straight === 'long' ? 'LS' : 'SS'}${String(cell).padStart(2, '0')}`;
  const i = t.names.indexOf(marker);
  if (i < 0) throw new Error(`no marker ${marker} in the built-in ring`);
  const kappa = opts.coupling ?? NANOTERASU.coupling;
  const eps0 = cached.summary.emittanceM;
  return beamFromTwiss(
    {
      energyEV: cached.summary.energyEV,
      currentA: opts.currentA ?? NANOTERASU.designCurrentA,
      emittanceXM: eps0 / (1 + kappa),
      emittanceYM: (kappa * eps0) / (1 + kappa),
      energySpread: cached.summary.energySpread,
    },
    { betaXM: t.betaX[i], betaYM: t.betaY[i], alphaX: t.alphaX[i], alphaY: t.alphaY[i], etaXM: t.etaX[i], etaPrimeX: t.etaPX[i], etaYM: t.etaY[i], etaPrimeY: t.etaPY[i] },
    `sim/optics on the built-in ring (synthetic 4BA, nanoterasu.md §2.4 [M]) at marker ${marker}: ` +
      `ε0 = ${(eps0 * 1e9).toFixed(4)} nm, σδ = ${cached.summary.energySpread.toExponential(3)}, coupling ${kappa * 100} %`,
  );
}
