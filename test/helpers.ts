/** Helpers shared by the test files. */
import { expect, vi } from 'vitest';
import { LatticeError } from '../lattice/elements.ts';
import { main } from '../sim/cli/main.ts';

/** Runs f and returns the LatticeError it throws (fails the test if it throws nothing or something else). */
export function latticeErrorOf(f: () => unknown): LatticeError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(LatticeError);
    return err as LatticeError;
  }
  throw new Error('expected a LatticeError');
}

/** Runs the `nanoterasu` command in this process, capturing stdout and stderr. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
  try {
    const code = await main(['node', 'nanoterasu', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
