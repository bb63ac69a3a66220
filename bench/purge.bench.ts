// `npm run bench -- purge [--rows N] [--pglite-rows N] [--rounds N] [--skip-pglite]`: a retention purge
// of one month of events by dropping its partition (with the month's id claims), beside the naive way
// measured in the same run on the same data: deleting the month's events (and their claims) in batches
// of 10,000, one transaction each. On the Postgres server (TEST_DATABASE_URL or DATABASE_URL, in a
// database made for the run) and on PGlite in a temporary directory.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Database } from "../src/store/database.js";
import { openPglite } from "../src/store/engines/index.js";
import { createPartitionCache, ensurePartitions } from "../src/store/ledger/partitions.js";
import { migrateUp } from "../src/store/migrator.js";
import { deleteEventsInBatches, purgeEvents } from "../src/store/purge-events.js";
import { median, withBenchDatabase, writeResults } from "./support.js";

const day = 86_400_000;

function flag(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const value = index >= 0 ? Number(args[index + 1]) : Number.NaN;
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

/** The UTC month three months before now: wholly in the past, whatever today is. */
function pastMonth(): { from: Date; to: Date } {
  const now = new Date();
  return {
    from: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 3, 1)),
    to: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1)),
  };
}

/** `rows` events spread over the month, with their id claims, as the writer stores them. */
async function fillMonth(database: Database, rows: number, month: { from: Date; to: Date }): Promise<void> {
  await ensurePartitions(database, "public", createPartitionCache(), [month.from.getTime()]);
  const chunk = database.engine === "postgres" ? 250_000 : 50_000;
  for (let done = 0; done < rows; done += chunk) {
    await database.query(
      `WITH generated AS (
         INSERT INTO llm_cost_events (event_id, created_at, repo, task_type, model, resolved_model, provider, sdk,
           input_tokens, output_tokens, estimated_cost_usd, user_id, metadata)
         SELECT gen_random_uuid(), $1::timestamptz + random() * ($2::timestamptz - $1::timestamptz),
                'repo-' || (n % 40), 'task-' || (n % 20), 'model-' || (n % 12), 'model-' || (n % 12), 'anthropic', 'ai',
                n % 200000, n % 4000, round((n % 1000) / 1e6, 12), 'user-' || (n % 500),
                CASE WHEN n % 3 = 0 THEN jsonb_build_object('team', 'team-' || (n % 7)) END
           FROM generate_series(1, $3::int) AS n
         RETURNING project, event_id, created_at)
       INSERT INTO llm_cost_event_ids (project, event_id, created_at) SELECT * FROM generated`,
      [month.from, month.to, Math.min(chunk, rows - done)],
    );
  }
  await database.exec("ANALYZE llm_cost_events; ANALYZE llm_cost_event_ids");
}

async function timed(work: () => Promise<number>): Promise<{ ms: number; deleted: number }> {
  const started = performance.now();
  const deleted = await work();
  return { ms: performance.now() - started, deleted };
}

async function benchEngine(engine: string, database: Database, rows: number, rounds: number) {
  await migrateUp(database, { schema: "public" });
  const month = pastMonth();
  // A purge whose cutoff falls at or after the month's end, and before the next month begins.
  const days = Math.floor((Date.now() - month.to.getTime()) / day);
  const naive: number[] = [];
  const drop: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    // Alternate which goes first, so that drift over the run falls on both sides.
    const order = round % 2 === 0 ? (["drop", "naive"] as const) : (["naive", "drop"] as const);
    for (const way of order) {
      await fillMonth(database, rows, month);
      const result =
        way === "drop"
          ? await timed(() => purgeEvents(database, "public", days))
          : await timed(async () => {
              let deleted = 0;
              await deleteEventsInBatches(
                database,
                "public",
                month.to,
                10_000,
                (count) => (deleted += count),
              );
              return deleted;
            });
      if (result.deleted !== rows) throw new Error(`${way} deleted ${result.deleted} of ${rows} events`);
      (way === "drop" ? drop : naive).push(result.ms);
      console.log(
        `  round ${round + 1}: ${way === "drop" ? "partition drop" : "batched DELETE"} ${result.ms.toFixed(0)} ms`,
      );
    }
  }
  const ratio = median(naive) / median(drop);
  console.log(
    `${engine}: purge of a month of ${rows.toLocaleString("en-US")} events: partition drop p50 ${median(drop).toFixed(0)} ms, ` +
      `batched DELETE p50 ${median(naive).toFixed(0)} ms: ${ratio.toFixed(1)}x faster`,
  );
  return {
    engine,
    rows,
    rounds,
    dropMs: drop,
    naiveMs: naive,
    dropMedianMs: median(drop),
    naiveMedianMs: median(naive),
    ratio,
  };
}

async function benchServer(url: string, rows: number, rounds: number) {
  return withBenchDatabase(url, (database, name) => {
    console.log(`postgres server (database ${name}):`);
    return benchEngine("postgres", database, rows, rounds);
  });
}

async function benchPglite(rows: number, rounds: number) {
  const directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-bench-"));
  const database = await openPglite(directory);
  try {
    console.log("PGlite (in a temporary directory, in its worker thread):");
    return await benchEngine("pglite", database, rows, rounds);
  } finally {
    await database.close();
    await rm(directory, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const rows = flag(args, "--rows", 1_000_000);
  const pgliteRows = flag(args, "--pglite-rows", 200_000);
  const rounds = flag(args, "--rounds", 2);
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const loadBefore = os.loadavg();
  const results = [];
  if (url?.startsWith("postgres")) results.push(await benchServer(url, rows, rounds));
  else console.log("no TEST_DATABASE_URL/DATABASE_URL: the Postgres server part is skipped");
  if (!args.includes("--skip-pglite")) results.push(await benchPglite(pgliteRows, rounds));
  const loadAfter = os.loadavg();
  await writeResults("purge", {
    command: `npm run bench -- purge ${args.join(" ")}`.trim(),
    loadBefore,
    loadAfter,
    results,
  });
}
