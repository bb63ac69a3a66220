/**
 * "Did you mean …" for the CLI: the known name nearest to what was typed, by edit distance over a
 * folded spelling (case, `-` and `_` ignored, so `task_type`, `TaskType` and `task-type` are one
 * name), or undefined when nothing is close enough to be a likely typo.
 */
export function nearestName(typed: string, known: readonly string[]): string | undefined {
  const target = fold(typed);
  if (target === "") return undefined;
  // A typo changes about one character in three; further than that, a guess misleads more than it helps.
  const allowed = Math.max(1, Math.floor(target.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(target, fold(name));
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** ` (did you mean 'X'?)` when a known name is near `typed`, else an empty string: for one-line errors. */
export function didYouMean(typed: string, known: readonly string[]): string {
  const name = nearestName(typed, known);
  return name === undefined ? "" : ` (did you mean '${name}'?)`;
}

function fold(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, "");
}

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two neighbours (the
 * optimal-string-alignment form of Damerau–Levenshtein): `grian` is one edit from `grain`.
 */
export function editDistance(left: string, right: string): number {
  const rows: number[][] = [Array.from({ length: right.length + 1 }, (_, index) => index)];
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      let distance = Math.min(
        rows[row - 1]![column]! + 1,
        current[column - 1]! + 1,
        rows[row - 1]![column - 1]! + cost,
      );
      const swapped =
        row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1];
      if (swapped) distance = Math.min(distance, rows[row - 2]![column - 2]! + 1);
      current.push(distance);
    }
    rows.push(current);
  }
  return rows[left.length]![right.length]!;
}
