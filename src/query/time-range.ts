import { LedgerError } from "../errors.js";

/** An instant given as a `Date` or an ISO 8601 string. */
export type Instant = Date | string;

/** A checked half-open range: `from` inclusive, `to` exclusive; either may be open. */
export interface TimeRange {
  from: Date | undefined;
  to: Date | undefined;
}

const isoPattern = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

function parseInstant(value: unknown, name: string): Date | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === "string" && isoPattern.test(value.trim())) {
    const date = new Date(value.trim());
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new LedgerError(
    "E_QUERY_RANGE",
    `${name}: expected a Date or an ISO 8601 string such as "2024-03-01T00:00:00Z", got ${describe(value)}`,
  );
}

function describe(value: unknown): string {
  if (value instanceof Date) return "an invalid Date";
  return typeof value === "string" ? JSON.stringify(value) : typeof value;
}

/** Parses and checks `from` and `to`; `from` must come before `to`. */
export function checkTimeRange(from: unknown, to: unknown): TimeRange {
  const range = { from: parseInstant(from, "from"), to: parseInstant(to, "to") };
  if (range.from && range.to && range.from.getTime() >= range.to.getTime()) {
    throw new LedgerError(
      "E_QUERY_RANGE",
      `from (${range.from.toISOString()}) must be before to (${range.to.toISOString()}): from is inclusive, to exclusive`,
    );
  }
  return range;
}

const hourMs = 3_600_000;

/** The first whole UTC hour at or after `date`. */
export function ceilHour(date: Date): Date {
  return new Date(Math.ceil(date.getTime() / hourMs) * hourMs);
}

/** The whole UTC hour at or before `date`. */
export function floorHour(date: Date): Date {
  return new Date(Math.floor(date.getTime() / hourMs) * hourMs);
}

const dayMs = 86_400_000;

/** The first UTC midnight at or after `date`. */
export function ceilDay(date: Date): Date {
  return new Date(Math.ceil(date.getTime() / dayMs) * dayMs);
}

/** The UTC midnight at or before `date`. */
export function floorDay(date: Date): Date {
  return new Date(Math.floor(date.getTime() / dayMs) * dayMs);
}

const weekMs = 7 * dayMs;
/** 1970-01-05, the first Monday of the epoch: UTC weeks (ISO weeks) start on Mondays. */
const firstMondayMs = 4 * dayMs;

/** The first Monday 00:00 UTC at or after `date`. */
export function ceilWeek(date: Date): Date {
  return new Date(Math.ceil((date.getTime() - firstMondayMs) / weekMs) * weekMs + firstMondayMs);
}

/** The Monday 00:00 UTC at or before `date`. */
export function floorWeek(date: Date): Date {
  return new Date(Math.floor((date.getTime() - firstMondayMs) / weekMs) * weekMs + firstMondayMs);
}
