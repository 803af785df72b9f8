/**
 * Runs the \`nanoterasu\` command as a user does: a separate node process through the launcher
 * (sim/cli/nanoterasu.mjs), so exit codes, stdout/stderr and files are the real ones.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export async function nanoterasu(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['sim/cli/nanoterasu.mjs', ...args], { cwd: process.cwd() });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
