import type { CostFilters, CostRow, Dimension } from "../query/index.js";
import type { Budget } from "./budget-spec.js";
import type { PeriodBounds } from "./period-bounds.js";
import type { ScopeMatcher } from "./scope-match.js";

// How batched evaluation (batched-spend.ts) groups budgets into shared reports, and finds the budgets
// a report row belongs to.

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

/** Budgets answered by one report, grouped by every dimension any of them needs. */
export interface MemberGroup {
  members: Member[];
  groupBy: Dimension[];
}

/**
 * Which reports may be shared: budgets with the same set of dimensions. A report grouped by the union
 * of several sets would read the finest rollup any of them needs for all of them (the summary rollups
 * for a repo budget beside a model budget, rather than two one-dimension rollups far smaller), and a
 * user or metadata set would move its neighbours onto raw events; one report per set keeps every
 * budget on the smallest rollup that answers it, at the cost of a statement per set.
 */
function rollupClass(dimensions: readonly Dimension[]): string {
  return JSON.stringify([...dimensions].sort());
}

/**
 * Members grouped by the rollup class of the dimensions each needs (`needs`) and by `extra` (a time
 * zone, a window), in first-seen order; each group reports by the union of its members' dimensions.
 */
export function groupMembers(
  members: readonly Member[],
  needs: (member: Member) => readonly Dimension[],
  extra: (member: Member) => unknown[],
): MemberGroup[] {
  const groups = new Map<string, { members: Member[]; dimensions: Set<Dimension> }>();
  for (const member of members) {
    const dimensions = needs(member);
    const key = JSON.stringify([rollupClass(dimensions), ...extra(member)]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { members: [], dimensions: new Set() }));
    group.members.push(member);
    for (const dimension of dimensions) group.dimensions.add(dimension);
  }
  return [...groups.values()].map((group) => ({
    members: group.members,
    groupBy: [...group.dimensions].sort(),
  }));
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
export function unionFilters(members: readonly Member[]): CostFilters {
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

/**
 * Calls `visit` with each member a row may belong to, found by the value of the member's first scope
 * dimension (members without a scope: every row), so that a thousand budgets on a thousand repos cost
 * a lookup per row rather than a thousand checks. The caller still checks the whole scope.
 */
export function candidateFinder(
  members: readonly Member[],
): (row: CostRow, visit: (member: Member) => void) => void {
  const unscoped: Member[] = [];
  const byDimension = new Map<Dimension, Map<string | null, Member[]>>();
  for (const member of members) {
    const first = member.matcher.dimensions[0];
    if (first === undefined) {
      unscoped.push(member);
      continue;
    }
    let byValue = byDimension.get(first);
    if (!byValue) byDimension.set(first, (byValue = new Map<string | null, Member[]>()));
    for (const value of member.matcher.sets[0]!) {
      const list = byValue.get(value);
      if (list) list.push(member);
      else byValue.set(value, [member]);
    }
  }
  return (row, visit) => {
    for (const member of unscoped) visit(member);
    for (const [dimension, byValue] of byDimension) {
      const list = byValue.get((row[dimension] as string | null | undefined) ?? null);
      if (list) for (const member of list) visit(member);
    }
  };
}
