/**
 * Seeded random streams for the top-up simulation: one independent stream per (seed, stream index)
 * (the stream index is the simulated day in the Monte Carlo), so a day's result never depends on
 * which worker ran it or in which order.
 *
 * Generator: sfc32 (C. Doty-Humphrey, PractRand), 128-bit state, seeded by SplitMix32-style hashing
 * of (seed low word, seed high word, stream index) and 12 discarded outputs. Not cryptographic.
 */

/** A stream of uniform and normal numbers. */
export class Stream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = NaN;

  constructor(seed: number, index = 0) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a whole number in [0, 2^53) (got ${seed})`);
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`stream index must be a whole number ≥ 0 (got ${index})`);
    let h = 0x9e3779b9;
    const mix = (v: number) => {
      h = (h + (v >>> 0) + 0x9e3779b9) >>> 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    const ilo = index >>> 0;
    const ihi = Math.floor(index / 4294967296) >>> 0;
    this.a = mix(lo);
    this.b = mix(hi ^ 0x5bd1e995);
    this.c = mix(ilo ^ 0x27d4eb2f);
    this.d = mix(ihi ^ 0x165667b1);
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in (0, 1), 53 bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo + 0.5) / 9007199254740992;
  }

  /** Standard normal (Box–Muller, both numbers of a pair used). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const phi = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(phi);
    return r * Math.cos(phi);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(this.uniform());
  }
}
