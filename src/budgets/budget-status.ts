import { LedgerError } from "../errors.js";
import type { Dimension, QueryStore } from "../query/index.js";
import { readBudgetSpends, type BatchOptions } from "./batched-spend.js";
import { periodShape } from "./budget-period.js";
import type { Budget } from "./budget-spec.js";
import { driverDimensions, spendEntry, type BudgetSpend, type ValueSpend } from "./budget-spend.js";
import { getBudget, listBudgets } from "./budget-store.js";
import { periodBounds, type PeriodBounds } from "./period-bounds.js";
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

/**
 * Spend, remaining amount, thresholds crossed and forecast of every budget (or those named) at `at`,
 * computed for all budgets together in four statements once the day groups of their closed days are
 * built (`batched-spend.ts`: grouped reports, closed days from the day groups, the rest from the
 * rollups whenever the scopes allow).
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
  return { at: at.toISOString(), budgets: await statusesOf(store, budgets, at) };
}

/**
 * The statuses of these budgets at `at`. `drivers: false` leaves the forecast's top driver out (and
 * its reports: the budget guard needs spend only); `source: "raw"` reads raw events only (what the
 * benchmark compares the rollups against).
 */
export async function statusesOf(
  store: QueryStore,
  budgets: readonly Budget[],
  at: Date,
  options: BatchOptions = {},
): Promise<BudgetStatus[]> {
  const bounds = await periodBounds(store, budgets, at);
  const spends = await readBudgetSpends(store, budgets, bounds, at, options);
  return budgets.map((budget, index) => statusFromSpend(budget, bounds[index]!, at, spends[index]!));
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

/**
 * A budget's status from its spend. Values are listed most spent first, ties by value (null last), so
 * the answer does not depend on the order in which a report returned its rows.
 */
export function statusFromSpend(
  budget: Budget,
  bounds: PeriodBounds,
  at: Date,
  spend: BudgetSpend,
): BudgetStatus {
  const shape = periodShape(budget.period);
  if (!budget.per) spendEntry(spend, null);
  const amount = toPico(budget.amountUsd);
  const rollingDays = shape.kind === "rolling" ? shape.days : undefined;
  const values = [...spend.values.values()]
    .sort((a, b) => (b.spent > a.spent ? 1 : b.spent < a.spent ? -1 : compareValues(a.value, b.value)))
    .map((entry) => ({ value: entry.value, ...spendStatus(budget, bounds, at, amount, entry, rollingDays) }));
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
    topDriver: driverOf(spend.drivers),
  };
}

/** Text order by UTF-16 code units (not the database's collation), null last. */
function compareValues(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
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
 * The forecast's top driver over the whole scope, from the daily series by model and by repo; a
 * dimension with one value in those days is the whole scope again and explains nothing. Series are
 * taken in a fixed order (dimension, then value) so that ties always go the same way.
 */
function driverOf(drivers: BudgetSpend["drivers"]): ForecastDriver | null {
  if (!drivers) return null;
  const all = [...drivers.values()];
  const valuesPer = (dimension: string) => all.filter((entry) => entry.dimension === dimension).length;
  const order = (dimension: string) => driverDimensions.indexOf(dimension as Dimension);
  return topDriver(
    all
      .filter((entry) => valuesPer(entry.dimension) > 1)
      .sort((a, b) => order(a.dimension) - order(b.dimension) || compareValues(a.value, b.value)),
  );
}
