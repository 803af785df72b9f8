/**
 * `nanoterasu track`: tracks a bunch for some turns on worker threads and prints where particles
 * were lost and the final beam moments (or everything as JSON with --json).
 *
 *   npx nanoterasu track --particles N --turns T [--workers W] [--seed S] [--radiation] [--quantum]
 *     [--json] [--input FILE.json] [--mode 4d|6d] [--slices K] [--lattice FILE] [--chamber-radius M]
 *
 * Without --input the bunch is a seeded Gaussian matched to the optics at the first element
 * (sim/tracking/beam.ts says where its numbers come from). The result is reproducible from the
 * seed and identical for any --workers.
 *
 * JSON keys (stable): lattice, mode, radiation, quantum, slices, seed, workers, turns,
 * particleCount, particles (final [x, px, y, py, δ, cτ] in input order; null when lost),
 * lost [{index, turn, element, elementIndex}], survivors, interrupted, turnsDone (only when
 * interrupted), beam (the default bunch's parameters, when generated), wallS.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { loadLattice } from '../../lattice/formats/index.ts';
import type { Lattice } from '../../lattice/lattice.ts';
import { nanoterasuRing } from '../../lattice/nanoterasu.ts';
import { trackShardInputs, trackShardPayload } from '../cluster/track.ts';
import { shardRange, shardRequest, shardWrittenLine, SHARD_HELP, writeShard } from '../cluster/shard.ts';
import { trackParallel } from '../parallel/pool.ts';
import { beamAtStart } from '../tracking/beam.ts';
import { gaussianBunch, type BeamParameters } from '../tracking/bunch.ts';
import { compileLattice, elementLabel, rfFrequencyMismatch } from '../tracking/compile.ts';
import { UserError } from './main.ts';

interface Options {
  particles?: string;
  turns: string;
  workers?: string;
  seed: string;
  radiation?: boolean;
  quantum?: boolean;
  json?: boolean;
  input?: string;
  mode: string;
  slices?: string;
  lattice?: string;
  format?: string;
  chamberRadius?: string;
  exactDrift?: boolean;
  rfFromHarmonic?: boolean;
  progress: boolean;
  shard?: string;
  out?: string;
}

export function intOption(v: string | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isSafeInteger(x) || x < min) throw new UserError(`--${name} must be a whole number ≥ ${min} (got '${v}')`);
  return x;
}

export function numberOption(v: string | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || x < min) throw new UserError(`--${name} must be a number ≥ ${min} (got '${v}')`);
  return x;
}

/** The lattice of --lattice FILE [--format F], or the built-in ring. */
export function latticeOption(opts: { lattice?: string; format?: string }): { lattice: Lattice; warnings: string[] } {
  if (opts.format && !opts.lattice) throw new UserError('--format needs --lattice FILE');
  return opts.lattice
    ? loadLattice(opts.lattice, opts.format ? { format: opts.format } : {})
    : { lattice: nanoterasuRing(), warnings: [] };
}

