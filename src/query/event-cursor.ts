import { LedgerError } from "../errors.js";

/** Where a page of events ended: the last event's `created_at` (microseconds, as Postgres prints it) and id. */
export interface EventPosition {
  createdAt: string;
  id: string;
}

const positionPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Encodes a position as an opaque cursor string (base64url). */
export function encodeCursor(position: EventPosition): string {
  return Buffer.from(`${position.createdAt}|${position.id}`, "utf8").toString("base64url");
}

/** Decodes a cursor from `encodeCursor`, or throws `E_QUERY_CURSOR`. */
export function decodeCursor(cursor: unknown): EventPosition {
  if (typeof cursor === "string" && cursor.length <= 100) {
    const [createdAt = "", id = "", ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
    if (rest.length === 0 && positionPattern.test(createdAt) && /^\d{1,19}$/.test(id))
      return { createdAt, id };
  }
  throw new LedgerError(
    "E_QUERY_CURSOR",
    "cursor: not a cursor returned by listEvents (pass nextCursor as it is)",
  );
}
