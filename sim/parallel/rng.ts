/**
 * Counter-based random numbers: Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3", SC'11). A random word is a pure function of a 64-bit key (the
 * seed) and a 128-bit counter, so every particle owns an independent stream addressed by
 * (particle index, turn, element, draw) and a result never depends on how the particles were
 * split over worker threads, on the order in which they were tracked, or on the progress bar.
 *
 * No state, no Node APIs, no allocation per call (a module-level scratch buffer holds the output):
 * the same code runs in a browser Web Worker.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** Output of the last `philox4x32` call (4 uint32 words). */
export const philoxOut = new Uint32Array(4);

/** High 32 bits of the 64-bit product of two uint32 (exact: every partial product < 2^32). */
function mulhi32(a: number, b: number): number {
  const aH = a >>> 16;
  const aL = a & 0xffff;
  const bH = b >>> 16;
  const bL = b & 0xffff;
  const lo = aL * bL;
  const m1 = aH * bL;
  const m2 = aL * bH;
  const carry = ((lo >>> 16) + (m1 & 0xffff) + (m2 & 0xffff)) >>> 16;
  return (aH * bH + (m1 >>> 16) + (m2 >>> 16) + carry) >>> 0;
}

/**
 * Philox4x32 with 10 rounds: counter (c0..c3) and key (k0, k1), all uint32. The result is written
 * to `philoxOut`.
 */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): Uint32Array {
  c0 >>>= 0; c1 >>>= 0; c2 >>>= 0; c3 >>>= 0; k0 >>>= 0; k1 >>>= 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  philoxOut[0] = c0; philoxOut[1] = c1; philoxOut[2] = c2; philoxOut[3] = c3;
  return philoxOut;
}

const TWO_M53 = 1 / 9007199254740992; // 2^-53
const TWO_PI = 2 * Math.PI;

/** A seed as the two uint32 key words of Philox (any integer 0 ≤ seed < 2^53). */
export function seedKey(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a whole number in [0, 2^53) (got ${seed})`);
  return [seed >>> 0, Math.floor(seed / 4294967296) >>> 0];
}

/** Two uniforms in (0, 1) with 53 random bits each, from one Philox block; stored in `uniformOut`. */
export const uniformOut = new Float64Array(2);
export function uniformPair(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): Float64Array {
  const w = philox4x32(c0, c1, c2, c3, k0, k1);
  uniformOut[0] = ((w[0] >>> 5) * 67108864 + (w[1] >>> 6) + 0.5) * TWO_M53;
  uniformOut[1] = ((w[2] >>> 5) * 67108864 + (w[3] >>> 6) + 0.5) * TWO_M53;
  return uniformOut;
}

/**
 * A standard normal number for counter (c0..c3) under key (k0, k1) (Box–Muller, one of the pair).
 * Convention used by the tracking code: c0 = particle index, c1 = turn, c2 = element index in the
 * ring, c3 = draw number within the element.
 */
export function gaussian(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): number {
  const u = uniformPair(c0, c1, c2, c3, k0, k1);
  return Math.sqrt(-2 * Math.log(u[0])) * Math.cos(TWO_PI * u[1]);
}

/** Both Box–Muller normals of one Philox block (cos and sin branches), written to `gaussianOut`. */
export const gaussianOut = new Float64Array(2);
export function gaussianPair(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): Float64Array {
  const u = uniformPair(c0, c1, c2, c3, k0, k1);
  const rho = Math.sqrt(-2 * Math.log(u[0]));
  const phi = TWO_PI * u[1];
  gaussianOut[0] = rho * Math.cos(phi);
  gaussianOut[1] = rho * Math.sin(phi);
  return gaussianOut;
}
