import {
  queryCosts,
  type CostFilters,
  type CostRow,
  type Dimension,
  type QueryCostsOptions,
  type QueryStore,
} from "../query/index.js";
import { periodShape } from "./budget-period.js";
import type { Budget } from "./budget-spec.js";
import {
  daysAgo,
  driverDimensions,
  driverDimensionsOf,
  driverEntry,
  emptySpend,
  perValueOf,
  spendEntry,
  type BudgetSpend,
} from "./budget-spend.js";
import { forecastDays, type PeriodBounds } from "./period-bounds.js";
import { compileScope, rowInScope, type ScopeMatcher } from "./scope-match.js";
import { toPico } from "./usd.js";

/** A budget as the batch sees it. */
interface Member {
  index: number;
  budget: Budget;
  bounds: PeriodBounds;
  matcher: ScopeMatcher;
  calendar: boolean;
  /** Where its daily rows start: the period's start or the forecast's first day, whichever is first. */
  dailyFrom: Date;
}

/** Budgets answered by one grouped statement, and what to do with each row. */
interface Batch {
  members: Member[];
  options: QueryCostsOptions;
  take: (member: Member, row: CostRow, cost: bigint) => void;
}

/** More values than a report filter takes (cost-filters.ts): such a dimension is filtered in memory only. */
const maxFilterValues = 10_000;
/** Statements in flight at once: enough to overlap round trips, few enough to leave the pool to others. */
const concurrency = 3;

/**
 * The spend of every budget at `at`, in a few grouped statements instead of one to three per budget.
 * Budgets whose scopes name the same dimensions (with the same `per` and time zone) share one daily
 * report grouped by those dimensions and filtered to the union of their values; each row is then
 * credited in memory to the budgets whose scope holds it. Rolling windows add one report per window
 * length, and the forecast's drivers one per group. `queryCosts` picks the rollups for each
 * statement as it would for one budget, so the figures are those of the per-budget reports, exactly.
 */
export async function readBudgetSpends(
  store: QueryStore,
  budgets: readonly Budget[],
  bounds: readonly PeriodBounds[],
  at: Date,
  options: { drivers?: boolean | undefined } = {},
): Promise<BudgetSpend[]> {
  const members = budgets.map((budget, index): Member => {
    const own = bounds[index]!;
    const calendar = periodShape(budget.period).kind === "calendar";
    const periodFirst = calendar && own.start < own.forecastFrom;
    return {
      index,
      budget,
      bounds: own,
      matcher: compileScope(budget.scope),
      calendar,
      dailyFrom: periodFirst ? own.start : own.forecastFrom,
    };
  });
  const spends = budgets.map(emptySpend);
  // The guard needs spend only: without drivers, no driver reports.
  if (options.drivers === false) for (const spend of spends) spend.drivers = undefined;
  const batches = [
    ...dailyBatches(members, spends, at),
    ...windowBatches(members, spends, at),
    ...driverBatches(members, spends),
  ];
  await runAll(
    batches.map((batch) => () => runBatch(store, batch)),
    concurrency,
  );
  return spends;
}

/** One daily report per (time zone, `per`, scope dimensions): a calendar period's spend and the forecast's days. */
function dailyBatches(members: Member[], spends: BudgetSpend[], at: Date): Batch[] {
  return groupMembers(members, (member) => [member.budget.timeZone, member.budget.per]).map((group) => ({
    members: group,
    options: {
      from: earliest(group.map((member) => member.dailyFrom)),
      to: at,
      groupBy: unique([
        ...group[0]!.matcher.dimensions,
        ...(group[0]!.budget.per ? [group[0]!.budget.per] : []),
      ]),
      grain: "day",
      timeZone: group[0]!.budget.timeZone,
      filters: unionFilters(group),
    },
    take(member, row, cost) {
      const dayStart = new Date(row.period!).getTime();
      // The group reads from its earliest budget's first day; local midnights of one zone align.
      if (dayStart < member.dailyFrom.getTime()) return;
      const spend = spendEntry(spends[member.index]!, perValueOf(member.budget, row));
      if (member.calendar && dayStart >= member.bounds.start.getTime()) spend.spent += cost;
      const ago = daysAgo(member.bounds.todayStart, dayStart);
      if (ago >= 1 && ago <= forecastDays) spend.days[ago - 1]! += cost;
    },
  }));
}

