import { LedgerError } from "../errors.js";
import {
  queryCosts,
  type CostFilters,
  type CostRow,
  type Dimension,
  type QueryStore,
} from "../query/index.js";
import { periodShape } from "./budget-period.js";
import type { Budget } from "./budget-spec.js";
import { getBudget, listBudgets } from "./budget-store.js";
import { forecastDays, periodBounds, type PeriodBounds } from "./period-bounds.js";
import {
  forecastSpend,
  topDriver,
  weightedDailyRate,
  type ForecastDriver,
  type SpendForecast,
} from "./spend-forecast.js";
import { formatPico, toPico } from "./usd.js";

/** `ok` below every threshold; `warning` past one; `exceeded` at 100 % or more; `blocked`: exceeded with action `block`. */
export type BudgetState = "ok" | "warning" | "exceeded" | "blocked";

/** Spend against a budget's amount in its current period. */
export interface SpendStatus {
  periodStart: string;
  periodEnd: string;
  spentUsd: string;
  /** The amount minus the spend, never below 0. */
  remainingUsd: string;
  /** Spend as a percentage of the amount, rounded down to hundredths. */
  percent: number;
  /** The budget's thresholds the spend has reached. */
  thresholdsCrossed: number[];
  state: BudgetState;
  forecast: SpendForecast;
}

/** A per-value status of a `per` budget. */
export interface ValueStatus extends SpendStatus {
  value: string | null;
}

/**
 * One budget's status. For a `per` budget the top-level figures are those of the value nearest its
 * amount (the highest percentage), and `values` lists every value with spend in the period or the
 * forecast's days, most spent first.
 */
export interface BudgetStatus extends SpendStatus {
  budget: Budget;
  /** The value of the `per` dimension the top-level figures are of. */
  value?: string | null;
  values?: ValueStatus[];
  /** What explains the forecast most: a model or repo whose daily spend rose most. */
  topDriver: ForecastDriver | null;
}

export interface BudgetStatusOptions {
  /** The moment to report on; default now. */
  at?: Date | string | undefined;
  /** Only these budgets (ids or names); default all. */
  budgets?: readonly string[] | undefined;
  /** Without `budgets`: only this project's budgets (what a key bound to it sees); default all. */
  project?: string | undefined;
}

const dayMs = 86_400_000;
const driverDimensions: readonly Dimension[] = ["model", "repo"];

/**
 * Spend, remaining amount, thresholds crossed and forecast of every budget (or those named) at `at`,
 * computed with `queryCosts` (so from the rollups whenever the scope allows).
 *
 * @example
 * const { budgets } = await budgetStatus(store);
 * for (const status of budgets) console.log(status.budget.name, status.percent, status.state);
 */
export async function budgetStatus(
  store: QueryStore,
  options: BudgetStatusOptions = {},
): Promise<{ at: string; budgets: BudgetStatus[] }> {
  const at = parseAt(options.at);
  const budgets = options.budgets
    ? await namedBudgets(store, options.budgets)
    : await listBudgets(store, { project: options.project });
  const bounds = await periodBounds(store, budgets, at);
  const statuses: BudgetStatus[] = [];
  for (let index = 0; index < budgets.length; index++) {
    statuses.push(await statusOf(store, budgets[index]!, bounds[index]!, at));
  }
  return { at: at.toISOString(), budgets: statuses };
}

function parseAt(at: Date | string | undefined): Date {
  if (at === undefined) return new Date();
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) {
    throw new LedgerError(
      "E_BUDGET_SPEC",
      `at: expected a Date or an ISO 8601 time, got ${JSON.stringify(at)}`,
    );
  }
  return date;
}

async function namedBudgets(store: QueryStore, names: readonly string[]): Promise<Budget[]> {
  const budgets: Budget[] = [];
  for (const name of names) {
    const budget = await getBudget(store, name);
    if (!budget) throw new LedgerError("E_NOT_FOUND", `no budget with id or name ${JSON.stringify(name)}`);
    budgets.push(budget);
  }
  return budgets;
}

/** Per value of the `per` dimension (one entry, key "", without it): spend in the period and per past day. */
interface ValueSpend {
  value: string | null;
  spent: bigint;
  days: bigint[];
}

