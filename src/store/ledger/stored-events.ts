import { quoteSchema } from "../schema-name.js";

/**
 * SQL selecting the stored events whose ids are in the uuid[] parameter `$1`: through the id claims,
 * whose `created_at` names the partition, so a lookup reads one partition's index instead of every
 * month's rows.
 */
export function eventsByIdSql(schema: string, idsParameter = "$1::text[]::uuid[]"): string {
  const q = quoteSchema(schema);
  return `SELECT e.* FROM ${q}.llm_cost_event_ids i
      JOIN ${q}.llm_cost_events e
        ON e.created_at = i.created_at AND e.event_id = i.event_id AND e.project = i.project
     WHERE i.event_id = ANY(${idsParameter})`;
}
