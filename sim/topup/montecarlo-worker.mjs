// Piscina worker of the top-up Monte Carlo. Node 20 cannot load TypeScript in a worker by itself, so
// this plain-JS module registers tsx's ESM loader and then imports the TypeScript task.
import { register } from 'tsx/esm/api';

register();
const { runDays } = await import('./montecarlo-task.ts');

export default function run(task) {
  return runDays(task);
}
