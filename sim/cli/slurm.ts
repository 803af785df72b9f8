/**
 * `nanoterasu slurm`: runs a study as a Slurm job array of shards plus a merge job (sim/cluster).
 *
 *   npx nanoterasu slurm <study> [study options…] --shards N [--out DIR] [--submit]
 *       [--cpus-per-task C] [--mem 2G] [--time 01:00:00] [--partition P] [--account A] [--setup CMD…]
 *   npx nanoterasu slurm --resubmit DIR     resubmit only the missing/corrupt shards (+ a new merge job)
 *   npx nanoterasu slurm --status DIR       shards present, squeue/sacct state of the jobs
 *
 * Without --submit it writes DIR/job.sh, DIR/merge.sh and DIR/slurm.json and prints how to submit.
 */
import type { Command } from 'commander';
import { DEFAULT_RESOURCES, resubmitPlan, status, submit, writeJob, type SlurmResources } from '../cluster/slurm.ts';
import { describeProblems } from '../cluster/merge.ts';
import { STUDIES } from '../cluster/studies.ts';
import { UserError } from './main.ts';

interface Options {
  shards?: string; out?: string; submit?: boolean; cpusPerTask?: string; mem?: string; time?: string;
  partition?: string; account?: string; setup?: string[]; resubmit?: string; status?: string;
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError((err as Error).message);
  }
}

export function register(program: Command): void {
  program
    .command('slurm')
    .description(`run a study (${STUDIES.join(', ')}) on a Slurm cluster as a job array of shards, merged by a dependent job`)
    .argument('[study]', `the study command: ${STUDIES.join(', ')}`)
    .argument('[args...]', 'its options, as for the command itself (not --shard/--out)')
    .option('--shards <n>', 'number of shards (array tasks)')
    .option('--out <dir>', 'folder for the scripts, shard files, logs and merged result (default: slurm-<study>)')
    .option('--submit', 'submit with sbatch (otherwise only write the scripts)')
    .option('--cpus-per-task <n>', 'CPUs per shard (the study\'s --workers)', String(DEFAULT_RESOURCES.cpusPerTask))
    .option('--mem <size>', 'memory per shard (Slurm syntax)', DEFAULT_RESOURCES.mem)
    .option('--time <limit>', 'wall-time limit per shard (Slurm syntax)', DEFAULT_RESOURCES.time)
    .option('--partition <name>', 'Slurm partition')
    .option('--account <name>', 'Slurm account')
    .option('--setup <line>', 'a shell line before node in every job, e.g. "module load nodejs/20" (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--resubmit <dir>', 'resubmit only the shards of DIR that are missing or bad')
    .option('--status <dir>', 'summarise the shards and Slurm jobs of DIR')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', '\nExamples:\n  npx nanoterasu slurm da --turns 1024 --rays 37 --deltas 0,0.02,-0.02 --shards 37 --out da-run --submit\n  npx nanoterasu slurm capacity --runs 2000 --shards 20 --out cap --submit\n  npx nanoterasu slurm --status da-run\n  npx nanoterasu slurm --resubmit da-run\n')
    .action((study: string | undefined, args: string[], opts: Options) => {
      if (opts.status) {
        process.stdout.write(wrap(() => status(opts.status!)) + '\n');
        return;
      }
      if (opts.resubmit) {
        const plan = wrap(() => resubmitPlan(opts.resubmit!));
        if (plan.indices.length === 0) {
          process.stdout.write(plan.queued.size
            ? `${opts.resubmit}: nothing to resubmit; ${plan.queued.size} shard(s) still queued or running in Slurm\n`
            : `${opts.resubmit}: all ${plan.manifest.count} shards are present and complete; nothing to resubmit\n`);
          return;
        }
        for (const p of describeProblems(plan.check)) process.stdout.write(`  ${p}\n`);
        const s = wrap(() => submit(plan.manifest, plan.indices));
        process.stdout.write(`resubmitted shards ${plan.indices.join(',')} as array job ${s.arrayJobId}; merge job ${s.mergeJobId} after it\n`);
        return;
      }
      if (!study) throw new UserError('name the study: nanoterasu slurm <study> … --shards N (or --status DIR / --resubmit DIR)');
      if (!(STUDIES as readonly string[]).includes(study)) throw new UserError(`'${study}' cannot be sharded; one of: ${STUDIES.join(', ')}`);
      if (args.some((a) => a === '--shard' || a === '--out' || a.startsWith('--shard=') || a.startsWith('--out='))) {
        throw new UserError('give --shards N (and --out DIR) to slurm; it adds --shard i/N to every job');
      }
      const count = Number(opts.shards);
      if (!Number.isSafeInteger(count) || count < 1) throw new UserError(`--shards must be a whole number ≥ 1 (got '${opts.shards}')`);
      const cpus = Number(opts.cpusPerTask);
      if (!Number.isSafeInteger(cpus) || cpus < 1) throw new UserError(`--cpus-per-task must be a whole number ≥ 1 (got '${opts.cpusPerTask}')`);
      const resources: SlurmResources = {
        cpusPerTask: cpus, mem: opts.mem!, time: opts.time!,
        ...(opts.partition ? { partition: opts.partition } : {}),
        ...(opts.account ? { account: opts.account } : {}),
        ...(opts.setup?.length ? { setup: opts.setup } : {}),
      };
      const m = writeJob(study, args, count, opts.out ?? `slurm-${study}`, resources);
      process.stdout.write(`wrote ${m.dir}/job.sh (array 1-${count}) and ${m.dir}/merge.sh\n`);
      if (!opts.submit) {
        process.stdout.write(`submit: nanoterasu slurm --resubmit ${m.dir}   (or: jid=$(sbatch --parsable ${m.dir}/job.sh) && sbatch --dependency=afterok:$jid ${m.dir}/merge.sh)\n`);
        return;
      }
      const s = wrap(() => submit(m));
      process.stdout.write(`submitted array job ${s.arrayJobId} (${count} shards); merge job ${s.mergeJobId} runs after it (afterok)\nstatus: nanoterasu slurm --status ${m.dir}\n`);
    });
}
