import { LedgerError } from "../errors.js";

/**
 * A budget's period: a calendar `day`, `week` (from Monday, ISO) or `month` in the budget's time
 * zone, or `rolling:Nd`, the N×24 hours before the moment asked about.
 */
export type BudgetPeriod = "day" | "week" | "month" | `rolling:${number}d`;

/** A period taken apart: a calendar unit, or a rolling window of whole days. */
export type PeriodShape =
  { kind: "calendar"; unit: "day" | "week" | "month" } | { kind: "rolling"; days: number };

/** The longest rolling window: a year and a day, enough for any "last N days" people ask for. */
export const maxRollingDays = 366;

const rollingPattern = /^rolling:([1-9]\d{0,2})d$/;

/** Checks a period (`day`, `week`, `month`, `rolling:7d`), throwing `E_BUDGET_SPEC` naming the field. */
export function parsePeriod(value: unknown): BudgetPeriod {
  if (value === "day" || value === "week" || value === "month") return value;
  const match = typeof value === "string" ? rollingPattern.exec(value) : null;
  if (match && Number(match[1]) <= maxRollingDays) return value as BudgetPeriod;
  throw new LedgerError(
    "E_BUDGET_SPEC",
    `period: expected day, week, month or rolling:Nd (N from 1 to ${maxRollingDays}, e.g. rolling:7d), got ${JSON.stringify(value) ?? typeof value}`,
  );
}

/** The shape of a checked period. */
export function periodShape(period: BudgetPeriod): PeriodShape {
  if (period === "day" || period === "week" || period === "month") return { kind: "calendar", unit: period };
  return { kind: "rolling", days: Number(period.slice("rolling:".length, -1)) };
}
