// Piscina worker of the capacity Monte Carlo. Node 20 cannot load TypeScript by itself, so the
// kernel is loaded through tsx's ESM loader (as sim/cli/nanoterasu.mjs does for the CLI).
import { register } from 'tsx/esm/api';

register();
let kernel;

/** @param {import('./montecarlo.ts').ChunkTask} task */
export default async function run(task) {
  kernel ??= await import('./montecarlo.ts');
  return kernel.runChunk(task);
}
