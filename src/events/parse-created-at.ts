// When an event happened, as the caller says: a Date or epoch milliseconds (library callers), or an
// ISO 8601 string (any caller, and the only text form: `Date.parse` also reads "March 7" as a date in
// 2001, and rolls 2026-02-30 over into March).

const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

// Earliest and latest times accepted: years 1970 to 9999.
const earliest = 0;
const latest = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Epoch milliseconds, or a reason why `value` is not a time we accept. */
export function parseCreatedAt(value: unknown): number | { reason: string } {
  let milliseconds: number;
  if (value instanceof Date) milliseconds = value.getTime();
  else if (typeof value === "number") milliseconds = value;
  else if (typeof value === "string") {
    const parsed = parseIso(value);
    if (typeof parsed !== "number") return parsed;
    milliseconds = parsed;
  } else {
    return { reason: "createdAt must be an ISO 8601 string, a Date or epoch milliseconds" };
  }
  if (!Number.isFinite(milliseconds) || milliseconds < earliest || milliseconds > latest) {
    return { reason: "createdAt is not a valid time between 1970 and 9999" };
  }
  return Math.floor(milliseconds);
}

function parseIso(text: string): number | { reason: string } {
  const match = isoPattern.exec(text);
  if (!match) {
    return { reason: `createdAt must be an ISO 8601 time such as "2026-12-03T10:15:00Z"` };
  }
  const [, year, month, day, hour, minute, second, zone] = match;
  if (hour !== undefined && zone === undefined) {
    return { reason: "createdAt must say its time zone (Z or ±hh:mm): a time without one is ambiguous" };
  }
  const calendarDay = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (
    calendarDay.getUTCFullYear() !== Number(year) ||
    calendarDay.getUTCMonth() !== Number(month) - 1 ||
    calendarDay.getUTCDate() !== Number(day) ||
    Number(hour ?? 0) > 23 ||
    Number(minute ?? 0) > 59 ||
    Number(second ?? 0) > 59
  ) {
    return { reason: `createdAt ${JSON.stringify(text)} is not a date and time that exists` };
  }
  // A date alone is midnight UTC (as Date.parse reads it).
  return Date.parse(hour === undefined ? text.slice(0, 10) : text.replace(" ", "T"));
}
