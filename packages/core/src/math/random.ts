/**
 * A small seeded pseudo-random generator (mulberry32), so that k-means, cross-validation folds
 * and tests give the same answer on every run and machine.
 * @module
 */

/** A function returning uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * Creates a seeded generator.
 * @param seed any integer (taken modulo 2^32)
 * @returns a generator of uniform numbers in [0, 1)
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Shuffles a copy of `items` (Fisher-Yates).
 * @param items what to shuffle
 * @param random the generator
 * @returns a new array in random order
 */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * A standard normal number (Box-Muller).
 * @param random the generator
 * @returns a draw from N(0, 1)
 */
export function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
