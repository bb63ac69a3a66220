import type { Database, Queryable } from "./database.js";
import type { NewLlmCostRecord } from "./cost-record.js";
import { columnArrays, copyText, writeColumnNames, writeColumns } from "./cost-record-encoding.js";
import { advisoryLockKey } from "./advisory-lock.js";
import { closeDaysOnceADay, type DayClosingState } from "./ledger/close-days.js";
import { insertEventsStatement } from "./ledger/insert-events.js";
import {
  createKnownRates,
  keepRates,
  rememberRates,
  unknownRates,
  type KnownRates,
} from "./ledger/kept-rates.js";
import { createPartitionCache, ensurePartitions, type PartitionCache } from "./ledger/partitions.js";
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
 * A writer of one schema: the statements it runs and what it learned about the database (which month
 * partitions exist, when it last closed the ended days). The store keeps one per instance.
 */
export interface CostWriter {
  database: Database;
  schema: string;
  /** False only in the benchmark that measures what keeping the rollups costs. */
  rollups: boolean;
  partitions: PartitionCache;
  days: DayClosingState;
  dayLock: [number, number];
  /** The rate sets this writer has stored (migration 0010), so it writes each once. */
  knownRates: KnownRates;
  statement(source: string, rollups: "none" | "open" | "late"): string;
}

/** A writer for `schema` (`rollups: false` is for measuring the rollups' cost only: it leaves them behind). */
export function createCostWriter(
  database: Database,
  schema: string,
  options: { rollups?: boolean } = {},
): CostWriter {
  quoteSchema(schema);
  const rollups = options.rollups !== false;
  const statements = new Map<string, string>();
  return {
    database,
    schema,
    rollups,
    partitions: createPartitionCache(),
    days: { checkedDay: undefined },
    dayLock: advisoryLockKey("rollupDays", schema),
    knownRates: createKnownRates(),
    statement(source, mode) {
      const key = `${mode}:${source}`;
      let text = statements.get(key);
      if (!text) statements.set(key, (text = insertEventsStatement(schema, source, mode)));
      return text;
    },
  };
}

/**
 * Writes many records in one transaction, skipping any whose (project, `event_id`) is already stored,
 * so a retried batch never double-counts, and adding what it inserted to the rollups. Engines that can
 * bulk load (`copyFrom`) COPY into a temporary staging table and insert from it (COPY alone cannot
 * skip conflicts: one duplicate would abort the batch); others insert from `unnest` of text arrays.
 */
export async function recordCosts(
  writer: CostWriter,
  records: readonly NewLlmCostRecord[],
): Promise<RecordCostsResult> {
  if (records.length === 0) return { inserted: 0, duplicates: 0, duplicateEventIds: [] };
  const result: Required<RecordCostsResult> = {
    inserted: 0,
    duplicates: 0,
    duplicateEventIds: [],
    rejected: [],
  };
  await writeIsolating(writer, records, result);
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
  writer: CostWriter,
  records: readonly NewLlmCostRecord[],
  result: Required<RecordCostsResult>,
): Promise<void> {
  let failure: StoreWriteError;
  try {
    const row = await writeOnce(writer, records);
    const inserted = Number(row.inserted);
    result.inserted += inserted;
    result.duplicates += records.length - inserted;
    result.duplicateEventIds.push(...(row.duplicate_ids ?? []));
    return;
  } catch (error) {
    failure = storeWriteError(
      error,
      `cannot write ${records.length} cost event(s) to ${writer.database.description}`,
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
  await writeIsolating(writer, records.slice(0, middle), result);
  await writeIsolating(writer, records.slice(middle), result);
}

async function writeOnce(writer: CostWriter, records: readonly NewLlmCostRecord[]): Promise<InsertSummary> {
  const { database, schema } = writer;
  await ensurePartitions(database, schema, writer.partitions, createdTimes(records));
  if (writer.rollups) await closeDaysOnceADay(database, schema, writer.days);
  const newRates = unknownRates(writer.knownRates, records);
  const summary = await database.transaction(async (transaction) => {
    // The rate sets first, in the batch's transaction: a stored ref always names a stored set.
    await keepRates(transaction, schema, newRates);
    // With COPY, the staging table's statement takes the lock too (one round trip fewer).
    const staging = transaction.copyFrom ? createStaging : undefined;
    if (staging) await transaction.exec(writer.rollups ? `${staging};\n${sharedDayLock(writer)}` : staging);
    else if (writer.rollups) await transaction.exec(sharedDayLock(writer));
    const mode = writer.rollups ? await rollupMode(transaction, writer, records) : "none";
    if (!transaction.copyFrom) return viaUnnest(transaction, writer, records, mode);
    await transaction.copyFrom(stagingTable, writeColumnNames, copyText(records));
    const rows = await transaction.query<InsertSummary>(writer.statement(stagingTable, mode));
    return rows[0]!;
  });
  rememberRates(writer.knownRates, newRates);
  return summary;
}

/**
 * The day-closing lock taken shared, for this transaction (every writer shares it; closing days takes
 * it alone: see ledger/close-days.ts). The key is two integers the writer computed, so it is written
 * into the text (a multi-statement exec takes no parameters).
 */
function sharedDayLock(writer: CostWriter): string {
  const [high, low] = writer.dayLock;
  return `SELECT pg_advisory_xact_lock_shared(${Math.trunc(high)}::int, ${Math.trunc(low)}::int)`;
}

/**
 * Reads which days are closed, after the day-closing lock (so that no closing can slip in between):
 * `late` when an event of the batch may fall in a closed day, `open` otherwise.
 */
async function rollupMode(
  transaction: Queryable,
  writer: CostWriter,
  records: readonly NewLlmCostRecord[],
): Promise<"open" | "late"> {
  const [state] = await transaction.query<{ through: Date }>(
    `SELECT daily_through AS through FROM ${quoteSchema(writer.schema)}.llm_cost_rollup_state`,
  );
  const through = state?.through.getTime() ?? Number.POSITIVE_INFINITY;
  for (const record of records) {
    const value = record.createdAt;
    const time = value instanceof Date ? value.getTime() : Date.parse(value);
    // A time JavaScript cannot read may still be one Postgres can: assume the worst.
    if (!(time >= through)) return "late";
  }
  return "open";
}

function createdTimes(records: readonly NewLlmCostRecord[]): Set<number> {
  const times = new Set<number>();
  for (const record of records) {
    const value = record.createdAt;
    times.add(value instanceof Date ? value.getTime() : Date.parse(value));
  }
  return times;
}

interface InsertSummary {
  inserted: string | number;
  duplicate_ids: string[] | null;
}

const createStaging = `SET LOCAL client_min_messages = warning;
CREATE TEMP TABLE IF NOT EXISTS llm_ledger_staging (
  ${writeColumns.map(([name, type]) => `${name} ${type}`).join(",\n  ")}
) ON COMMIT DELETE ROWS`;

const unnestSource = `(SELECT * FROM unnest(${writeColumns
  .map(([, type], index) => `$${index + 1}::text[]::${type}[]`)
  .join(", ")}) AS input (${columnList}))`;

async function viaUnnest(
  transaction: Queryable,
  writer: CostWriter,
  records: readonly NewLlmCostRecord[],
  mode: "none" | "open" | "late",
): Promise<InsertSummary> {
  const rows = await transaction.query<InsertSummary>(
    writer.statement(unnestSource, mode),
    columnArrays(records),
  );
  return rows[0]!;
}