async function statusOf(
  store: QueryStore,
  budget: Budget,
  bounds: PeriodBounds,
  at: Date,
): Promise<BudgetStatus> {
  const shape = periodShape(budget.period);
  const filters = budget.scope as CostFilters;
  const groupBy = budget.per ? [budget.per] : [];
  const calendar = shape.kind === "calendar";
  const from = calendar && bounds.start < bounds.forecastFrom ? bounds.start : bounds.forecastFrom;
  // One daily report gives both a calendar period's spend and the forecast's days.
  const daily = await queryCosts(store, {
    from,
    to: at,
    groupBy,
    grain: "day",
    timeZone: budget.timeZone,
    filters,
  });
  const spends = new Map<string, ValueSpend>();
  const entry = (value: string | null) => {
    const key = value === null ? "\u0000null" : `=${value}`;
    let found = spends.get(key);
    if (!found)
      spends.set(key, (found = { value, spent: 0n, days: new Array<bigint>(forecastDays).fill(0n) }));
    return found;
  };
  for (const row of daily.rows) {
    const spend = entry(valueOf(budget, row));
    const cost = toPico(row.costUsd);
    const dayStart = new Date(row.period!);
    if (calendar && dayStart >= bounds.start) spend.spent += cost;
    const daysAgo = Math.round((bounds.todayStart.getTime() - dayStart.getTime()) / dayMs);
    if (daysAgo >= 1 && daysAgo <= forecastDays) spend.days[daysAgo - 1]! += cost;
  }
  if (!calendar) {
    const window = await queryCosts(store, { from: bounds.start, to: at, groupBy, filters });
    for (const row of window.rows) entry(valueOf(budget, row)).spent += toPico(row.costUsd);
  }
  if (!budget.per) entry(null);
  const amount = toPico(budget.amountUsd);
  const rollingDays = shape.kind === "rolling" ? shape.days : undefined;
  const values = [...spends.values()]
    .map((spend) => ({ value: spend.value, ...spendStatus(budget, bounds, at, amount, spend, rollingDays) }))
    .sort((a, b) =>
      toPico(b.spentUsd) > toPico(a.spentUsd) ? 1 : toPico(b.spentUsd) < toPico(a.spentUsd) ? -1 : 0,
    );
  const worst = values.reduce<(typeof values)[number] | undefined>(
    (found, candidate) => (!found || candidate.percent > found.percent ? candidate : found),
    undefined,
  );
  const top = worst ?? {
    value: null,
    ...spendStatus(budget, bounds, at, amount, { value: null, spent: 0n, days: [] }, rollingDays),
  };
  const { value, ...figures } = top;
  return {
    budget,
    ...figures,
    ...(budget.per ? { value, values } : {}),
    topDriver: await driverOf(store, budget, bounds, filters),
  };
}

function valueOf(budget: Budget, row: CostRow): string | null {
  return budget.per ? ((row[budget.per] as string | null | undefined) ?? null) : null;
}

function spendStatus(
  budget: Budget,
  bounds: PeriodBounds,
  at: Date,
  amount: bigint,
  spend: ValueSpend,
  rollingDays: number | undefined,
): SpendStatus {
  const { spent } = spend;
  const thresholdsCrossed = budget.thresholds.filter(
    (threshold) => spent * 100n >= amount * BigInt(threshold),
  );
  const exceeded = spent >= amount;
  const state: BudgetState = exceeded
    ? budget.action === "block"
      ? "blocked"
      : "exceeded"
    : thresholdsCrossed.length > 0
      ? "warning"
      : "ok";
  return {
    periodStart: bounds.start.toISOString(),
    periodEnd: bounds.end.toISOString(),
    spentUsd: formatPico(spent),
    remainingUsd: formatPico(exceeded ? 0n : amount - spent),
    percent: Number((spent * 10_000n) / amount) / 100,
    thresholdsCrossed,
    state,
    forecast: forecastSpend({
      spent,
      amount,
      rate: weightedDailyRate(spend.days),
      at,
      periodEnd: bounds.end,
      rollingDays,
    }),
  };
}

/**
 * The forecast's top driver over the whole scope: daily spend by model and by repo over the forecast's
 * days (one report grouped by both); a dimension the scope pins to one value, or with one value in
 * those days, explains nothing.
 */
async function driverOf(
  store: QueryStore,
  budget: Budget,
  bounds: PeriodBounds,
  filters: CostFilters,
): Promise<ForecastDriver | null> {
  const dimensions = driverDimensions.filter((dimension) => (budget.scope[dimension]?.length ?? 2) > 1);
  if (dimensions.length === 0) return null;
  const report = await queryCosts(store, {
    from: bounds.forecastFrom,
    to: bounds.todayStart,
    groupBy: dimensions,
    grain: "day",
    timeZone: budget.timeZone,
    filters,
  });
  const series = new Map<string, { dimension: string; value: string | null; days: bigint[] }>();
  for (const row of report.rows) {
    const daysAgo = Math.round((bounds.todayStart.getTime() - new Date(row.period!).getTime()) / dayMs);
    if (daysAgo < 1 || daysAgo > forecastDays) continue;
    for (const dimension of dimensions) {
      const value = (row[dimension] as string | null | undefined) ?? null;
      const key = `${dimension}=${value === null ? "\u0000" : value}`;
      let found = series.get(key);
      if (!found)
        series.set(key, (found = { dimension, value, days: new Array<bigint>(forecastDays).fill(0n) }));
      found.days[daysAgo - 1]! += toPico(row.costUsd);
    }
  }
  // A dimension with one value in these days is the whole scope again: it explains nothing.
  const all = [...series.values()];
  const valuesPer = (dimension: string) => all.filter((entry) => entry.dimension === dimension).length;
  return topDriver(all.filter((entry) => valuesPer(entry.dimension) > 1));
}
