import { LedgerError } from "../errors.js";

/** Where a page of events ended: the last event's `created_at` (microseconds, as Postgres prints it) and id. */
export interface EventPosition {
  createdAt: string;
  id: string;
}

const positionPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
/** Ids are `bigint` (bigserial): a larger number would fail in Postgres, not here. */
const maxId = 9_223_372_036_854_775_807n;

/** Encodes a position as an opaque cursor string (base64url). */
export function encodeCursor(position: EventPosition): string {
  return Buffer.from(`${position.createdAt}|${position.id}`, "utf8").toString("base64url");
}

/**
 * Decodes a cursor from `encodeCursor`, or throws `E_QUERY_CURSOR` saying what is wrong with it. Every
 * value it lets through is one Postgres accepts, so a forged or damaged cursor is the caller's error
 * (HTTP 400), never a database failure.
 */
export function decodeCursor(cursor: unknown): EventPosition {
  if (typeof cursor !== "string" || cursor.length === 0 || cursor.length > 100) {
    throw cursorError("not a cursor returned by listEvents (pass nextCursor as it is)");
  }
  const [createdAt = "", id = "", ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const time = positionPattern.exec(createdAt);
  if (rest.length > 0 || !time || !/^\d{1,19}$/.test(id)) {
    throw cursorError("not a cursor returned by listEvents (pass nextCursor as it is)");
  }
  if (BigInt(id) > maxId) throw cursorError(`its event id ${id} is beyond the largest id (${maxId})`);
  if (!isRealTime(time.slice(1).map(Number)))
    throw cursorError(`its time ${createdAt} is not a real date and time`);
  return { createdAt, id };
}

/** True when year, month, day, hour, minute, second name an instant (no 30 February, no hour 24, no year 0). */
function isRealTime([year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0]: number[]): boolean {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second);
  return (
    year >= 1 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  );
}

function cursorError(problem: string): LedgerError {
  return new LedgerError("E_QUERY_CURSOR", `cursor: ${problem}`);
}
