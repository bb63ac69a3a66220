import { queryCostsUsing, type CostRow, type QueryCostsOptions, type QueryStore } from "../query/index.js";
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
import { compileScope, rowInScope } from "./scope-match.js";
import { candidateFinder, groupMembers, scopeAndPer, unionFilters, type Member } from "./spend-groups.js";
import { toPico } from "./usd.js";

/** Budgets answered by one report, and what to do with each row. */
interface Batch {
  members: Member[];
  options: QueryCostsOptions;
  take: (member: Member, row: CostRow, cost: bigint) => void;
}

/** Options of `readBudgetSpends`. */
export interface BatchOptions {
  /** False: no forecast drivers (and none of their reports). */
  drivers?: boolean | undefined;
  /** `raw`: every report from raw events only (the benchmark's comparison); default the rollups where they fit. */
  source?: "auto" | "raw" | undefined;
}

/** Statements in flight at once: enough to overlap round trips, few enough to leave the pool to others. */
const concurrency = 3;

/**
 * The spend of every budget at `at`, in a few grouped statements instead of one to three per budget.
 * Budgets in one time zone whose dimensions (scope and `per`) fit the same rollups share one daily
 * report, grouped by all their dimensions and filtered to the union of the values they scope; each
 * row is then credited in memory to the budgets whose scope holds it (spend-groups.ts). Rolling
 * windows add one report per window length and class, the forecast's drivers one per time zone and
 * class. Sums of exact NUMERIC figures over finer groups are the same sums, so the answers are those
 * of one report per budget (the randomized test keeps that path as its reference).
 */
export async function readBudgetSpends(
  store: QueryStore,
  budgets: readonly Budget[],
  bounds: readonly PeriodBounds[],
  at: Date,
  options: BatchOptions = {},
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
    batches.map((batch) => () => runBatch(store, batch, options.source ?? "auto")),
    concurrency,
  );
  return spends;
}

/** One daily report per time zone and rollup class: a calendar period's spend and the forecast's days. */
function dailyBatches(members: Member[], spends: BudgetSpend[], at: Date): Batch[] {
  return groupMembers(members, scopeAndPer, (member) => [member.budget.timeZone]).map((group) => ({
    members: group.members,
    options: {
      from: earliest(group.members.map((member) => member.dailyFrom)),
      to: at,
      groupBy: group.groupBy,
      grain: "day",
      timeZone: group.members[0]!.budget.timeZone,
      filters: unionFilters(group.members),
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

/** One report per rolling window length and rollup class: the window's spend. */
function windowBatches(members: Member[], spends: BudgetSpend[], at: Date): Batch[] {
  const rolling = members.filter((member) => !member.calendar);
  return groupMembers(rolling, scopeAndPer, (member) => [member.bounds.start.toISOString()]).map((group) => ({
    members: group.members,
    options: {
      from: group.members[0]!.bounds.start,
      to: at,
      groupBy: group.groupBy,
      filters: unionFilters(group.members),
    },
    take(member, row, cost) {
      spendEntry(spends[member.index]!, perValueOf(member.budget, row)).spent += cost;
    },
  }));
}

/** One report per time zone and rollup class: daily spend by model and repo over the forecast's days. */
function driverBatches(members: Member[], spends: BudgetSpend[]): Batch[] {
  const open = members.filter((member) => spends[member.index]!.drivers !== undefined);
  const dimensionsOf = new Map(open.map((member) => [member, driverDimensionsOf(member.budget)]));
  const needs = (member: Member) => [...new Set([...driverDimensions, ...member.matcher.dimensions])];
  return groupMembers(open, needs, (member) => [
    member.budget.timeZone,
    member.bounds.forecastFrom.toISOString(),
    member.bounds.todayStart.toISOString(),
  ]).map((group) => ({
    members: group.members,
    options: {
      from: group.members[0]!.bounds.forecastFrom,
      to: group.members[0]!.bounds.todayStart,
      groupBy: group.groupBy,
      grain: "day",
      timeZone: group.members[0]!.budget.timeZone,
      filters: unionFilters(group.members),
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

async function runBatch(store: QueryStore, batch: Batch, source: "auto" | "raw"): Promise<void> {
  const report = await queryCostsUsing(store, batch.options, source);
  const candidates = candidateFinder(batch.members);
  for (const row of report.rows) {
    const cost = toPico(row.costUsd);
    candidates(row, (member) => {
      if (rowInScope(member.matcher, row)) batch.take(member, row, cost);
    });
  }
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
