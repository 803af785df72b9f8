/**
 * Random streams for the capacity Monte Carlo.
 *
 * One stream per simulated facility-year, keyed by (seed, yearIndex) and never by worker, so a
 * result does not depend on how years were split over threads. The generator is sfc32
 * (Chris Doty-Humphrey's "small fast counting" generator, PractRand suite): four 32-bit words of
 * state, period ≥ 2^32, passes PractRand to many TB. Seeding goes through splitmix32-style mixing
 * (a murmur3 finaliser) so neighbouring keys give unrelated streams.
 *
 * The state lives in a caller-owned Uint32Array(4) so drawing allocates nothing.
 */

/** murmur3 fmix32: a bijective avalanche of a 32-bit word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Seed `state` (Uint32Array(4)) for stream `key` of `seed`; both are non-negative integers < 2^53. */
export function seedStream(state: Uint32Array, seed: number, key: number): void {
  const sLo = seed >>> 0, sHi = Math.floor(seed / 4294967296) >>> 0;
  const kLo = key >>> 0, kHi = Math.floor(key / 4294967296) >>> 0;
  let x = fmix32(sLo ^ 0x9e3779b9);
  x = fmix32(x ^ sHi ^ 0x7f4a7c15);
  x = fmix32(x ^ kLo ^ 0x85ebca6b);
  x = fmix32(x ^ kHi ^ 0xc2b2ae35);
  state[0] = fmix32(x + 0x9e3779b9);
  state[1] = fmix32(x + 0x3c6ef372);
  state[2] = fmix32(x + 0xdaa66d2b);
  state[3] = 1;
  for (let i = 0; i < 12; i++) nextU32(state); // warm up, as sfc32's author recommends
}

/** Next 32-bit unsigned integer of the stream. */
export function nextU32(s: Uint32Array): number {
  const a = s[0], b = s[1], c = s[2], d = s[3];
  const t = (((a + b) | 0) + d) | 0;
  s[3] = (d + 1) | 0;
  s[0] = b ^ (b >>> 9);
  s[1] = (c + (c << 3)) | 0;
  s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
  return t >>> 0;
}

/** Uniform double in [0, 1) with 32 bits of resolution. */
export function uniform(s: Uint32Array): number {
  return nextU32(s) * 2.3283064365386963e-10;
}

/** Uniform integer in [lo, hi] (inclusive). */
export function uniformInt(s: Uint32Array, lo: number, hi: number): number {
  return lo + Math.floor(uniform(s) * (hi - lo + 1));
}

/** Exponential variate with the given mean. */
export function exponential(s: Uint32Array, mean: number): number {
  return -mean * Math.log(1 - uniform(s));
}

const LOG_FACT = new Float64Array(64);
for (let k = 1; k < 64; k++) LOG_FACT[k] = LOG_FACT[k - 1] + Math.log(k);
function logFactorial(k: number): number {
  if (k < 64) return LOG_FACT[k];
  // Stirling series, error < 1e-10 for k ≥ 64
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.9189385332046728 + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/**
 * Poisson variate. Small means: Knuth's product of uniforms. Means ≥ 10: PTRS, the transformed
 * rejection method with squeeze of W. Hörmann, "The transformed rejection method for generating
 * Poisson random variables", Insurance: Mathematics and Economics 12 (1993) 39–45 (algorithm PTRS).
 */
export function poisson(s: Uint32Array, mean: number): number {
  if (mean <= 0) return 0;
  if (mean < 10) {
    const L = Math.exp(-mean);
    let k = 0, p = uniform(s);
    while (p > L) { k++; p *= uniform(s); }
    return k;
  }
  const slam = Math.sqrt(mean), loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = uniform(s) - 0.5;
    const V = uniform(s);
    const us = 0.5 - Math.abs(U);
    const k = Math.floor((2 * a / us + b) * U + mean + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - logFactorial(k)) return k;
  }
}
