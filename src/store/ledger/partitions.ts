import type { Database, Queryable } from "../database.js";
import { quoteSchema } from "../schema-name.js";

// llm_cost_events is range-partitioned by created_at, one partition per UTC month, with a default
// partition for the rest (migration 0001). Writers make a month's partition the first time they meet
// it; a retention purge drops whole months (purge-events.ts).

/** How far ahead of now a month gets a partition of its own; later times (a caller's clock gone wrong)
 * land in the default partition rather than making partitions nobody will fill. */
const monthsAhead = 2;

/** The months (their first instants, UTC) this process knows to have a partition, per schema. */
export interface PartitionCache {
  known: Set<number>;
}

export function createPartitionCache(): PartitionCache {
  return { known: new Set() };
}

/** The first instant of `time`'s UTC month (ms). */
export function monthStart(time: number): number {
  const date = new Date(time);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function nextMonth(start: number): number {
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** The partition's table name for the month starting at `start`: `llm_cost_events_p2026_12`. */
export function partitionName(start: number): string {
  const date = new Date(start);
  return `llm_cost_events_p${date.getUTCFullYear()}_${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
}

/**
 * Makes the partitions of the months `times` fall in (ms since the epoch), where missing. Best effort:
 * a month whose rows already sit in the default partition (or whose creation fails for any reason)
 * keeps going there, which is always correct, only less tidy to purge.
 */
export async function ensurePartitions(
  database: Database,
  schema: string,
  cache: PartitionCache,
  times: Iterable<number>,
): Promise<void> {
  const limit = nextMonth(monthStart(Date.now()) + monthsAhead * 31 * 86_400_000);
  const wanted = new Set<number>();
  for (const time of times) {
    if (!Number.isFinite(time)) continue;
    const start = monthStart(time);
    if (start < limit && start >= 0 && !cache.known.has(start)) wanted.add(start);
  }
  for (const start of [...wanted].sort((a, b) => a - b)) {
    await createPartition(database, schema, start).catch(() => undefined);
    cache.known.add(start);
  }
}

async function createPartition(database: Database, schema: string, start: number): Promise<void> {
  const quoted = quoteSchema(schema);
  const from = new Date(start).toISOString();
  const to = new Date(nextMonth(start)).toISOString();
  await database.transaction(async (transaction) => {
    await transaction.exec(`SET LOCAL client_min_messages = warning`);
    await transaction.exec(
      `CREATE TABLE IF NOT EXISTS ${quoted}.${partitionName(start)} PARTITION OF ${quoted}.llm_cost_events
         FOR VALUES FROM ('${from}') TO ('${to}')`,
    );
  });
}

/** A month partition: its name and bounds. */
export interface MonthPartition {
  name: string;
  from: Date;
  to: Date;
}

/** The month partitions of `schema`, oldest first (the default partition is not one). */
export async function listPartitions(database: Queryable, schema: string): Promise<MonthPartition[]> {
  const rows = await database.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
      WHERE n.nspname = $1 AND p.relname = 'llm_cost_events'`,
    [schema],
  );
  const partitions: MonthPartition[] = [];
  for (const { name } of rows) {
    const match = /^llm_cost_events_p(\d{4})_(\d{2})$/.exec(name);
    if (!match) continue;
    const from = Date.UTC(Number(match[1]), Number(match[2]) - 1, 1);
    partitions.push({ name, from: new Date(from), to: new Date(nextMonth(from)) });
  }
  return partitions.sort((a, b) => a.from.getTime() - b.from.getTime());
}
