import { writeColumnNames } from "../cost-record-encoding.js";
import { quoteSchema } from "../schema-name.js";
import { rollupUpserts, signedRowColumns, upsertCtes } from "./rollup-upserts.js";

const columnList = writeColumnNames.join(", ");
// An event without an ingest time (every one but an import's) takes the time of this insert.
const insertedValues = writeColumnNames
  .map((column) => (column === "ingested_at" ? "COALESCE(f.ingested_at, now())" : `f.${column}`))
  .join(", ");

/**
 * The one statement that writes a batch from `source` (the staging table, or `unnest` of arrays):
 * 1. every row draws its `id` in arrival order (so ids say in which order events came);
 * 2. each (event_id, project) is claimed in `llm_cost_event_ids`, first arrival in the batch winning;
 *    claims go in key order, so writers with overlapping ids wait in one order and cannot deadlock;
 * 3. the events whose claim succeeded are inserted into their month's partition;
 * 4. exactly what was inserted is added to the rollups (see rollup-upserts.ts): `open` when no event of
 *    the batch is in a closed day, `late` when some may be (`none` only to measure what rollups cost).
 * It answers the count inserted and the ids that were already stored.
 */
export function insertEventsStatement(
  schema: string,
  source: string,
  rollups: "none" | "open" | "late",
): string {
  const q = quoteSchema(schema);
  const sequence = `'${q}.llm_cost_events_id_seq'::regclass`;
  const closed = `(SELECT daily_through FROM ${q}.llm_cost_rollup_state)`;
  const upserts =
    rollups === "none"
      ? undefined
      : upsertCtes(rollupUpserts(q, "inserted", closed, rollups === "late", false));
  return `WITH input AS MATERIALIZED (
      SELECT nextval(${sequence}) AS id, ${columnList} FROM ${source} AS source_rows
    ), first AS MATERIALIZED (
      SELECT DISTINCT ON (event_id, project) * FROM input ORDER BY event_id, project, id
    ), claimed AS (
      INSERT INTO ${q}.llm_cost_event_ids (project, event_id, created_at)
      SELECT project, event_id, created_at FROM first ORDER BY event_id, project
      ON CONFLICT DO NOTHING
      RETURNING project, event_id
    ), inserted AS (
      INSERT INTO ${q}.llm_cost_events (id, ${columnList})
      SELECT f.id, ${insertedValues}
        FROM first f JOIN claimed c ON c.project = f.project AND c.event_id = f.event_id
      RETURNING 1 AS sign, ${signedRowColumns}
    )${upserts ? `,\n${upserts.ctes}` : ""}
    SELECT (SELECT count(*) FROM inserted) AS inserted,
      ARRAY(SELECT i.event_id::text FROM input i
             WHERE NOT EXISTS (SELECT 1 FROM claimed c WHERE c.project = i.project AND c.event_id = i.event_id))
        AS duplicate_ids${upserts ? `,\n      ${upserts.touched} AS rollup_rows` : ""}`;
}
