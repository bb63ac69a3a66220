import { LedgerError } from "../errors.js";
import { isEventId, type LlmCostRecord } from "../store/cost-record.js";
import { toCostRecord } from "../store/cost-record-rows.js";
import { eventsByIdSql } from "../store/ledger/index.js";
import { readerOf, type QueryStore } from "./store-handle.js";

/** The options of `getEvent`. */
export interface GetEventOptions {
  /**
   * The projects to look in (an id is unique within its project, so two may hold it): default every
   * project, the first by slug when several hold the id. An empty list finds nothing.
   */
  project?: string | readonly string[] | undefined;
}

/**
 * One event by its `eventId`, with every stored field (the model id the application sent and the
 * catalog's, each token bucket, our cost and the provider's), or `undefined` when none is stored.
 * An id that is not a UUID is `E_QUERY_EVENT_ID`: no stored event could have it.
 *
 * @example
 * const event = await getEvent(store, "0b7a…", { project: "alpha" });
 */
export async function getEvent(
  store: QueryStore,
  eventId: string,
  options: GetEventOptions = {},
): Promise<LlmCostRecord | undefined> {
  const row = await readEventRow(store, eventId, options);
  return row ? toCostRecord(row) : undefined;
}

/** The stored row of an event (every column, snake_case), as `getEvent` finds it. */
export async function readEventRow(
  store: QueryStore,
  eventId: string,
  options: GetEventOptions = {},
): Promise<Record<string, unknown> | undefined> {
  if (!isEventId(eventId)) {
    throw new LedgerError(
      "E_QUERY_EVENT_ID",
      `an event id is a UUID, got ${JSON.stringify(String(eventId)).slice(0, 80)}`,
    );
  }
  const { project } = options;
  const projects = project === undefined ? undefined : typeof project === "string" ? [project] : [...project];
  // Through the id claims, which name the event's partition: a lookup reads one month's index.
  const rows = await readerOf(store).query<Record<string, unknown>>(
    eventsByIdSql(store.schema, "ARRAY[$1::uuid]") +
      (projects === undefined ? "" : " AND i.project = ANY($2::text[])") +
      " ORDER BY i.project LIMIT 1",
    projects === undefined ? [eventId.toLowerCase()] : [eventId.toLowerCase(), projects],
  );
  return rows[0];
}
