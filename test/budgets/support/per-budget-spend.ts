// The per-budget path budgetStatus took before evaluation was batched: one to three queryCosts reports
// for each budget. Kept as the reference the batched reports must equal (batched-spend.test.ts).
import { queryCosts, type CostFilters, type QueryStore } from "../../../src/query/index.js";
import { periodShape } from "../../../src/budgets/budget-period.js";
import type { Budget } from "../../../src/budgets/budget-spec.js";
import {
  daysAgo,
  driverDimensionsOf,
  driverEntry,
  emptySpend,
  perValueOf,
  spendEntry,
  type BudgetSpend,
} from "../../../src/budgets/budget-spend.js";
import { forecastDays, type PeriodBounds } from "../../../src/budgets/period-bounds.js";
import { toPico } from "../../../src/budgets/usd.js";

/** One budget's spend, read with its own reports. */
export async function perBudgetSpend(
  store: QueryStore,
  budget: Budget,
  bounds: PeriodBounds,
  at: Date,
): Promise<BudgetSpend> {
  const spend = emptySpend(budget);
  const filters = budget.scope as CostFilters;
  const groupBy = budget.per ? [budget.per] : [];
  const calendar = periodShape(budget.period).kind === "calendar";
  const from = calendar && bounds.start < bounds.forecastFrom ? bounds.start : bounds.forecastFrom;
  const daily = await queryCosts(store, {
    from,
    to: at,
    groupBy,
    grain: "day",
    timeZone: budget.timeZone,
    filters,
  });
  for (const row of daily.rows) {
    const entry = spendEntry(spend, perValueOf(budget, row));
    const cost = toPico(row.costUsd);
    const dayStart = new Date(row.period!);
    if (calendar && dayStart >= bounds.start) entry.spent += cost;
    const ago = daysAgo(bounds.todayStart, dayStart.getTime());
    if (ago >= 1 && ago <= forecastDays) entry.days[ago - 1]! += cost;
  }
  if (!calendar) {
    const window = await queryCosts(store, { from: bounds.start, to: at, groupBy, filters });
    for (const row of window.rows) spendEntry(spend, perValueOf(budget, row)).spent += toPico(row.costUsd);
  }
  const dimensions = driverDimensionsOf(budget);
  if (spend.drivers && dimensions.length > 0) {
    const report = await queryCosts(store, {
      from: bounds.forecastFrom,
      to: bounds.todayStart,
      groupBy: dimensions,
      grain: "day",
      timeZone: budget.timeZone,
      filters,
    });
    for (const row of report.rows) {
      const ago = daysAgo(bounds.todayStart, new Date(row.period!).getTime());
      if (ago < 1 || ago > forecastDays) continue;
      for (const dimension of dimensions) {
        const value = (row[dimension] as string | null | undefined) ?? null;
        driverEntry(spend.drivers, dimension, value).days[ago - 1]! += toPico(row.costUsd);
      }
    }
  }
  return spend;
}
