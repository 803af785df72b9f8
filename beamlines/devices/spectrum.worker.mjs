// Worker thread of the numerical spectrum (piscina). Node 20 cannot load TypeScript by itself, so
// the worker registers tsx's loader and then imports the TypeScript kernel.
import { register } from 'tsx/esm/api';

register();
const { runKernel } = await import('./spectrum-kernel.ts');

export default function spectrumChunk(task) {
  return runKernel(task);
}
