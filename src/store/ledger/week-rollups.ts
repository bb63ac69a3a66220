import { rollupCountColumns, rollupSumColumns } from "./rollup-columns.js";

// The one-dimension rollup's closed weeks (migration 0011): span 'week', the ISO week starting on a
// Monday at 00:00 UTC. A week's rows are the sums of its day rows and exist exactly for the weeks
// whose seven days are all closed (every week starting before the Monday of daily_through's week).
// Coarser spans are built off the write path: day closing adds the weeks that closed with the days,
// and only a late event of a closed week (or a reprice of one) writes to them in a writer's statement.

/** The start of the UTC week (Monday 00:00 UTC) of a timestamptz SQL expression. */
export function weekStartSql(expression: string): string {
  return `date_trunc('week', ${expression}, 'UTC')`;
}

/**
 * The statement that adds the week rows of `llm_cost_rollup_by_dimension` (schema quoted in
 * `quotedSchema`) summed from its day rows with `period_start` in `[$1, $2)`; both bounds must be
 * Mondays, so that the range holds whole weeks.
 */
export function weeksFromDaysStatement(quotedSchema: string): string {
  const figures = ["events", ...rollupCountColumns, ...rollupSumColumns];
  const table = `${quotedSchema}.llm_cost_rollup_by_dimension`;
  return `INSERT INTO ${table} (project, dimension, span, period_start, value, ${figures.join(", ")})
     SELECT project, dimension, 'week', ${weekStartSql("period_start")}, value,
            ${figures.map((column) => `sum(${column})`).join(", ")}
       FROM ${table}
      WHERE span = 'day' AND period_start >= $1::timestamptz AND period_start < $2::timestamptz
      GROUP BY 1, 2, 4, 5`;
}
