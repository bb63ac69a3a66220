import { wholeHourOffsetsSql, type QueryStore } from "../query/index.js";
import { periodShape } from "./budget-period.js";
import type { Budget } from "./budget-spec.js";

/** The instants a budget's status needs, in its time zone: its period, today, and the forecast's days. */
export interface PeriodBounds {
  /** Inclusive: local midnight starting the day, week (Monday) or month; `at` − N days for `rolling:Nd`. */
  start: Date;
  /** Exclusive: when the calendar period ends; `at` itself for a rolling window. */
  end: Date;
  /** Local midnight starting the day `at` falls in. */
  todayStart: Date;
  /** Local midnight seven days before `todayStart`: the forecast reads the whole days from here. */
  forecastFrom: Date;
  /**
   * True when the zone's offset from UTC is a whole number of hours on every day from the first
   * day the budget's daily figures read to `at`: its local days are then whole UTC hours, summed
   * from the hourly rollups (raw events otherwise).
   */
  wholeHours: boolean;
}

/** The whole local days before today that the forecast reads. */
export const forecastDays = 7;

/**
 * The bounds of every budget's period at `at`, in one statement: Postgres's time zone database (the
 * one the reports group by) turns local midnights into instants, daylight saving time included, and
 * says whether the zone's offsets are whole hours. No table is read.
 */
export async function periodBounds(
  store: QueryStore,
  budgets: readonly Budget[],
  at: Date,
): Promise<PeriodBounds[]> {
  if (budgets.length === 0) return [];
  const shapes = budgets.map((budget) => periodShape(budget.period));
  const rows = await (store.readDatabase ?? store.database).query<{
    start: Date;
    end: Date;
    today: Date;
    forecast_from: Date;
    whole_hours: boolean;
  }>(
    `SELECT bounds.*,
            -- With a whole-hour offset on every day the budget's reports read, its local days can be
            -- summed from hourly rollups (asked as queryCosts asks: query/time-zone.ts).
            b.tz = 'UTC' OR ${wholeHourOffsetsSql(
              "b.tz",
              "CASE WHEN b.unit = 'rolling' THEN bounds.forecast_from ELSE least(bounds.start, bounds.forecast_from) END",
              "date_trunc('hour', $1::timestamptz, 'UTC')",
            )} AS whole_hours
       FROM unnest($2::text[], $3::text[], $4::int[]) WITH ORDINALITY AS b(unit, tz, days, n)
      CROSS JOIN LATERAL (
        SELECT CASE WHEN b.unit = 'rolling' THEN $1::timestamptz - make_interval(days => b.days)
                    ELSE date_trunc(b.unit, $1::timestamptz AT TIME ZONE b.tz) AT TIME ZONE b.tz END AS start,
               CASE WHEN b.unit = 'rolling' THEN $1::timestamptz
                    ELSE (date_trunc(b.unit, $1::timestamptz AT TIME ZONE b.tz) + ('1 ' || b.unit)::interval)
                         AT TIME ZONE b.tz END AS "end",
               date_trunc('day', $1::timestamptz AT TIME ZONE b.tz) AT TIME ZONE b.tz AS today,
               (date_trunc('day', $1::timestamptz AT TIME ZONE b.tz) - make_interval(days => $5::int))
                 AT TIME ZONE b.tz AS forecast_from
      ) AS bounds
      ORDER BY b.n`,
    [
      at.toISOString(),
      shapes.map((shape) => (shape.kind === "rolling" ? "rolling" : shape.unit)),
      budgets.map((budget) => budget.timeZone),
      shapes.map((shape) => (shape.kind === "rolling" ? shape.days : 0)),
      forecastDays,
    ],
  );
  return rows.map((row) => ({
    start: row.start,
    end: row.end,
    todayStart: row.today,
    forecastFrom: row.forecast_from,
    wholeHours: row.whole_hours,
  }));
}
