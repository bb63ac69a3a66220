import type { Database, Queryable } from "./database.js";
import type { NewLlmCostRecord } from "./cost-record.js";
import { columnArrays, copyText, writeColumnNames, writeColumns } from "./cost-record-encoding.js";
import { scheduleRollupCompaction } from "./rollup-compaction.js";
import { quoteSchema } from "./schema-name.js";
import { storeWriteError, type StoreWriteError } from "./store-write-error.js";

/** A record the store refused for its content (a value Postgres would not take), with why. */
export interface RecordRejection {
  eventId: string;
  reason: string;
}

/**
 * What a batch write did. `duplicates` counts records whose `event_id` was already stored (or
 * repeated in the batch); `rejected` lists records refused for their content, every other record of
 * the batch having been stored.
 */
export interface RecordCostsResult {
  inserted: number;
  duplicates: number;
  /** The `eventId`s that were already stored before this write (so callers can tell which ones). */
  duplicateEventIds?: string[];
  rejected?: RecordRejection[];
}

const stagingTable = "pg_temp.llm_ledger_staging";
const columnList = writeColumnNames.join(", ");

/**
 * Writes many records in one transaction, skipping any whose `event_id` already exists
 * (`ON CONFLICT (event_id) DO NOTHING`), so a retried batch never double-counts. Engines that can
 * bulk load (`copyFrom`) COPY into a temporary staging table and insert from it (COPY alone cannot
 * skip conflicts: one duplicate would abort the batch); others insert from `unnest` of text arrays.
 */
export async function recordCosts(
  database: Database,
  schema: string,
  records: readonly NewLlmCostRecord[],
): Promise<RecordCostsResult> {
  if (records.length === 0) return { inserted: 0, duplicates: 0, duplicateEventIds: [] };
  const result: Required<RecordCostsResult> = {
    inserted: 0,
    duplicates: 0,
    duplicateEventIds: [],
    rejected: [],
  };
  await writeIsolating(database, schema, records, result);
  if (result.inserted > 0) scheduleRollupCompaction(database, schema);
  const { rejected, ...written } = result;
  // `rejected` only when there is one: the common result keeps the shape it always had.
  return rejected.length > 0 ? result : written;
}

/**
 * Writes `records`; when Postgres refuses their content (a data or integrity error: transient
 * failures are thrown for the caller to retry), splits them in halves until each refused record stands
 * alone, so one bad record never costs the others: about 2·log2(n) more writes for such a batch only.
 */
async function writeIsolating(
  database: Database,
  schema: string,
  records: readonly NewLlmCostRecord[],
  result: Required<RecordCostsResult>,
): Promise<void> {
  let failure: StoreWriteError;
  try {
    const row = await writeOnce(database, schema, records);
    const inserted = Number(row.inserted);
    result.inserted += inserted;
    result.duplicates += records.length - inserted;
    result.duplicateEventIds.push(...(row.duplicate_ids ?? []));
    return;
  } catch (error) {
    failure = storeWriteError(
      error,
      `cannot write ${records.length} cost event(s) to ${database.description}`,
    );
  }
  if (failure.transient) throw failure;
  if (records.length === 1) {
    result.rejected.push({
      eventId: records[0]!.eventId,
      reason: `refused by the store: ${failure.message}`,
    });
    return;
  }
  const middle = Math.ceil(records.length / 2);
  await writeIsolating(database, schema, records.slice(0, middle), result);
  await writeIsolating(database, schema, records.slice(middle), result);
}

async function writeOnce(
  database: Database,
  schema: string,
  records: readonly NewLlmCostRecord[],
): Promise<InsertSummary> {
  const target = `${quoteSchema(schema)}.llm_cost_events`;
  return database.transaction((transaction) =>
    transaction.copyFrom ? viaStaging(transaction, target, records) : viaUnnest(transaction, target, records),
  );
}

interface InsertSummary {
  inserted: string | number;
  duplicate_ids: string[] | null;
}

/**
 * The insert from `source`, reporting the count inserted and the ids that conflicted with stored rows.
 * Rows are inserted in `event_id` order, so two writers with overlapping ids wait on each other in one
 * order and cannot deadlock (in arrival order each could hold a row the other waits for). Their `id`s
 * are drawn first, in arrival order, so `id` still says in which order a batch's events came.
 */
function insertFrom(target: string, source: string): string {
  const sequence = `'${target.replace(/llm_cost_events$/, "llm_cost_events_id_seq")}'::regclass`;
  return `WITH numbered AS MATERIALIZED (
      SELECT nextval(${sequence}) AS id, ${columnList} FROM ${source}
    ), inserted AS (
      INSERT INTO ${target} (id, ${columnList})
      SELECT id, ${columnList} FROM numbered ORDER BY event_id
      ON CONFLICT (event_id) DO NOTHING
      RETURNING event_id
    )
    SELECT (SELECT count(*) FROM inserted) AS inserted,
      ARRAY(SELECT s.event_id::text FROM numbered s
             WHERE s.event_id NOT IN (SELECT event_id FROM inserted)) AS duplicate_ids`;
}

const createStaging = `SET LOCAL client_min_messages = warning;
CREATE TEMP TABLE IF NOT EXISTS llm_ledger_staging (
  ${writeColumns.map(([name, type]) => `${name} ${type}`).join(",\n  ")}
) ON COMMIT DELETE ROWS`;

async function viaStaging(
  transaction: Queryable,
  target: string,
  records: readonly NewLlmCostRecord[],
): Promise<InsertSummary> {
  await transaction.exec(createStaging);
  await transaction.copyFrom!(stagingTable, writeColumnNames, copyText(records));
  const rows = await transaction.query<InsertSummary>(insertFrom(target, stagingTable));
  return rows[0]!;
}

const unnestSource = `(SELECT * FROM unnest(${writeColumns
  .map(([, type], index) => `$${index + 1}::text[]::${type}[]`)
  .join(", ")}) AS input (${columnList}))`;

async function viaUnnest(
  transaction: Queryable,
  target: string,
  records: readonly NewLlmCostRecord[],
): Promise<InsertSummary> {
  const statement = `WITH input AS MATERIALIZED ${unnestSource} ${insertFrom(target, "input").replace(/^WITH /, ", ")}`;
  const rows = await transaction.query<InsertSummary>(statement, columnArrays(records));
  return rows[0]!;
}
