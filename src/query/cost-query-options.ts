import { LedgerError } from "../errors.js";
import { checkFilters, type CostFilters, type ResolvedFilters } from "./cost-filters.js";
import { resolveDimension, type Dimension, type ResolvedDimension } from "./dimensions.js";
import { checkTimeRange, type Instant } from "./time-range.js";
import { checkTimeZone } from "./time-zone.js";

/** Time grains; weeks start on Monday (ISO weeks). */
export const grains = ["hour", "day", "week", "month"] as const;
/** A time grain of a cost query: hour, day, week (from Monday) or month, in the query's time zone. */
export type Grain = (typeof grains)[number];

/** The figures of a row or of the totals, by name; each can order the rows. */
export const metricNames = [
  "costUsd",
  "providerCostUsd",
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite1hTokens",
  "reasoningTokens",
  "events",
  "fallbacks",
  "errors",
  "unpriced",
] as const;
export type MetricName = (typeof metricNames)[number];

/**
 * How to order rows: a field (a metric, a grouped dimension or `period`) with an optional
 * direction, as `"costUsd"`, `"costUsd:asc"` or `{ field: "costUsd", direction: "asc" }`. Metrics
 * default to descending, dimensions and `period` to ascending.
 */
export type OrderBy = string | { field: string; direction?: "asc" | "desc" | undefined };

/** The options of `queryCosts`. */
export interface QueryCostsOptions {
  /** Inclusive start; open when absent. */
  from?: Instant | undefined;
  /** Exclusive end; open when absent. */
  to?: Instant | undefined;
  /** Dimensions to group by, in this order: `repo`, `taskType`, `model`, …, `metadata.<key>`. */
  groupBy?: readonly Dimension[] | undefined;
  /** A time grain to group by as well; each row then has `period`. */
  grain?: Grain | undefined;
  /** IANA time zone in which periods start; default `UTC`. */
  timeZone?: string | undefined;
  filters?: CostFilters | undefined;
  /** One term or several; default `period` (with a grain) then `costUsd` descending. */
  orderBy?: OrderBy | readonly OrderBy[] | undefined;
  /** At most this many rows (the totals still cover every row). */
  limit?: number | undefined;
}

/** One ORDER BY term, resolved to a field of the grouped rows. */
export interface OrderTerm {
  field: string;
  direction: "asc" | "desc";
}

/** Checked options: what the SQL builder needs. */
export interface CostQueryPlan {
  from: Date | undefined;
  to: Date | undefined;
  groupBy: ResolvedDimension[];
  grain: Grain | undefined;
  timeZone: string;
  filters: ResolvedFilters;
  orderBy: OrderTerm[];
  limit: number | undefined;
}

const knownOptions = ["from", "to", "groupBy", "grain", "timeZone", "filters", "orderBy", "limit"];
export const maxLimit = 1_000_000;

/** Checks every option of `queryCosts`, throwing a `LedgerError` that names the option and what it accepts. */
export function checkCostQueryOptions(options: QueryCostsOptions = {}): CostQueryPlan {
  if (typeof options !== "object" || options === null) {
    throw new LedgerError("E_QUERY_OPTIONS", "queryCosts: expected an options object");
  }
  for (const key of Object.keys(options)) {
    if (!knownOptions.includes(key)) {
      throw new LedgerError(
        "E_QUERY_OPTIONS",
        `queryCosts: unknown option ${JSON.stringify(key)}; accepted: ${knownOptions.join(", ")}`,
      );
    }
  }
  const range = checkTimeRange(options.from, options.to);
  const groupBy = checkGroupBy(options.groupBy);
  const grain = checkGrain(options.grain);
  const timeZone = options.timeZone === undefined ? "UTC" : checkTimeZone(options.timeZone);
  const filters = checkFilters(options.filters);
  const orderBy = checkOrderBy(options.orderBy, groupBy, grain);
  const limit = checkLimit(options.limit, maxLimit);
  return { ...range, groupBy, grain, timeZone, filters, orderBy, limit };
}

function checkGroupBy(groupBy: unknown): ResolvedDimension[] {
  if (groupBy === undefined) return [];
  if (!Array.isArray(groupBy)) {
    throw new LedgerError(
      "E_QUERY_DIMENSION",
      'groupBy: expected a list of dimensions, e.g. ["model", "repo"]',
    );
  }
  const resolved = groupBy.map((name) => resolveDimension(name, "groupBy"));
  const names = resolved.map((dimension) => dimension.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) {
    throw new LedgerError(
      "E_QUERY_DIMENSION",
      `groupBy: dimension ${JSON.stringify(repeated)} is listed twice`,
    );
  }
  return resolved;
}

function checkGrain(grain: unknown): Grain | undefined {
  if (grain === undefined) return undefined;
  if (typeof grain === "string" && (grains as readonly string[]).includes(grain)) return grain as Grain;
  throw new LedgerError(
    "E_QUERY_GRAIN",
    `grain: unknown grain ${JSON.stringify(grain)}; accepted: ${grains.join(", ")}`,
  );
}

/** Checks a row limit: a whole number from 1 to `max`. */
export function checkLimit(limit: unknown, max: number): number | undefined {
  if (limit === undefined) return undefined;
  if (typeof limit === "number" && Number.isInteger(limit) && limit >= 1 && limit <= max) return limit;
  throw new LedgerError(
    "E_QUERY_LIMIT",
    `limit: expected a whole number from 1 to ${max}, got ${typeof limit === "number" ? limit : (JSON.stringify(limit) ?? typeof limit)}`,
  );
}

function checkOrderBy(
  orderBy: unknown,
  groupBy: readonly ResolvedDimension[],
  grain: Grain | undefined,
): OrderTerm[] {
  const keys = groupBy.map((dimension) => dimension.name as string);
  if (orderBy === undefined) {
    return grain ? [{ field: "period", direction: "asc" }] : [{ field: "costUsd", direction: "desc" }];
  }
  const terms: unknown[] = Array.isArray(orderBy) ? orderBy : [orderBy];
  const accepted = [...metricNames, ...keys, ...(grain ? ["period"] : [])];
  return terms.map((term) => {
    let field: unknown;
    let direction: unknown;
    if (typeof term === "string") {
      const separator = term.lastIndexOf(":");
      const suffix = separator >= 0 ? term.slice(separator + 1) : "";
      [field, direction] =
        suffix === "asc" || suffix === "desc" ? [term.slice(0, separator), suffix] : [term];
    } else if (typeof term === "object" && term !== null) {
      ({ field, direction } = term as { field?: unknown; direction?: unknown });
    }
    if (typeof field !== "string" || !accepted.includes(field)) {
      throw new LedgerError(
        "E_QUERY_ORDER",
        `orderBy: cannot order by ${JSON.stringify(field ?? term)}; accepted: ${accepted.join(", ")} (optionally with :asc or :desc)`,
      );
    }
    if (direction !== undefined && direction !== "asc" && direction !== "desc") {
      throw new LedgerError(
        "E_QUERY_ORDER",
        `orderBy: direction must be "asc" or "desc", got ${JSON.stringify(direction)}`,
      );
    }
    const metric = (metricNames as readonly string[]).includes(field);
    return { field, direction: direction ?? (metric ? "desc" : "asc") };
  });
}
