// The metadata keys present in a range's events, for a filter that offers `metadata.<key>` from the
// keys a ledger really holds. Metadata is free-form JSON on the raw events (no rollup carries its
// keys), so the read is bounded twice: by the time range and by the newest `scanLimit` events in it.
import { LedgerError } from "../errors.js";
import { quoteSchema } from "../store/schema-name.js";
import { checkFilters, filterConditions, type CostFilters } from "./cost-filters.js";
import { checkLimit } from "./cost-query-options.js";
import { createSqlParameters } from "./sql-parameters.js";
import { readerOf, type QueryStore } from "./store-handle.js";
import { checkTimeRange, type Instant } from "./time-range.js";

/** The options of `listMetadataKeys`. */
export interface MetadataKeysOptions {
  /** Inclusive start of `created_at` (required: the read is bounded in time). */
  from: Instant;
  /** Exclusive end of `created_at`; default now. */
  to?: Instant | undefined;
  /** The same filters as `queryCosts` (a key bound to a project reads through its `project`). */
  filters?: CostFilters | undefined;
  /** Keys answered, most frequent first: 1 to 200, default 50. */
  limit?: number | undefined;
  /** Newest events read in the range: 1 to 100,000, default 20,000. */
  scanLimit?: number | undefined;
}

/** The keys found, each with the number of scanned events that carry it. */
export interface MetadataKeys {
  keys: Array<{ key: string; events: number }>;
  /** Events read (at most `scanLimit`). */
  scanned: number;
  /** True when the range holds more events than were read: rarer keys of older events may be missing. */
  truncated: boolean;
}

const knownOptions = ["from", "to", "filters", "limit", "scanLimit"];

/**
 * The metadata keys of the newest events of a range, most frequent first. It reads at most
 * `scanLimit` events through the `created_at` index and one JSON object per event, whatever the
 * ledger's size; `truncated` says when the range held more.
 *
 * @example
 * const { keys } = await listMetadataKeys(store, { from: "2026-11-01T00:00:00Z" });
 * // [{ key: "team", events: 812 }, { key: "feature", events: 40 }]
 */
export async function listMetadataKeys(
  store: QueryStore,
  options: MetadataKeysOptions,
): Promise<MetadataKeys> {
  for (const key of Object.keys(options)) {
    if (!knownOptions.includes(key)) {
      throw new LedgerError(
        "E_QUERY_OPTIONS",
        `listMetadataKeys: unknown option ${JSON.stringify(key)}; accepted: ${knownOptions.join(", ")}`,
      );
    }
  }
  if (options.from === undefined) {
    throw new LedgerError(
      "E_QUERY_RANGE",
      "from: required (the keys are read from a bounded range of events)",
    );
  }
  const range = checkTimeRange(options.from, options.to ?? new Date());
  const filters = checkFilters(options.filters);
  const limit = checkLimit(options.limit, 200) ?? 50;
  const scanLimit = checkScanLimit(options.scanLimit);

  const parameters = createSqlParameters();
  const conditions = filterConditions(filters, "raw", parameters);
  conditions.push(`created_at >= ${parameters.add(range.from!.toISOString())}::timestamptz`);
  conditions.push(`created_at < ${parameters.add(range.to!.toISOString())}::timestamptz`);
  // One more than the scan limit, to tell a range that holds more.
  const scanned = parameters.add(scanLimit + 1);
  const rows = await readerOf(store).query<{ scanned: string; key: string | null; events: string | null }>(
    `WITH recent AS MATERIALIZED (
       SELECT metadata FROM ${quoteSchema(store.schema)}.llm_cost_events
        WHERE ${conditions.join(" AND ")}
        ORDER BY created_at DESC, id DESC LIMIT ${scanned}::bigint
     ), counted AS (
       SELECT key, count(*) AS events
         FROM (SELECT metadata FROM recent LIMIT ${parameters.add(scanLimit)}::bigint) read,
              jsonb_object_keys(CASE WHEN jsonb_typeof(read.metadata) = 'object' THEN read.metadata END) AS key
        GROUP BY key ORDER BY events DESC, key COLLATE "C" LIMIT ${parameters.add(limit)}::bigint
     )
     SELECT (SELECT count(*) FROM recent) AS scanned, counted.key, counted.events
       FROM (SELECT 1) AS one LEFT JOIN counted ON true
      ORDER BY counted.events DESC, counted.key COLLATE "C"`,
    parameters.values,
  );
  const found = Number(rows[0]?.scanned ?? 0);
  return {
    keys: rows
      .filter((row) => row.key !== null)
      .map((row) => ({ key: row.key!, events: Number(row.events) })),
    scanned: Math.min(found, scanLimit),
    truncated: found > scanLimit,
  };
}

function checkScanLimit(value: unknown): number {
  if (value === undefined) return 20_000;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > 100_000) {
    throw new LedgerError(
      "E_QUERY_OPTIONS",
      `scanLimit: expected a whole number from 1 to 100000, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