/** Reads particles from JSON: a list of [x, px, y, py, δ, cτ] or {"particles": [...]}. */
export function readParticles(file: string): Float64Array {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file}: cannot read particles (${(err as Error).message})`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { particles?: unknown })?.particles;
  if (!Array.isArray(list) || list.length === 0) {
    throw new UserError(`${file}: expected a non-empty list of [x, px, y, py, delta, ct] (or {"particles": [...]})`);
  }
  const r = new Float64Array(6 * list.length);
  list.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 6 || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new UserError(`${file}: particle ${i} must be 6 finite numbers [x, px, y, py, delta, ct] (got ${JSON.stringify(p)})`);
    }
    r.set(p as number[], 6 * i);
  });
  return r;
}

export function register(program: Command): void {
  program
    .command('track')
    .description('track a bunch for some turns (6D symplectic, pyAT pass methods) on worker threads')
    .option('--particles <n>', 'number of particles of the default Gaussian bunch (default 100)')
    .option('--turns <n>', 'number of turns', '100')
    .option('--workers <n>', 'worker threads (default: number of CPUs)')
    .option('--seed <n>', 'seed of every random number (bunch, quantum excitation)', '1')
    .option('--radiation', 'classical radiation damping in bends and quadrupoles')
    .option('--quantum', 'quantum excitation in bends and quadrupoles (seeded)')
    .option('--mode <m>', '6d (RF on) or 4d (cavities off, δ constant)', '6d')
    .option('--slices <k>', 'integrator slices for every thick element (default: each element\'s nSteps, else 10)')
    .option('--input <file>', 'initial particles (JSON list of [x, px, y, py, delta, ct])')
    .option('--lattice <file>', 'lattice file (default: the built-in NanoTerasu ring)')
    .option('--format <name>', 'lattice file format when the extension does not say')
    .option('--chamber-radius <m>', 'default round vacuum chamber radius [m] checked after every element')
    .option('--rf-from-harmonic', 'set the RF frequency to harmonic × c / circumference (default: the cavities\' own frequency, as pyAT)')
    .option('--exact-drift', 'exact (square-root) drifts instead of pyAT\'s paraxial ones')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--json', 'print JSON instead of a table')
    .option('--shard <i/N>', SHARD_HELP.shard)
    .option('--out <dir>', SHARD_HELP.out)
    .addHelpText('after', '\nExamples:\n  npx nanoterasu track --particles 1000 --turns 1000 --radiation --quantum --seed 7\n  npx nanoterasu track --input particles.json --turns 100 --mode 4d --json\n')
    .action(async (opts: Options) => {
      const shard = shardRequest(opts);
      const turns = intOption(opts.turns, 'turns', 0)!;
      const seed = intOption(opts.seed, 'seed', 0)!;
      if (opts.mode !== '4d' && opts.mode !== '6d') throw new UserError(`--mode must be 4d or 6d (got '${opts.mode}')`);
      const mode = opts.mode;
      if (opts.input && opts.particles) throw new UserError('give either --input FILE or --particles N, not both');
      const slices = intOption(opts.slices, 'slices', 1);
      const chamber = numberOption(opts.chamberRadius, 'chamber-radius', 0);
      const { lattice, warnings } = latticeOption(opts);
      const radiation = Boolean(opts.radiation);
      const quantum = Boolean(opts.quantum);
      if ((radiation || quantum) && mode === '4d') {
        process.stderr.write('nanoterasu: warning: radiation without RF (--mode 4d): the beam loses energy every turn\n');
      }
      const prog = compileLattice(lattice, {
        mode, radiation, quantum,
        ...(slices !== undefined ? { slices } : {}),
        ...(chamber !== undefined ? { chamberRadiusM: chamber } : {}),
        exactDrift: Boolean(opts.exactDrift),
        rfFromHarmonic: Boolean(opts.rfFromHarmonic),
      });
      const mismatch = rfFrequencyMismatch(prog);
      if (Math.abs(mismatch) > 1e-9) {
        warnings.push(
          `RF frequency differs from harmonic × c / circumference by ${mismatch.toExponential(2)} (relative): the beam settles off momentum (δ ≈ −Δf/(f α_c)); --rf-from-harmonic makes them agree`,
        );
      }
      for (const w of warnings) process.stderr.write(`nanoterasu: warning: ${w}\n`);
      let coords: Float64Array;
      let beam: BeamParameters | undefined;
      if (opts.input) {
        coords = readParticles(opts.input);
      } else {
        const n = intOption(opts.particles ?? '100', 'particles', 1)!;
        try {
          beam = beamAtStart(lattice, { radiation, mode });
        } catch (err) {
          throw new UserError(`cannot build the default bunch for lattice '${lattice.name}': ${(err as Error).message} (give --input FILE)`);
        }
        coords = gaussianBunch(n, beam, seed);
      }
      if (shard) {
        // particles [first, first + count) of the bunch, on their own random streams (sim/cluster)
        const range = shardRange(coords.length / 6, shard.spec);
        const inputs = trackShardInputs(lattice, coords, { turns, seed, mode, radiation, quantum, slices: slices ?? null, chamberRadiusM: chamber ?? null, exactDrift: Boolean(opts.exactDrift), rfFromHarmonic: Boolean(opts.rfFromHarmonic) });
        const part = coords.slice(6 * range.first, 6 * (range.first + range.count));
        const w = Math.min(intOption(opts.workers, 'workers', 1) ?? availableParallelism(), range.count);
        const res = await trackParallel(prog, part, { turns, workers: w, seed, progress: opts.progress, particleOffset: range.first });
        if (res.interrupted) throw new UserError(`shard ${shard.spec.index}/${shard.spec.count} interrupted: not written`);
        const file = writeShard('track', shard, range, inputs, trackShardPayload(prog, res, range.first, { beam, warnings }));
        process.stdout.write(shardWrittenLine(shard, range, 'particles', file) + '\n');
        return;
      }
      const n = coords.length / 6;
      const workers = Math.min(intOption(opts.workers, 'workers', 1) ?? availableParallelism(), n);
      const res = await trackParallel(prog, coords, { turns, workers, seed, progress: opts.progress });

      const lost: Array<{ index: number; turn: number; element: string; elementIndex: number }> = [];
      for (let p = 0; p < n; p++) {
        if (res.lossTurn[p] >= 0) {
          lost.push({ index: p, turn: res.lossTurn[p], element: elementLabel(prog, res.lossElement[p]), elementIndex: res.lossElement[p] });
        }
      }
      if (opts.json) {
        const particles = [];
        for (let p = 0; p < n; p++) {
          particles.push(res.lossTurn[p] >= 0 ? null : Array.from(res.coords.subarray(6 * p, 6 * p + 6)));
        }
        const out = {
          lattice: lattice.name, mode, radiation, quantum, slices: slices ?? null,
          seed, workers: res.workers, turns, particleCount: n, particles, lost, survivors: n - lost.length,
          interrupted: res.interrupted,
          ...(res.interrupted ? { turnsDone: Array.from(res.turnsDone) } : {}),
          ...(beam ? { beam } : {}),
          warnings,
          wallS: res.wallS,
        };
        process.stdout.write(JSON.stringify(out) + '\n');
        return;
      }
      process.stdout.write(formatTable(lattice.name, res, lost, n, beam, { mode, radiation, quantum, seed }));
    });
}

export function formatTable(
  name: string,
  res: Awaited<ReturnType<typeof trackParallel>>,
  lost: Array<{ index: number; turn: number; element: string }>,
  n: number,
  beam: BeamParameters | undefined,
  run: { mode: string; radiation: boolean; quantum: boolean; seed: number },
): string {
  const lines: string[] = [];
  lines.push(`lattice ${name}: ${n} particles, ${res.turns} turns, mode ${run.mode}${run.radiation ? ', radiation' : ''}${run.quantum ? ', quantum excitation' : ''}`);
  lines.push(`seed ${run.seed}, ${res.workers} worker(s), ${res.wallS.toFixed(2)} s${res.interrupted ? ' — INTERRUPTED (partial results)' : ''}`);
  if (beam) lines.push(`bunch: ${beam.source}`);
  lines.push(`survivors ${n - lost.length} / ${n}`);
  // moments of the survivors
  const names = ['x [m]', 'px', 'y [m]', 'py', 'delta', 'ct [m]'];
  const mean = new Float64Array(6);
  const sq = new Float64Array(6);
  let alive = 0;
  for (let p = 0; p < n; p++) {
    if (res.lossTurn[p] >= 0) continue;
    alive++;
    for (let k = 0; k < 6; k++) mean[k] += res.coords[6 * p + k];
  }
  if (alive > 0) {
    for (let k = 0; k < 6; k++) mean[k] /= alive;
    for (let p = 0; p < n; p++) {
      if (res.lossTurn[p] >= 0) continue;
      for (let k = 0; k < 6; k++) sq[k] += (res.coords[6 * p + k] - mean[k]) ** 2;
    }
    lines.push('', 'coordinate      mean          rms');
    for (let k = 0; k < 6; k++) {
      lines.push(`${names[k].padEnd(10)} ${mean[k].toExponential(4).padStart(12)} ${Math.sqrt(sq[k] / alive).toExponential(4).padStart(12)}`);
    }
  }
  if (lost.length > 0) {
    lines.push('', 'lost: particle  turn  element');
    for (const l of lost.slice(0, 20)) lines.push(`      ${String(l.index).padStart(8)} ${String(l.turn).padStart(5)}  ${l.element}`);
    if (lost.length > 20) lines.push(`      … and ${lost.length - 20} more (--json lists all)`);
  }
  return lines.join('\n') + '\n';
}