/** One report per rolling window (its start, `per` and scope dimensions): the window's spend. */
function windowBatches(members: Member[], spends: BudgetSpend[], at: Date): Batch[] {
  const rolling = members.filter((member) => !member.calendar);
  return groupMembers(rolling, (member) => [member.bounds.start.toISOString(), member.budget.per]).map(
    (group) => ({
      members: group,
      options: {
        from: group[0]!.bounds.start,
        to: at,
        groupBy: unique([
          ...group[0]!.matcher.dimensions,
          ...(group[0]!.budget.per ? [group[0]!.budget.per] : []),
        ]),
        filters: unionFilters(group),
      },
      take(member, row, cost) {
        spendEntry(spends[member.index]!, perValueOf(member.budget, row)).spent += cost;
      },
    }),
  );
}

/** One report per (time zone, scope dimensions): daily spend by model and repo over the forecast's days. */
function driverBatches(members: Member[], spends: BudgetSpend[]): Batch[] {
  const open = members.filter((member) => spends[member.index]!.drivers !== undefined);
  const dimensionsOf = new Map(open.map((member) => [member, driverDimensionsOf(member.budget)]));
  return groupMembers(open, (member) => [
    member.budget.timeZone,
    member.bounds.forecastFrom.toISOString(),
    member.bounds.todayStart.toISOString(),
  ]).map((group) => ({
    members: group,
    options: {
      from: group[0]!.bounds.forecastFrom,
      to: group[0]!.bounds.todayStart,
      groupBy: unique([...driverDimensions, ...group[0]!.matcher.dimensions]),
      grain: "day",
      timeZone: group[0]!.budget.timeZone,
      filters: unionFilters(group),
    },
    take(member, row, cost) {
      const ago = daysAgo(member.bounds.todayStart, new Date(row.period!).getTime());
      if (ago < 1 || ago > forecastDays) return;
      const drivers = spends[member.index]!.drivers!;
      for (const dimension of dimensionsOf.get(member)!) {
        const value = (row[dimension] as string | null | undefined) ?? null;
        driverEntry(drivers, dimension, value).days[ago - 1]! += cost;
      }
    },
  }));
}

async function runBatch(store: QueryStore, batch: Batch): Promise<void> {
  const report = await queryCosts(store, batch.options);
  const candidates = memberIndex(batch.members);
  for (const row of report.rows) {
    const cost = toPico(row.costUsd);
    for (const member of candidates(row)) {
      if (rowInScope(member.matcher, row)) batch.take(member, row, cost);
    }
  }
}

/**
 * The members a row may belong to, found by the value of the group's first scope dimension, so that
 * a thousand budgets on a thousand repos cost one lookup per row rather than a thousand checks.
 */
function memberIndex(members: readonly Member[]): (row: CostRow) => readonly Member[] {
  const first = members[0]?.matcher.dimensions[0];
  if (first === undefined) return () => members;
  const byValue = new Map<string | null, Member[]>();
  for (const member of members) {
    for (const value of member.matcher.sets[0]!) {
      const list = byValue.get(value);
      if (list) list.push(member);
      else byValue.set(value, [member]);
    }
  }
  const none: Member[] = [];
  return (row) => byValue.get((row[first] as string | null | undefined) ?? null) ?? none;
}

/** Members grouped by their scope's dimensions plus `extra`, in first-seen order. */
function groupMembers(members: readonly Member[], extra: (member: Member) => unknown[]): Member[][] {
  const groups = new Map<string, Member[]>();
  for (const member of members) {
    const key = JSON.stringify([member.matcher.dimensions, ...extra(member)]);
    const group = groups.get(key);
    if (group) group.push(member);
    else groups.set(key, [member]);
  }
  return [...groups.values()];
}

/** Per scope dimension of a group, every value any member accepts (a superset of each member's scope). */
function unionFilters(group: readonly Member[]): CostFilters {
  const filters: Record<string, Array<string | null>> = {};
  group[0]!.matcher.dimensions.forEach((dimension, position) => {
    const values = new Set<string | null>();
    for (const member of group) for (const value of member.matcher.sets[position]!) values.add(value);
    if (values.size <= maxFilterValues) filters[dimension] = [...values];
  });
  return filters;
}

function unique(dimensions: readonly Dimension[]): Dimension[] {
  return [...new Set(dimensions)];
}

function earliest(dates: readonly Date[]): Date {
  return dates.reduce((first, date) => (date < first ? date : first));
}

/** Runs the tasks, at most `limit` at a time; the first failure rejects and starts no further task. */
async function runAll(tasks: ReadonlyArray<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    try {
      while (next < tasks.length) await tasks[next++]!();
    } catch (error) {
      next = tasks.length;
      throw error;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
