// What the statements grouped by several sets of dimensions at once share: the key columns (every
// dimension of the sets, first seen first, as k0, k1, …) and the `GROUPING(...)` mask that tells
// which set a row of the statement belongs to.

/** Every dimension of `sets`, each once, in the order first seen. */
export function keyDimensions<D extends { name: string }>(sets: ReadonlyArray<readonly D[]>): D[] {
  const keys: D[] = [];
  for (const dimensions of sets) {
    for (const dimension of dimensions) {
      if (!keys.some((known) => known.name === dimension.name)) keys.push(dimension);
    }
  }
  return keys;
}

/**
 * `GROUPING(k0, …, kn)` of a set's rows: a bit per key, set when the set does not group by it (k0
 * highest).
 */
export function groupingMask(
  keys: ReadonlyArray<{ name: string }>,
  dimensions: ReadonlyArray<{ name: string }>,
): number {
  let mask = 0;
  for (const key of keys)
    mask = mask * 2 + (dimensions.some((dimension) => dimension.name === key.name) ? 0 : 1);
  return mask;
}

/** The SQL of that mask over key columns named `k0` … (`0` without keys). */
export function groupingMaskSql(keyCount: number): string {
  return keyCount > 0
    ? `GROUPING(${Array.from({ length: keyCount }, (_, index) => `k${index}`).join(", ")})`
    : "0";
}
