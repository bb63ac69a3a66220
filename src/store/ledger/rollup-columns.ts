// The columns of the rollup tables (migration 0003; the full rollups' service tier, 0012), named once
// for every statement that writes or reads them: the writer's upserts, day closing, the rollup purge
// and the cost queries.

/** The token sums, as the events and every rollup name them. */
export const rollupTokenColumns: readonly string[] = [
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "cache_write_1h_tokens",
  "reasoning_tokens",
];

/** Every summed figure of a rollup row besides `events`: money, then tokens. */
export const rollupSumColumns: readonly string[] = [
  "estimated_cost_usd",
  "provider_cost_usd",
  ...rollupTokenColumns,
];

/** The flags the summaries and the one-dimension rollup keep as counts (the full rollups as keys). */
export const rollupCountColumns: readonly string[] = ["fallbacks", "errors", "unpriced"];

/**
 * The full rollups' key, the time column (`hour_start` or `day_start`) following `project`; the order
 * of their key constraints, which the upserts sort by.
 */
export const fullRollupKeys: readonly string[] = [
  "project",
  "repo",
  "task_type",
  "model",
  "provider",
  "sdk",
  "environment",
  "service_tier",
  "used_fallback",
  "priced",
  "errored",
];

/** The summaries' key, likewise. */
export const summaryRollupKeys: readonly string[] = ["project", "repo", "task_type", "model", "provider"];
