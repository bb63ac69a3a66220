import { canonicalDecimal, countValue } from "./decimal.js";

/**
 * The figures of one row of a cost report, or of its totals. Money and token counts are exact
 * decimal strings (SQL NUMERIC sums; token sums may exceed 2^53); event counts are numbers.
 */
export interface CostFigures {
  costUsd: string;
  providerCostUsd: string;
  inputTokens: string;
  outputTokens: string;
  cacheReadTokens: string;
  cacheWriteTokens: string;
  cacheWrite1hTokens: string;
  reasoningTokens: string;
  events: number;
  fallbacks: number;
  errors: number;
  unpriced: number;
}

/**
 * One row of a cost report: the group keys under their dimension names (`repo`, `model`,
 * `metadata.team`, …; null where the events have no value), `period` (the ISO start, with the time
 * zone's offset) when a grain was asked, and the figures.
 */
export interface CostRow extends CostFigures {
  period?: string;
  [dimension: string]: string | number | null | undefined;
}

type SqlRow = Record<string, unknown>;

/** Reads the figures from a row of the cost query (its snake_case aliases). */
export function readFigures(row: SqlRow): CostFigures {
  const decimal = (column: string) => canonicalDecimal(row[column] as string | null);
  const count = (column: string) => countValue(row[column] as string | null);
  return {
    costUsd: decimal("cost_usd"),
    providerCostUsd: decimal("provider_cost_usd"),
    inputTokens: decimal("input_tokens"),
    outputTokens: decimal("output_tokens"),
    cacheReadTokens: decimal("cache_read_tokens"),
    cacheWriteTokens: decimal("cache_write_tokens"),
    cacheWrite1hTokens: decimal("cache_write_1h_tokens"),
    reasoningTokens: decimal("reasoning_tokens"),
    events: count("events"),
    fallbacks: count("fallbacks"),
    errors: count("errors"),
    unpriced: count("unpriced"),
  };
}
