/**
 * `nanoterasu match` problem files: validation errors name the line; a valid file runs and meets
 * its targets; `nanoterasu optics --json` carries the documented keys.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { readProblem, register as registerMatch } from '../../../sim/cli/match.ts';
import { register as registerOptics } from '../../../sim/cli/optics.ts';
import { parseYaml } from '../../../sim/scenario/yaml.ts';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/reference');

async function run(register: (p: Command) => void, args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  try {
    await program.parseAsync(['node', 'nanoterasu', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('match problem files', () => {
  it('errors name the line and the path', () => {
    const text = ['variables:', '  - family: QF8*', 'targets:', '  - tune: x', '    value: 76.2', '  - beta: x', '    value: 3', ''].join('\n');
    expect(() => readProblem(parseYaml(text, 'p.yaml'))).toThrow(/^p\.yaml:6: targets\.1\.at: 'at' \(the element of this beta target\) must be a non-empty string$/);
    const bad = ['variables:', '  - family: QF8*', '    feild: k1', 'targets:', '  - tune: x', '    value: 76.2', ''].join('\n');
    expect(() => readProblem(parseYaml(bad, 'q.yaml'))).toThrow(/^q\.yaml:3: variables\.0\.feild: unknown key/);
  });

  it('a problem file on the EBS ring runs and meets its tune targets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'match-'));
    const file = join(dir, 'p.yaml');
    writeFileSync(file, [
      `lattice: ${join(FIX, 'ebs_hmba.json')}`, 'format: ring-lattice-json',
      'variables:', '  - family: QF8*', '  - family: QD5*',
      'targets:', '  - tune: x', '    value: 76.22', '  - tune: y', '    value: 27.33', '',
    ].join('\n'));
    const out = JSON.parse(await run(registerMatch, ['match', file, '--json']));
    expect(out.missed).toEqual([]);
    expect(Math.abs(out.targets[0].achieved - 76.22)).toBeLessThan(1e-9);
    expect(Math.abs(out.targets[1].achieved - 27.33)).toBeLessThan(1e-9);
  });
});

describe('nanoterasu optics --json', () => {
  it('prints the documented keys, and --twiss writes a CSV of every element', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'optics-'));
    const csv = join(dir, 't.csv');
    const out = JSON.parse(await run(registerOptics, ['optics', '--lattice', join(FIX, 'ebs_hmba.json'), '--format', 'ring-lattice-json', '--json', '--twiss', csv]));
    for (const k of ['energyEV', 'circumferenceM', 'tunes', 'chromaticity', 'naturalChromaticity', 'momentumCompaction',
      'radiationIntegrals', 'energyLossPerTurnEV', 'emittanceM', 'energySpread', 'dampingPartition', 'dampingTimesS', 'rf', 'twiss']) {
      expect(out).toHaveProperty(k);
    }
    expect(Object.keys(out.radiationIntegrals)).toEqual(['I1', 'I2', 'I3', 'I4', 'I5']);
    for (const k of ['synchronousPhaseRad', 'synchrotronTune', 'bunchLengthM', 'energyAcceptance']) expect(out.rf).toHaveProperty(k);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('name,s,betaX,betaY,alphaX,alphaY,etaX,etaPX,muX,muY');
    expect(lines.length - 1).toBe(32 * 121 + 1);
    expect(out.twiss.s.length).toBe(32 * 121 + 1);
    const last = lines[lines.length - 1].split(',');
    expect(Math.abs(Number(last[1]) - out.circumferenceM)).toBeLessThan(1e-6);
    expect(Math.abs(Number(last[8]) / (2 * Math.PI) - out.tunes[0])).toBeLessThan(1e-9);
  });
});
