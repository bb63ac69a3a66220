import type { GroupedRow, QueryStore } from "../query/index.js";
import { periodShape } from "./budget-period.js";
import type { Budget } from "./budget-spec.js";
import {
  daysAgo,
  driverDimensionsOf,
  driverEntry,
  emptySpend,
  perValueOf,
  spendEntry,
  type BudgetSpend,
} from "./budget-spend.js";
import { forecastDays, type PeriodBounds } from "./period-bounds.js";
import { buildKind, runKinds, type Kind } from "./grouped-takers.js";
import { compileScope } from "./scope-match.js";
import { scopeAndPer, type Member } from "./spend-groups.js";

/** Options of `readBudgetSpends`. */
export interface BatchOptions {
  /** False: no forecast drivers (and none of their reports). */
  drivers?: boolean | undefined;
  /** `raw`: every report from raw events only (the benchmark's comparison); default the rollups where they fit. */
  source?: "auto" | "raw" | undefined;
}

/**
 * The spend of every budget at `at`, from the reports of three kinds of period: the daily figures of
 * calendar periods and of the forecast (a report per time zone), the rolling windows (a report per
 * window start) and the forecast's drivers (a report per time zone and forecast). Each report is
 * grouped by every set of dimensions its budgets need (scope and `per`), each set filtered to the
 * union of the values its budgets scope; `queryGroupedReports` answers them all in two statements
 * once the day groups of their closed days are built (one for those, one for the rest, reading each
 * rollup once for all the sets it answers). Each row is then credited in memory to the budgets whose
 * scope holds it. Sums of exact NUMERIC figures over finer groups are the same sums, so the answers
 * are those of one report per budget (the randomized test keeps that path as its reference).
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
  const kinds = [
    dailyKind(members, spends, at),
    windowKind(members, spends, at),
    driverKind(members, spends),
  ];
  // One call for every kind's reports: the day groups answer their closed days in one statement,
  // and what is left of every report is one more.
  await runKinds(store, kinds, options.source);
  return spends;
}

/** Daily figures per time zone: a calendar period's spend and the forecast's days. */
function dailyKind(members: Member[], spends: BudgetSpend[], at: Date): Kind {
  return buildKind(
    members,
    (member) => member.budget.timeZone,
    (first, all) => ({
      from: earliest(all.map((member) => member.dailyFrom)),
      to: at,
      grain: "day",
      timeZone: first.budget.timeZone,
      wholeHours: all.every((member) => member.bounds.wholeHours),
    }),
    (member) => [
      {
        dimensions: scopeAndPer(member),
        take(row, cost) {
          const dayStart = row.periodStart!.getTime();
          // The report reads from its earliest budget's first day; local midnights of one zone align.
          if (dayStart < member.dailyFrom.getTime()) return;
          const spend = spendEntry(spends[member.index]!, perValueOf(member.budget, row.keys));
          if (member.calendar && dayStart >= member.bounds.start.getTime()) spend.spent += cost;
          const ago = daysAgo(member.bounds.todayStart, dayStart);
          if (ago >= 1 && ago <= forecastDays) spend.days[ago - 1]! += cost;
        },
      },
    ],
  );
}

/** One report per rolling window start: the window's spend. */
function windowKind(members: Member[], spends: BudgetSpend[], at: Date): Kind {
  return buildKind(
    members.filter((member) => !member.calendar),
    (member) => member.bounds.start.toISOString(),
    (first) => ({ from: first.bounds.start, to: at }),
    (member) => [
      {
        dimensions: scopeAndPer(member),
        take(row, cost) {
          spendEntry(spends[member.index]!, perValueOf(member.budget, row.keys)).spent += cost;
        },
      },
    ],
  );
}

/**
 * One report per time zone and forecast: daily spend over the forecast's days, by each driver
 * dimension the scope leaves open (its own grouping set beside the scope's dimensions, so a budget
 * open on model and repo reads two small sets rather than one by both).
 */
function driverKind(members: Member[], spends: BudgetSpend[]): Kind {
  return buildKind(
    members.filter((member) => spends[member.index]!.drivers !== undefined),
    (member) =>
      JSON.stringify([
        member.budget.timeZone,
        member.bounds.forecastFrom.toISOString(),
        member.bounds.todayStart.toISOString(),
      ]),
    (first, all) => ({
      from: first.bounds.forecastFrom,
      to: first.bounds.todayStart,
      grain: "day",
      timeZone: first.budget.timeZone,
      wholeHours: all.every((member) => member.bounds.wholeHours),
    }),
    (member) =>
      driverDimensionsOf(member.budget).map((dimension) => ({
        dimensions: [...member.matcher.dimensions, dimension],
        take(row: GroupedRow, cost: bigint) {
          const ago = daysAgo(member.bounds.todayStart, row.periodStart!.getTime());
          if (ago < 1 || ago > forecastDays) return;
          const drivers = spends[member.index]!.drivers!;
          driverEntry(drivers, dimension, row.keys[dimension] ?? null).days[ago - 1]! += cost;
        },
      })),
  );
}

function earliest(dates: readonly Date[]): Date {
  return dates.reduce((first, date) => (date < first ? date : first));
}
