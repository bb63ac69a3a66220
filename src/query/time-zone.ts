import { LedgerError } from "../errors.js";

/**
 * Checks that `timeZone` is an IANA time zone name (or `UTC`) and returns it. Postgres is asked
 * again when the query runs; a name it does not know is reported the same way.
 */
export function checkTimeZone(timeZone: unknown): string {
  if (typeof timeZone === "string" && timeZone.length > 0 && timeZone.length <= 64) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone });
      return timeZone;
    } catch {
      // reported below
    }
  }
  throw timeZoneError(timeZone);
}

/** The error for a time zone that JavaScript or Postgres does not know. */
export function timeZoneError(timeZone: unknown, cause?: unknown): LedgerError {
  return new LedgerError(
    "E_QUERY_TIME_ZONE",
    `timeZone: unknown time zone ${JSON.stringify(timeZone)}; use an IANA name such as "UTC", "Europe/Berlin" or "America/New_York"`,
    { cause },
  );
}

/** True when a Postgres error says that a time zone name was not recognised. */
export function isUnknownTimeZoneError(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" && /time zone "[^"]*" not recognized/.test(message);
}

/**
 * Formats a period start as ISO 8601 with the zone's offset at that instant, from the local wall
 * time and offset that Postgres computed (so its time zone database is the only one in play):
 * `2024-03-01T00:00:00Z`, `2024-03-01T00:00:00+01:00`.
 */
export function formatPeriod(localTime: string, offsetSeconds: number): string {
  if (offsetSeconds === 0) return `${localTime}Z`;
  const sign = offsetSeconds < 0 ? "-" : "+";
  const absolute = Math.abs(offsetSeconds);
  const hours = String(Math.floor(absolute / 3600)).padStart(2, "0");
  const minutes = String(Math.floor((absolute % 3600) / 60)).padStart(2, "0");
  const seconds = absolute % 60;
  return `${localTime}${sign}${hours}:${minutes}${seconds ? `:${String(seconds).padStart(2, "0")}` : ""}`;
}

/**
 * SQL that is true when `zone`'s offset is a whole number of hours from `low` to `high` (SQL
 * timestamptz expressions; `high` on a whole UTC hour), so that every local period starts on a UTC
 * hour and hourly rollups can be grouped into it: Postgres's time zone database is asked at each day
 * of the span and at its end. NULL when both ends are NULL (no span: nothing to disprove).
 */
export function wholeHourOffsetsSql(zone: string, low: string, high: string): string {
  return `(SELECT bool_and(date_trunc('hour', instant AT TIME ZONE ${zone}) = instant AT TIME ZONE ${zone})
       FROM (SELECT generate_series(date_trunc('hour', ${low}, 'UTC'), ${high}, interval '1 day') AS instant
             UNION ALL SELECT ${high}) AS samples
      WHERE instant IS NOT NULL)`;
}
