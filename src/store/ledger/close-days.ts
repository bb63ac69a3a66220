import type { Database } from "../database.js";
import { advisoryLockKey } from "../advisory-lock.js";
import { quoteSchema } from "../schema-name.js";
import { rollupTokenColumns } from "./rollup-columns.js";
import { weeksFromDaysStatement, weekStartSql } from "./week-rollups.js";

// The closed-day tables (migration 0003) hold the UTC days before llm_cost_rollup_state.daily_through.
// When a day ends, its rows there are built once from the full hourly rows. This runs under the
// schema's day-closing lock, taken exclusively here and shared by every writer, so no writer can
// add a late event to a day while it is being closed (it would miss the day's closed rows). The weeks
// whose last day closes with them are then summed from their day rows (migration 0011).

const tokenSums = rollupTokenColumns.map((column) => `sum(${column})::bigint`).join(", ");
const tokens = rollupTokenColumns.join(", ");

function closeStatements(schema: string): string[] {
  const q = quoteSchema(schema);
  const range = (column: string) => `${column} >= $1::timestamptz AND ${column} < $2::timestamptz`;
  return [
    `INSERT INTO ${q}.llm_cost_hourly_summary
     SELECT project, hour_start, repo, task_type, model, provider, sum(events)::bigint,
            COALESCE(sum(events) FILTER (WHERE used_fallback), 0)::bigint,
            COALESCE(sum(events) FILTER (WHERE errored), 0)::bigint,
            COALESCE(sum(events) FILTER (WHERE NOT priced), 0)::bigint,
            sum(estimated_cost_usd), sum(provider_cost_usd), ${tokenSums}
       FROM ${q}.llm_cost_hourly WHERE ${range("hour_start")} GROUP BY 1, 2, 3, 4, 5, 6`,
    // Named columns: the service tier (migration 0012) is the table's last column, not in key order.
    `INSERT INTO ${q}.llm_cost_daily (project, day_start, repo, task_type, model, provider, sdk, environment,
            service_tier, used_fallback, priced, errored, events, estimated_cost_usd, provider_cost_usd, ${tokens})
     SELECT project, date_trunc('day', hour_start, 'UTC'), repo, task_type, model, provider, sdk, environment,
            service_tier, used_fallback, priced, errored, sum(events)::bigint, sum(estimated_cost_usd),
            sum(provider_cost_usd), ${tokenSums}
       FROM ${q}.llm_cost_hourly WHERE ${range("hour_start")} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12`,
    `INSERT INTO ${q}.llm_cost_daily_summary
     SELECT project, date_trunc('day', hour_start, 'UTC'), repo, task_type, model, provider, sum(events)::bigint,
            sum(fallbacks)::bigint, sum(errors)::bigint, sum(unpriced)::bigint, sum(estimated_cost_usd),
            sum(provider_cost_usd), ${tokenSums}
       FROM ${q}.llm_cost_hourly_summary WHERE ${range("hour_start")} GROUP BY 1, 2, 3, 4, 5, 6`,
    `INSERT INTO ${q}.llm_cost_rollup_by_dimension
     SELECT project, dimension, 'day', date_trunc('day', period_start, 'UTC'), value, sum(events)::bigint,
            sum(fallbacks)::bigint, sum(errors)::bigint, sum(unpriced)::bigint, sum(estimated_cost_usd),
            sum(provider_cost_usd), ${tokenSums}
       FROM ${q}.llm_cost_rollup_by_dimension
      WHERE span = 'hour' AND ${range("period_start")} GROUP BY 1, 2, 4, 5`,
  ];
}

/**
 * Builds the closed-day rows of every UTC day that ended since the last closing (by the database's
 * clock), and the week rows of every week that ended with them, and returns how many days it closed: 0 when another writer did it first. Plain inserts: a
 * day closed twice fails rather than counting twice.
 */
export async function closeEndedDays(database: Database, schema: string): Promise<number> {
  const q = quoteSchema(schema);
  return database.transaction(async (transaction) => {
    await transaction.query(
      `SELECT pg_advisory_xact_lock($1::int, $2::int)`,
      advisoryLockKey("rollupDays", schema),
    );
    const [state] = await transaction.query<{
      from_day: Date;
      until_day: Date;
      from_week: Date;
      until_week: Date;
      days: number;
    }>(
      `SELECT daily_through AS from_day, date_trunc('day', now(), 'UTC') AS until_day,
              ${weekStartSql("daily_through")} AS from_week, ${weekStartSql("now()")} AS until_week,
              extract(day FROM date_trunc('day', now(), 'UTC') - daily_through)::int AS days
         FROM ${q}.llm_cost_rollup_state`,
    );
    if (!state || state.days <= 0) return 0;
    for (const statement of closeStatements(schema)) {
      await transaction.query(statement, [state.from_day, state.until_day]);
    }
    // The weeks closed before start before from_week; those starting before until_week are closed now.
    await transaction.query(weeksFromDaysStatement(q), [state.from_week, state.until_week]);
    await transaction.query(`UPDATE ${q}.llm_cost_rollup_state SET daily_through = $1::timestamptz`, [
      state.until_day,
    ]);
    return state.days;
  });
}

/** When this writer last made sure the days before today were closed (the start of that UTC day). */
export interface DayClosingState {
  checkedDay: number | undefined;
}

/** Closes ended days at most once per UTC day per writer: the first write of a day does it. */
export async function closeDaysOnceADay(
  database: Database,
  schema: string,
  state: DayClosingState,
): Promise<void> {
  const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  if (state.checkedDay === today) return;
  await closeEndedDays(database, schema);
  state.checkedDay = today;
}

/**
 * The rollups' only maintenance left to call by hand: closes the UTC days that ended (see
 * `closeEndedDays`) and returns how many it closed. Writers do this on their first write of a day, so
 * calling it is never needed for exact answers; a command that writes and exits, or a long-idle
 * service, may call it to keep reports of yesterday on the smallest tables.
 */
export function compactRollups(database: Database, schema = "public"): Promise<number> {
  return closeEndedDays(database, schema);
}
