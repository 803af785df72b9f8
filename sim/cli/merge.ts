/**
 * `nanoterasu merge DIR`: merges the shards a study wrote with `--shard i/N --out DIR` into the
 * result of one single-machine run (sim/cluster). Refuses, naming each file, when a shard is
 * missing, corrupt, from another split or from other inputs/code.
 *
 *   npx nanoterasu merge DIR [--json] [--check]
 *
 * Writes DIR/merged.json (the study's --json object, atomically) and prints the study's table, or
 * that JSON with --json. --check only reports the state of the shards (exit 2 if incomplete).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { summariseCheck } from '../cluster/slurm.ts';
import { checkShards, describeProblems } from '../cluster/merge.ts';
import type { ShardFile } from '../cluster/shard.ts';
import { mergeCapacity, type CapacityPayload } from '../cluster/capacity.ts';
import { mergeDA, type DAPayload } from '../cluster/da.ts';
import { mergeErrors, type ErrorsPayload } from '../cluster/errors.ts';
import { mergeMA, type MAPayload } from '../cluster/ma.ts';
import { mergeSpectrum, type SpectrumPayload } from '../cluster/spectrum.ts';
import { mergeTrack, type TrackPayload } from '../cluster/track.ts';
import { renderCapacity } from './capacity.ts';
import { formatDA } from './da.ts';
import { formatErrors } from './errors.ts';
import { formatMA } from './ma.ts';
import { formatSpectrum } from './spectrum.ts';
import { UserError } from './main.ts';
import { formatTable } from './track.ts';

export interface MergeOutput { study: string; json: unknown; text: string; jsonText: string }

/** Checks and merges DIR; throws UserError listing every problem. */
export function mergeDir(dir: string): MergeOutput {
  let c;
  try {
    c = checkShards(dir);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  if (!c.ok) throw new UserError(`cannot merge ${dir}:\n  ${describeProblems(c).join('\n  ')}`);
  const shards = c.shards.slice(1) as ShardFile[];
  switch (c.study) {
    case 'da': {
      const m = mergeDA(shards as ShardFile<DAPayload>[]);
      const jsonText = JSON.stringify(m);
      return { study: 'da', json: m, jsonText, text: formatDA(m.lattice, m.mode, m) };
    }
    case 'ma': {
      const m = mergeMA(shards as ShardFile<MAPayload>[]);
      const jsonText = JSON.stringify(m);
      return { study: 'ma', json: m, jsonText, text: formatMA(m.lattice, m) };
    }
    case 'capacity': {
      const { report, whatIf } = mergeCapacity(shards as ShardFile<CapacityPayload>[]);
      const path = String((shards[0].meta as { scenarioPath?: string })?.scenarioPath ?? '');
      const jsonText = renderCapacity(path, report, whatIf, true);
      return { study: 'capacity', json: JSON.parse(jsonText), jsonText, text: renderCapacity(path, report, whatIf, false) };
    }
    case 'track': {
      const m = mergeTrack(shards as ShardFile<TrackPayload>[]);
      const jsonText = JSON.stringify(m);
      return { study: 'track', json: m, jsonText, text: trackTable(m) };
    }
    case 'errors': {
      const m = mergeErrors(shards as ShardFile<ErrorsPayload>[]);
      const jsonText = JSON.stringify(m);
      return { study: 'errors', json: m, jsonText, text: formatErrors(m) };
    }
    case 'spectrum': {
      const m = mergeSpectrum(shards as ShardFile<SpectrumPayload>[]);
      const jsonText = JSON.stringify(m);
      return { study: 'spectrum', json: m, jsonText, text: formatSpectrum(m) };
    }
    default:
      throw new UserError(`${dir}: shards of an unknown study '${c.study}'`);
  }
}

/** The track command's table, from the merged JSON object. */
function trackTable(m: ReturnType<typeof mergeTrack>): string {
  const particles = m.particles as (number[] | null)[];
  const lost = m.lost as { index: number; turn: number; element: string; elementIndex: number }[];
  const n = particles.length;
  const coords = new Float64Array(6 * n).fill(NaN);
  particles.forEach((p, i) => { if (p) coords.set(p, 6 * i); });
  const lossTurn = new Int32Array(n).fill(-1);
  const lossElement = new Int32Array(n).fill(-1);
  for (const l of lost) { lossTurn[l.index] = l.turn; lossElement[l.index] = l.elementIndex; }
  const turns = m.turns as number;
  const res = {
    coords, lossTurn, lossElement, turnsDone: new Int32Array(n).fill(turns), turns, seed: m.seed as number,
    workers: m.workers as number, chunks: 0, interrupted: false, retries: 0, wallS: m.wallS as number, workerS: 0,
  };
  return formatTable(m.lattice as string, res, lost, n, (m.beam ?? undefined) as Parameters<typeof formatTable>[4], {
    mode: m.mode as string, radiation: m.radiation as boolean, quantum: m.quantum as boolean, seed: m.seed as number,
  });
}

export function register(program: Command): void {
  program
    .command('merge')
    .description('merge the shards of a study (--shard i/N --out DIR) into the single-machine result')
    .argument('<dir>', 'folder with shard-i-of-N.json files')
    .option('--json', 'print the merged result as JSON (as the study\'s --json)')
    .option('--check', 'only report which shards are present, missing or bad')
    .action((dir: string, opts: { json?: boolean; check?: boolean }) => {
      if (opts.check) {
        const c = checkShards(dir);
        process.stdout.write(summariseCheck(c) + '\n');
        if (!c.ok) throw new UserError(`${dir}: ${describeProblems(c).length} problem(s)`);
        return;
      }
      const out = mergeDir(dir);
      const file = join(dir, 'merged.json');
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, out.jsonText + '\n');
      renameSync(tmp, file);
      process.stdout.write(opts.json ? out.jsonText + '\n' : out.text.endsWith('\n') ? out.text : out.text + '\n');
      process.stderr.write(`nanoterasu: merged ${out.study} from ${dir} into ${file}\n`);
    });
}
