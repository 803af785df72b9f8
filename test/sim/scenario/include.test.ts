// `section: { include: file.yaml }` takes that file's section; errors name the included file and line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../sim/scenario/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'nanoterasu-include-'));
const write = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };

describe('scenario includes', () => {
  it('reads the section from the included file', () => {
    write('opt.yaml', 'optics:\n  model: integrator\n');
    const f = write('main.yaml', 'lattice:\n  builtin: nanoterasu\noptics: { include: opt.yaml }\n');
    const sc = loadScenario(f);
    expect(sc.config.optics).toMatchObject({ model: 'integrator' });
    expect(sc.includedDocs.optics.file).toBe(join(dir, 'opt.yaml'));
  });

  it('an error inside the included section names that file and its line', () => {
    write('bad.yaml', '# comment\noptics:\n  model: tracking\n');
    const f = write('main2.yaml', 'lattice:\n  builtin: nanoterasu\noptics: { include: bad.yaml }\n');
    expect(() => loadScenario(f)).toThrow(new RegExp(`bad\\.yaml:3: optics\\.model: must be one of "exact", "integrator"`));
  });

  it('an included file without the section is an error at the include line', () => {
    write('empty.yaml', 'capacity: {}\n');
    const f = write('main3.yaml', 'lattice:\n  builtin: nanoterasu\noptics: { include: empty.yaml }\n');
    expect(() => loadScenario(f)).toThrow(/main3\.yaml:3: optics\.include: empty\.yaml has no 'optics' section/);
  });
});
