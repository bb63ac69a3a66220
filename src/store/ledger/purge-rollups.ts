import type { Database, Queryable } from "../database.js";
import { quoteSchema } from "../schema-name.js";
import { fullRollupKeys, rollupCountColumns, rollupSumColumns, summaryRollupKeys } from "./rollup-columns.js";
import { weeksFromDaysStatement, weekStartSql } from "./week-rollups.js";

const sums = rollupSumColumns;
const counts = rollupCountColumns;

interface DayFromHours {
  daily: string;
  dayColumn: string;
  hourly: string;
  hourColumn: string;
  keys: string[];
  metrics: string[];
  /** Extra conditions on both sides (the one-dimension table keeps hours and days in one table). */
  daySide?: string;
  hourSide?: string;
}

const pairs: DayFromHours[] = [
  {
    daily: "llm_cost_daily",
    dayColumn: "day_start",
    hourly: "llm_cost_hourly",
    hourColumn: "hour_start",
    keys: [...fullRollupKeys],
    metrics: ["events", ...sums],
  },
  {
    daily: "llm_cost_daily_summary",
    dayColumn: "day_start",
    hourly: "llm_cost_hourly_summary",
    hourColumn: "hour_start",
    keys: [...summaryRollupKeys],
    metrics: ["events", ...counts, ...sums],
  },
  {
    daily: "llm_cost_rollup_by_dimension",
    dayColumn: "period_start",
    hourly: "llm_cost_rollup_by_dimension",
    hourColumn: "period_start",
    keys: ["project", "dimension", "value"],
    metrics: ["events", ...counts, ...sums],
    daySide: "d.span = 'day'",
    hourSide: "span = 'hour'",
  },
];

/**
 * Deletes the rollup rows of whole hours before the cutoff. A closed day the cutoff falls in keeps its
 * later hours: its daily rows lose the sums of the hours deleted, so every table still agrees; so does
 * the closed week it falls in (migration 0011), summed again from its remaining days. Day groups of
 * the days it touched are dropped, to be built again from the events that remain.
 */
export async function purgeRollups(database: Database, schema: string, cutoff: Date): Promise<void> {
  const q = quoteSchema(schema);
  await database.transaction(async (transaction) => {
    const [bounds] = await transaction.query<{ hour: Date; day: Date; closed: boolean }>(
      `SELECT date_trunc('hour', $1::timestamptz, 'UTC') AS hour, date_trunc('day', $1::timestamptz, 'UTC') AS day,
              date_trunc('day', $1::timestamptz, 'UTC') < (SELECT daily_through FROM ${q}.llm_cost_rollup_state) AS closed`,
      [cutoff],
    );
    const { hour, day, closed } = bounds!;
    for (const pair of pairs) {
      if (closed && hour > day) {
        const hourSide = pair.hourSide ? ` AND ${pair.hourSide}` : "";
        await transaction.query(
          `UPDATE ${q}.${pair.daily} AS d
              SET ${pair.metrics.map((metric) => `${metric} = d.${metric} - h.${metric}`).join(", ")}
             FROM (SELECT ${pair.keys.join(", ")}, ${pair.metrics.map((metric) => `sum(${metric}) AS ${metric}`).join(", ")}
                     FROM ${q}.${pair.hourly}
                    WHERE ${pair.hourColumn} >= $1::timestamptz AND ${pair.hourColumn} < $2::timestamptz${hourSide}
                    GROUP BY ${pair.keys.join(", ")}) AS h
            WHERE d.${pair.dayColumn} = $1::timestamptz${pair.daySide ? ` AND ${pair.daySide}` : ""}
              AND ${pair.keys.map((key) => `d.${key} IS NOT DISTINCT FROM h.${key}`).join(" AND ")}`,
          [day, hour],
        );
        // Keys whose every event was in the deleted hours are now all zero.
        await transaction.query(
          `DELETE FROM ${q}.${pair.daily} WHERE ${pair.dayColumn} = $1::timestamptz AND events = 0${
            pair.daySide ? ` AND ${pair.daySide.replace("d.", "")}` : ""
          }`,
          [day],
        );
      }
      const daySide = pair.daySide ? ` AND ${pair.daySide.replace("d.", "")}` : "";
      await transaction.query(
        `DELETE FROM ${q}.${pair.daily} WHERE ${pair.dayColumn} < $1::timestamptz${daySide}`,
        [day],
      );
      const hourSide = pair.hourSide ? ` AND ${pair.hourSide}` : "";
      await transaction.query(
        `DELETE FROM ${q}.${pair.hourly} WHERE ${pair.hourColumn} < $1::timestamptz${hourSide}`,
        [hour],
      );
    }
    await purgeWeeks(transaction, q, hour);
    // The day groups (migration 0015) of local days that started before the cutoff hour hold figures
    // deleted here, all or some: they are built again from the events left when next read.
    await transaction.query(`DELETE FROM ${q}.llm_cost_day_group_builds WHERE day_start < $1::timestamptz`, [
      hour,
    ]);
  });
}

/**
 * Deletes the week rows of the one-dimension rollup before the cutoff's week and, when the cutoff's
 * week is closed and lost hours, sums its rows again from its day rows (already purged): the week then
 * holds exactly the hours that remain, as its days do.
 */
async function purgeWeeks(transaction: Queryable, q: string, hour: Date): Promise<void> {
  const [bounds] = await transaction.query<{ week: Date; next_week: Date; rebuild: boolean }>(
    `SELECT ${weekStartSql("$1::timestamptz")} AS week,
            ${weekStartSql("$1::timestamptz")} + interval '7 days' AS next_week,
            ${weekStartSql("$1::timestamptz")} < $1::timestamptz
              AND ${weekStartSql("$1::timestamptz")}
                < ${weekStartSql(`(SELECT daily_through FROM ${q}.llm_cost_rollup_state)`)} AS rebuild`,
    [hour],
  );
  const { week, next_week: nextWeek, rebuild } = bounds!;
  await transaction.query(
    `DELETE FROM ${q}.llm_cost_rollup_by_dimension
      WHERE span = 'week' AND period_start ${rebuild ? "<=" : "<"} $1::timestamptz`,
    [week],
  );
  if (rebuild) await transaction.query(weeksFromDaysStatement(q), [week, nextWeek]);
}
