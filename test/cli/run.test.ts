/** `nanoterasu run`, spawned as a process. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nanoterasu } from './spawn.ts';

describe('nanoterasu run', () => {
  it('runs scenarios/baseline.yaml: exit 0, prints the report, writes the bundle', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nt-cli-')), 'baseline.json');
    const r = await nanoterasu('run', 'scenarios/baseline.yaml', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Scenario baseline/);
    expect(r.stdout).toMatch(/RF\s+4 cavities, 3\.3900 MV total, h = 592, 508\.7595\d\d MHz/);
    expect(r.stdout).toContain(`results bundle: ${out}`);
    expect(existsSync(out)).toBe(true);
    const b = JSON.parse(readFileSync(out, 'utf8'));
    expect(b.scenario.name).toBe('baseline');
    expect(b.lattice.counts.sbend).toBe(64);
    expect(b.survey.points.x.length).toBe(b.survey.elements.length + 1);
  });

  it('bad scenarios exit 2 with messages naming the field and the YAML line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nt-bad-'));
    const files = {
      unknown: 'lattice:\n  builtin: nanoterasu\n  voltage: 3\n',
      type: 'lattice:\n  builtin: nanoterasu\n  rfVoltageMV: three\n',
      negative: 'name: n\n\nlattice:\n  builtin: nanoterasu\n  rfVoltageMV: -3.39\n',
    };
    for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, `${k}.yaml`), v);
    const [u, t, n] = await Promise.all(Object.keys(files).map((k) => nanoterasu('run', join(dir, `${k}.yaml`), '--out', join(dir, 'x.json'))));
    expect([u.code, t.code, n.code]).toEqual([2, 2, 2]);
    expect(u.stderr).toContain(`${join(dir, 'unknown.yaml')}:3: lattice.voltage: unknown field`);
    expect(t.stderr).toContain(`${join(dir, 'type.yaml')}:3: lattice.rfVoltageMV: must be a number (got "three")`);
    expect(n.stderr).toContain(`${join(dir, 'negative.yaml')}:5: lattice.rfVoltageMV: must be ≥ 0 (got -3.39)`);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  });
});
