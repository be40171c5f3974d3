/**
 * mulberry32: a tiny seeded PRNG (32-bit state), the generator of `../shared/tools/fault-proxy.mjs`; for
 * reproducible test inputs and kill times. Not for anything secret.
 */

/**
 * A generator of floats in [0, 1) from `seed` (taken as an unsigned 32-bit integer); the same seed gives
 * the same sequence.
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
