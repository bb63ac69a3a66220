import { LedgerError } from "../errors.js";
import type { LlmCostRecord } from "../store/cost-record.js";
import { toCostRecord } from "../store/cost-record-rows.js";
import { quoteSchema } from "../store/schema-name.js";
import { checkFilters, filterConditions, type CostFilters } from "./cost-filters.js";
import { checkLimit } from "./cost-query-options.js";
import { decodeCursor, encodeCursor } from "./event-cursor.js";
import { createSqlParameters } from "./sql-parameters.js";
import { readerOf, type QueryStore } from "./store-handle.js";
import { checkTimeRange, type Instant } from "./time-range.js";

/** The options of `listEvents`. */
export interface ListEventsOptions {
  /** The same filters as `queryCosts`. */
  filters?: CostFilters | undefined;
  /** Inclusive start of `created_at`. */
  from?: Instant | undefined;
  /** Exclusive end of `created_at`. */
  to?: Instant | undefined;
  /** Events per page, 1 to 1,000; default 100. */
  limit?: number | undefined;
  /** `nextCursor` of the previous page. */
  cursor?: string | undefined;
}

/** One page of events, newest first; `nextCursor` is null on the last page. */
export interface EventPage {
  events: LlmCostRecord[];
  nextCursor: string | null;
}

const knownOptions = ["filters", "from", "to", "limit", "cursor"];
const defaultLimit = 100;
const maxLimit = 1000;

/**
 * The individual events behind a figure, newest first (`created_at`, then id), a page at a time:
 * pass each page's `nextCursor` back for the next. Pages stay stable while new events arrive.
 *
 * @example
 * let page = await listEvents(store, { filters: { repo: ["api"], error: true }, limit: 50 });
 * while (page.nextCursor) page = await listEvents(store, { filters: { repo: ["api"], error: true }, cursor: page.nextCursor });
 */
export async function listEvents(store: QueryStore, options: ListEventsOptions = {}): Promise<EventPage> {
  for (const key of Object.keys(options)) {
    if (!knownOptions.includes(key)) {
      throw new LedgerError(
        "E_QUERY_OPTIONS",
        `listEvents: unknown option ${JSON.stringify(key)}; accepted: ${knownOptions.join(", ")}`,
      );
    }
  }
  const range = checkTimeRange(options.from, options.to);
  const filters = checkFilters(options.filters);
  const limit = checkLimit(options.limit, maxLimit) ?? defaultLimit;
  const position = options.cursor === undefined ? undefined : decodeCursor(options.cursor);

  const parameters = createSqlParameters();
  const conditions = filterConditions(filters, "raw", parameters);
  if (range.from) conditions.push(`created_at >= ${parameters.add(range.from.toISOString())}::timestamptz`);
  if (range.to) conditions.push(`created_at < ${parameters.add(range.to.toISOString())}::timestamptz`);
  if (position) {
    conditions.push(
      `(created_at, id) < (${parameters.add(position.createdAt)}::timestamptz, ${parameters.add(position.id)}::bigint)`,
    );
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  const rows = await readerOf(store).query<Record<string, unknown>>(
    `SELECT *, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_created_at
       FROM ${quoteSchema(store.schema)}.llm_cost_events ${where}
      ORDER BY created_at DESC, id DESC LIMIT ${parameters.add(limit + 1)}::bigint`,
    parameters.values,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    events: page.map((row) => toCostRecord(row)),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({ createdAt: String(last.cursor_created_at), id: String(last.id) })
        : null,
  };
}
