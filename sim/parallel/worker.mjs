// Worker thread of the tracking pool (piscina). Node 20 cannot load TypeScript in a worker by
// itself: register tsx's loader first, then import the TypeScript task (which has no Node APIs,
// so a browser Web Worker can import the same sim/parallel/task.ts).
import { register } from 'tsx/esm/api';
register();
const { runChunk } = await import('./task.ts');

export default function track(task) {
  const crash = task.crashAfterTurn !== undefined && (task.attempt ?? 0) === 0;
  return runChunk(task, crash ? (t) => { if (t >= task.crashAfterTurn) process.exit(70); } : undefined);
}
