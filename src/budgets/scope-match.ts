import type { Dimension } from "../query/index.js";
import type { Budget } from "./budget-spec.js";

/**
 * A budget's scope compiled for matching in memory: its dimensions (sorted: the same set however the
 * scope was written) and, per dimension, the set of values it accepts (`null`: the dimension is
 * absent). A row or a call matches when each dimension's value is in its set, as the
 * report filter `column = ANY(values) OR column IS NULL` would decide.
 */
export interface ScopeMatcher {
  dimensions: readonly Dimension[];
  sets: ReadonlyArray<ReadonlySet<string | null>>;
}

/** Compiles a budget's scope. */
export function compileScope(scope: Budget["scope"]): ScopeMatcher {
  const dimensions = (Object.keys(scope) as Dimension[])
    .filter((dimension) => scope[dimension] !== undefined)
    .sort();
  return { dimensions, sets: dimensions.map((dimension) => new Set(scope[dimension])) };
}

/** True when a report row (grouped by at least the scope's dimensions) is in the scope. */
export function rowInScope(matcher: ScopeMatcher, row: Readonly<Record<string, unknown>>): boolean {
  for (let index = 0; index < matcher.dimensions.length; index++) {
    const value = (row[matcher.dimensions[index]!] as string | null | undefined) ?? null;
    if (!matcher.sets[index]!.has(value)) return false;
  }
  return true;
}
