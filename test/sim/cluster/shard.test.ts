import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, codeVersion, inputsHash, REPO_ROOT, sourceClosure } from '../../../sim/cluster/hash.ts';
import { parseShard, shardRange } from '../../../sim/cluster/shard.ts';
import { arraySpec, shellQuote } from '../../../sim/cluster/slurm.ts';
import { nanoterasuRing } from '../../../lattice/nanoterasu.ts';
import { trackParallel } from '../../../sim/parallel/pool.ts';
import { compileLattice } from '../../../sim/tracking/compile.ts';
import { beamAtStart } from '../../../sim/tracking/beam.ts';
import { gaussianBunch } from '../../../sim/tracking/bunch.ts';

describe('shards', () => {
  it('--shard i/N is 1-based and checked', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '-1/3', '1.5/3']) expect(() => parseShard(bad)).toThrow(/--shard/);
  });

  it('the N ranges are contiguous, in order, cover every item once and differ in size by at most one', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 300 }), (total, n) => {
      fc.pre(n <= total);
      let next = 0;
      const sizes: number[] = [];
      for (let i = 1; i <= n; i++) {
        const r = shardRange(total, { index: i, count: n });
        expect(r.first).toBe(next);
        expect(r.total).toBe(total);
        next = r.first + r.count;
        sizes.push(r.count);
      }
      expect(next).toBe(total);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }));
    expect(() => shardRange(3, { index: 1, count: 4 })).toThrow(/at most 3 shards/);
  });

  it('canonical JSON and the inputs hash do not depend on key order but on every value', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, 2] }, b: 1 }));
    expect(canonicalJson(new Float64Array([0.1, 2]))).toBe('[0.1,2]');
    const code = codeVersion('da');
    expect(code.sourcesHash).toMatch(/^[0-9a-f]{64}$/);
    const h = inputsHash('da', { turns: 16, seed: 1 }, code);
    expect(inputsHash('da', { seed: 1, turns: 16 }, code)).toBe(h);
    expect(inputsHash('da', { seed: 1, turns: 17 }, code)).not.toBe(h);
    expect(inputsHash('capacity', { seed: 1, turns: 16 }, code)).not.toBe(h);
    expect(inputsHash('da', { seed: 1, turns: 16 }, { ...code, sourcesHash: '0'.repeat(64) })).not.toBe(h);
  });

  it('the code version of a study covers the files it imports (and their data), not other commands', () => {
    const rel = (study: string) => sourceClosure([`sim/cli/${study}.ts`]).map((f) => f.slice(REPO_ROOT.length));
    const da = rel('da');
    for (const f of ['sim/cli/da.ts', 'sim/studies/da.ts', 'sim/parallel/pool.ts', 'sim/parallel/worker.mjs', 'sim/parallel/task.ts', 'sim/tracking/track.ts', 'lattice/nanoterasu.ts', 'sim/constants.ts']) {
      expect(da).toContain(f);
    }
    expect(da).not.toContain('sim/cli/main.ts');
    expect(da).not.toContain('sim/capacity/montecarlo.ts');
    const cap = rel('capacity');
    for (const f of ['sim/capacity/montecarlo.ts', 'sim/capacity/worker.mjs', 'sim/capacity/year.ts']) expect(cap).toContain(f);
    expect(cap).not.toContain('sim/tracking/track.ts');
    expect(codeVersion('capacity').sourcesHash).not.toBe(codeVersion('da').sourcesHash);
  });

  it('Slurm array lists and shell words', () => {
    expect(arraySpec([1, 2, 3, 5, 7, 8])).toBe('1-3,5,7-8');
    expect(arraySpec([4])).toBe('4');
    expect(shellQuote('0,0.01')).toBe('0,0.01');
    expect(shellQuote("it's a b")).toBe(`'it'\\''s a b'`);
  });

  it('a shard of a bunch with quantum excitation keeps each particle\'s random stream (particleOffset)', async () => {
    const lat = nanoterasuRing();
    const prog = compileLattice(lat, { mode: '6d', radiation: true, quantum: true });
    const bunch = gaussianBunch(8, beamAtStart(lat, { radiation: true, mode: '6d' }), 3);
    const full = await trackParallel(prog, bunch, { turns: 2, workers: 1, seed: 3 });
    const part = bunch.slice(6 * 5, 6 * 8);
    const shard = await trackParallel(prog, part, { turns: 2, workers: 1, seed: 3, particleOffset: 5 });
    // bit-identical (tolerance 0) to particles 5..7 of the whole bunch
    expect(Array.from(shard.coords)).toEqual(Array.from(full.coords.subarray(30, 48)));
    // and the offset matters: the same particles as particles 0..2 draw other numbers
    const wrong = await trackParallel(prog, part, { turns: 2, workers: 1, seed: 3 });
    expect(Array.from(wrong.coords)).not.toEqual(Array.from(full.coords.subarray(30, 48)));
  }, 60_000);
});
