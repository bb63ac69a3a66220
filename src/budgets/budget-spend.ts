import type { Dimension } from "../query/index.js";
import type { Budget } from "./budget-spec.js";
import { forecastDays } from "./period-bounds.js";

// What a budget's status is computed from: its spend in the period and per past day, by `per` value,
// and the daily series of its forecast's candidate drivers. Read for all budgets at once
// (`batched-spend.ts`); turned into statuses by `budget-status.ts`.

/** Per value of the `per` dimension (one entry, value null, without it): spend in the period and per past day. */
export interface ValueSpend {
  value: string | null;
  spent: bigint;
  /** `days[0]` is yesterday's spend, up to `forecastDays` days back. */
  days: bigint[];
}

/** A driver candidate's daily spend over the forecast's days. */
export interface DriverSeries {
  dimension: Dimension;
  value: string | null;
  days: bigint[];
}

/** One budget's spend, keyed by value (see `spendEntry` and `driverEntry`). */
export interface BudgetSpend {
  values: Map<string, ValueSpend>;
  /** Undefined when the scope pins every driver dimension to one value (nothing can explain growth). */
  drivers: Map<string, DriverSeries> | undefined;
}

/** The dimensions a forecast's top driver is looked for in. */
export const driverDimensions: readonly Dimension[] = ["model", "repo"];

const dayMs = 86_400_000;

/** The driver dimensions a budget's scope leaves open (one it pins to one value explains nothing). */
export function driverDimensionsOf(budget: Budget): Dimension[] {
  return driverDimensions.filter((dimension) => (budget.scope[dimension]?.length ?? 2) > 1);
}

/** A fresh spend record for a budget. */
export function emptySpend(budget: Budget): BudgetSpend {
  return { values: new Map(), drivers: driverDimensionsOf(budget).length > 0 ? new Map() : undefined };
}

/** The value of a `per` budget's dimension in a report row; null without `per`. */
export function perValueOf(budget: Budget, row: Readonly<Record<string, unknown>>): string | null {
  return budget.per ? ((row[budget.per] as string | null | undefined) ?? null) : null;
}

/** The spend entry of one value, created empty on first use. */
export function spendEntry(spend: BudgetSpend, value: string | null): ValueSpend {
  const key = value === null ? "\u0000null" : `=${value}`;
  let found = spend.values.get(key);
  if (!found) {
    found = { value, spent: 0n, days: new Array<bigint>(forecastDays).fill(0n) };
    spend.values.set(key, found);
  }
  return found;
}

/** The driver series of one dimension value, created empty on first use. */
export function driverEntry(
  drivers: Map<string, DriverSeries>,
  dimension: Dimension,
  value: string | null,
): DriverSeries {
  const key = `${dimension}=${value === null ? "\u0000" : value}`;
  let found = drivers.get(key);
  if (!found) {
    found = { dimension, value, days: new Array<bigint>(forecastDays).fill(0n) };
    drivers.set(key, found);
  }
  return found;
}

/** How many local days before today a daily row's period starts (1 is yesterday). */
export function daysAgo(todayStart: Date, periodStartMs: number): number {
  return Math.round((todayStart.getTime() - periodStartMs) / dayMs);
}
