import type { CostFilters, Dimension } from "../query/index.js";
import type { Budget } from "./budget-spec.js";
import type { PeriodBounds } from "./period-bounds.js";
import type { ScopeMatcher } from "./scope-match.js";

// How batched evaluation (batched-spend.ts) groups budgets into shared grouping sets, and finds the
// budgets a report row belongs to.

/** A budget as the batch sees it. */
export interface Member {
  index: number;
  budget: Budget;
  bounds: PeriodBounds;
  matcher: ScopeMatcher;
  calendar: boolean;
  /** Where its daily rows start: the period's start or the forecast's first day, whichever is first. */
  dailyFrom: Date;
}

/** The scope dimensions and the `per` dimension of a budget. */
export function scopeAndPer(member: Member): Dimension[] {
  const { dimensions } = member.matcher;
  const per = member.budget.per;
  return per && !dimensions.includes(per) ? [...dimensions, per] : [...dimensions];
}

/** More values than a report filter takes (cost-filters.ts): such a dimension is filtered in memory only. */
const maxFilterValues = 10_000;

/**
 * The filters a shared report may apply: on a dimension every member scopes, the union of the values
 * they accept (each member's rows are a subset); the rest is filtered in memory.
 */
export function unionFilters(members: readonly ScopedTaker[]): CostFilters {
  const filters: Record<string, Array<string | null>> = {};
  for (const dimension of members[0]?.matcher.dimensions ?? []) {
    const values = new Set<string | null>();
    let everyMember = true;
    for (const member of members) {
      const position = member.matcher.dimensions.indexOf(dimension);
      if (position < 0) {
        everyMember = false;
        break;
      }
      for (const value of member.matcher.sets[position]!) values.add(value);
    }
    if (everyMember && values.size <= maxFilterValues) filters[dimension] = [...values];
  }
  return filters;
}

/** Something credited with the report rows in a budget's scope: a member's spend, or its drivers. */
interface ScopedTaker {
  matcher: ScopeMatcher;
}

/**
 * Calls `visit` with each taker a row may belong to, found by the value of the taker's first scope
 * dimension (takers without a scope: every row), so that a thousand budgets on a thousand repos cost
 * a lookup per row rather than a thousand checks. The caller still checks the whole scope.
 */
export function candidateFinder<T extends ScopedTaker>(
  takers: readonly T[],
): (keys: Readonly<Record<string, string | null>>, visit: (taker: T) => void) => void {
  const unscoped: T[] = [];
  const byDimension = new Map<Dimension, Map<string | null, T[]>>();
  for (const taker of takers) {
    const first = taker.matcher.dimensions[0];
    if (first === undefined) {
      unscoped.push(taker);
      continue;
    }
    let byValue = byDimension.get(first);
    if (!byValue) byDimension.set(first, (byValue = new Map<string | null, T[]>()));
    for (const value of taker.matcher.sets[0]!) {
      const list = byValue.get(value);
      if (list) list.push(taker);
      else byValue.set(value, [taker]);
    }
  }
  return (keys, visit) => {
    for (const taker of unscoped) visit(taker);
    for (const [dimension, byValue] of byDimension) {
      const list = byValue.get(keys[dimension] ?? null);
      if (list) for (const taker of list) visit(taker);
    }
  };
}
