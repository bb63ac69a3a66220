import type { Database, Queryable } from "./database.js";
import type { NewLlmCostRecord } from "./cost-record.js";
import { columnArrays, copyText, writeColumnNames, writeColumns } from "./cost-record-encoding.js";
import { scheduleRollupCompaction } from "./rollup-compaction.js";
import { quoteSchema } from "./schema-name.js";
import { storeWriteError } from "./store-write-error.js";

/** What a batch write did. `duplicates` counts records whose `event_id` was already stored (or repeated in the batch). */
export interface RecordCostsResult {
  inserted: number;
  duplicates: number;
  /** The `eventId`s that were already stored before this write (so callers can tell which ones). */
  duplicateEventIds?: string[];
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
  const target = `${quoteSchema(schema)}.llm_cost_events`;
  try {
    const row = await database.transaction((transaction) =>
      transaction.copyFrom
        ? viaStaging(transaction, target, records)
        : viaUnnest(transaction, target, records),
    );
    const inserted = Number(row.inserted);
    if (inserted > 0) scheduleRollupCompaction(database, schema);
    return {
      inserted,
      duplicates: records.length - inserted,
      duplicateEventIds: row.duplicate_ids ?? [],
    };
  } catch (error) {
    throw storeWriteError(error, `cannot write ${records.length} cost event(s) to ${database.description}`);
  }
}

interface InsertSummary {
  inserted: string | number;
  duplicate_ids: string[] | null;
}

/** The insert from `source`, reporting the count inserted and the ids that conflicted with stored rows. */
function insertFrom(target: string, source: string): string {
  return `WITH inserted AS (
      INSERT INTO ${target} (${columnList})
      SELECT ${columnList} FROM ${source}
      ON CONFLICT (event_id) DO NOTHING
      RETURNING event_id
    )
    SELECT (SELECT count(*) FROM inserted) AS inserted,
      ARRAY(SELECT s.event_id::text FROM ${source} s
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
