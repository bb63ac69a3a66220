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
  const figures = {} as CostFigures;
  addFigures(figures, row);
  return figures;
}

/** Sets the figures of `row` on `target` (one object per report row, no intermediate copies). */
export function addFigures(target: CostFigures, row: SqlRow): void {
  target.costUsd = canonicalDecimal(row.cost_usd as string | null);
  target.providerCostUsd = canonicalDecimal(row.provider_cost_usd as string | null);
  target.inputTokens = canonicalDecimal(row.input_tokens as string | null);
  target.outputTokens = canonicalDecimal(row.output_tokens as string | null);
  target.cacheReadTokens = canonicalDecimal(row.cache_read_tokens as string | null);
  target.cacheWriteTokens = canonicalDecimal(row.cache_write_tokens as string | null);
  target.cacheWrite1hTokens = canonicalDecimal(row.cache_write_1h_tokens as string | null);
  target.reasoningTokens = canonicalDecimal(row.reasoning_tokens as string | null);
  target.events = countValue(row.events as string | null);
  target.fallbacks = countValue(row.fallbacks as string | null);
  target.errors = countValue(row.errors as string | null);
  target.unpriced = countValue(row.unpriced as string | null);
}
