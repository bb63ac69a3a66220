// `npm run bench -- queries [--rows N] [--pglite-rows N] [--iterations N] [--write-rows N]
//   [--write-pairs N] [--skip-pglite] [--pglite-memory] [--keep-database | --reuse-database NAME]`:
// report latency from the hourly rollups beside the same reports from raw events, on realistic skewed
// data (90 days; few repos and models carry most spend), on the Postgres server (TEST_DATABASE_URL or
// DATABASE_URL, in a database created for the run and dropped afterwards) and on PGlite (in a
// temporary directory, or in memory); and what keeping the rollups costs the store's write path.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { queryCostsUsing } from "../src/query/query-costs.js";
import type { QueryCostsOptions } from "../src/query/index.js";
import type { Database } from "../src/store/database.js";
import { migrateUp } from "../src/store/migrator.js";
import { openPglite } from "../src/store/engines/index.js";
import { createCostWriter, recordCosts } from "../src/store/record-costs.js";
import { compactRollups, rollupUpserts, signedRowColumns, upsertCtes } from "../src/store/ledger/index.js";
import { createPartitionCache, ensurePartitions } from "../src/store/ledger/partitions.js";
import type { NewLlmCostRecord } from "../src/store/cost-record.js";
import { measure, median, withBenchDatabase, writeResults } from "./support.js";

function flag(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const value = index >= 0 ? Number(args[index + 1]) : Number.NaN;
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

const hour = 3_600_000;

/**
 * Server-side generation of `count` events over the 90 days before `now`, stored in time order as a
 * tracker appends them (chunk by chunk, from the oldest): repo and model indexes
 * drawn from skewed distributions (x^3, x^2.5); each repo runs a few task types and mostly one SDK,
 * as real applications do; a third of the model ids dated spellings of the same catalog id, 2%
 * unpriced, some fallbacks, errors and provider-reported costs.
 */
const generateSql = (schema: string) => `
WITH generated AS (
INSERT INTO llm_cost_events (project, event_id, created_at, repo, task_type, model, resolved_model, provider, sdk,
  environment, input_tokens, output_tokens, cache_read_tokens, reasoning_tokens, estimated_cost_usd,
  provider_cost_usd, cost_source, priced, used_fallback, error, user_id, session_id, metadata)
SELECT 'team-' || repo_index % 4, gen_random_uuid(), $1::timestamptz - ($3::float8 + r_time * $4::float8) * interval '90 days',
  'repo-' || repo_index,
  'task-' || task_index,
  CASE WHEN unpriced THEN 'mystery-' || model_index
       WHEN dated THEN 'model-' || model_index || '-20250101' ELSE 'model-' || model_index END,
  CASE WHEN unpriced THEN NULL ELSE 'model-' || model_index END,
  (ARRAY['anthropic', 'openai', 'google'])[1 + model_index % 3],
  (ARRAY['ai', 'agent', 'raw', 'http'])[1 + sdk_index],
  CASE WHEN r_env < 0.9 THEN 'production' WHEN r_env < 0.99 THEN 'staging' ELSE NULL END,
  input_tokens, output_tokens, cache_read_tokens, 0,
  CASE WHEN unpriced THEN 0
       ELSE round((input_tokens * (0.5 + model_index) + output_tokens * (2 + 4 * model_index)) / 1e6, 12) END,
  CASE WHEN r_provider < 0.1 THEN round((input_tokens * (0.5 + model_index)) / 1e6, 12) END,
  CASE WHEN unpriced THEN 'none' ELSE 'catalog' END,
  NOT unpriced, r_flag < 0.05, CASE WHEN r_flag > 0.98 THEN 'rate limited' END,
  'user-' || user_index,
  -- A session: one user's calls within a few minutes of each other.
  'session-' || user_index || '-' || floor(r_time * 40000)::int,
  jsonb_build_object('team', 'team-' || repo_index % 6, 'feature', 'feature-' || task_index % 7)
FROM (
  SELECT r_time, repo_index, (repo_index * 3 + floor(pow(random(), 2) * 4)::int) % 20 AS task_index,
         floor(pow(random(), 2.5) * 12)::int AS model_index, random() < 0.3 AS dated,
         random() < 0.02 AS unpriced, (repo_index + (random() < 0.1)::int) % 4 AS sdk_index,
         random() AS r_env, floor(random() * 200000)::bigint AS input_tokens,
         floor(random() * 4000)::bigint AS output_tokens, floor(random() * 50000)::bigint AS cache_read_tokens,
         random() AS r_provider, random() AS r_flag,
         -- A user works in one project (team-N's 125 users have index = N mod 4), as in a real team.
         floor(random() * 125)::int * 4 + repo_index % 4 AS user_index
    FROM (SELECT random() AS r_time, floor(pow(random(), 3) * 40)::int AS repo_index
            FROM generate_series(1, $2::int)) AS base
) AS draws
ORDER BY r_time DESC
RETURNING *
), claims AS (
  INSERT INTO llm_cost_event_ids (project, event_id, created_at) SELECT project, event_id, created_at FROM generated
), inserted AS (
  SELECT 1 AS sign, ${signedRowColumns} FROM generated
), ${upsertCtes(rollupUpserts(`"${schema}"`, "inserted", "(SELECT daily_through FROM llm_cost_rollup_state)")).ctes}
SELECT count(*) FROM generated`;

/**
 * Generates `rows` events as the writer stores them (claims, the hourly rollups kept in the same
 * statement), with the days opened from the first generated one, and then closes them all at once
 * (as a writer's first write of a day does), so the closed-day tables are built from the hourly rows.
 */
export async function generate(database: Database, schema: string, rows: number, now: Date): Promise<number> {
  const started = performance.now();
  const chunk = database.engine === "postgres" ? 250_000 : 50_000;
  const first = now.getTime() - 90 * 86_400_000;
  const months = Array.from({ length: 5 }, (_, index) => first + index * 28 * 86_400_000).concat(
    now.getTime(),
  );
  await ensurePartitions(database, schema, createPartitionCache(), months);
  await database.query(
    `UPDATE "${schema}".llm_cost_rollup_state SET daily_through = date_trunc('day', $1::timestamptz, 'UTC')`,
    [new Date(first)],
  );
  for (let done = 0; done < rows; done += chunk) {
    await database.transaction(async (transaction) => {
      await transaction.query(`SELECT set_config('search_path', $1, true)`, [`"${schema}"`]);
      // This chunk's slice of the 90 days, as fractions back from `now`.
      const chunks = Math.ceil(rows / chunk);
      const width = 1 / chunks;
      const sliceStart = (chunks - 1 - done / chunk) * width;
      await transaction.query(generateSql(schema), [
        now.toISOString(),
        Math.min(chunk, rows - done),
        sliceStart,
        width,
      ]);
    });
    process.stdout.write(`\r  generated ${Math.min(done + chunk, rows).toLocaleString("en-US")} rows`);
  }
  process.stdout.write("\n");
  await compactRollups(database, schema);
  await database.exec(`VACUUM "${schema}".llm_cost_hourly, "${schema}".llm_cost_rollup_by_dimension`);
  await database.exec(
    [
      "llm_cost_events",
      "llm_cost_hourly",
      "llm_cost_daily",
      "llm_cost_hourly_summary",
      "llm_cost_daily_summary",
      // Without its statistics the planner takes the per-user rows for one row and sorts them.
      "llm_cost_rollup_by_dimension",
    ]
      .map((table) => `ANALYZE "${schema}".${table}`)
      .join("; "),
  );
  return performance.now() - started;
}

/**
 * The first-hour issue's reports beside them: spend by user (from the per-user rollup) over 30 days
 * from now minus 30 × 24 hours (mid-hour, as `--since 30d` sends) and over the dashboard's "last 30
 * days" (today so far and the 29 UTC days before it), and the breakdowns that read raw events
 * (sessions, a metadata key), over 7 days.
 */
function firstHourReports(now: Date): Array<{ name: string; options: QueryCostsOptions }> {
  const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * hour);
  const today = Math.floor(now.getTime() / (24 * hour)) * 24 * hour;
  const dayAligned = new Date(today - 29 * 24 * hour);
  return [
    {
      name: "30-day spend by user, mid-hour",
      options: { from: daysAgo(30), to: now, groupBy: ["userId"] },
    },
    {
      name: "30-day by user, day-aligned",
      options: { from: dayAligned, to: now, groupBy: ["userId"] },
    },
    {
      name: "top sessions, 7 days",
      options: { from: daysAgo(7), to: now, groupBy: ["sessionId"], orderBy: "costUsd:desc", limit: 20 },
    },
    {
      name: "7 days by metadata.team",
      options: { from: daysAgo(7), to: now, groupBy: ["metadata.team"] },
    },
  ];
}

/**
 * The projects issue's reports: one project's spend (a project owns a quarter of the repos, so the
 * rollup rows per project are as many as before the generator named projects).
 */
function projectReports(now: Date): Array<{ name: string; options: QueryCostsOptions }> {
  const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * hour);
  return [
    {
      name: "one project, 30 days by model",
      options: { from: daysAgo(30), to: now, groupBy: ["model"], filters: { project: ["team-1"] } },
    },
    {
      name: "one project's daily trend, 30 days",
      options: { from: daysAgo(30), to: now, grain: "day", filters: { project: ["team-2"] } },
    },
  ];
}

/** The four reports of the issue. `now` is not on an hour, so the edges come from raw events (mixed). */
function reports(now: Date): Array<{ name: string; options: QueryCostsOptions }> {
  const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * hour);
  return [
    { name: "30-day spend by model", options: { from: daysAgo(30), to: now, groupBy: ["model"] } },
    {
      name: "30 days by day x repo",
      options: { from: daysAgo(30), to: now, groupBy: ["repo"], grain: "day" },
    },
    {
      name: "top task types, 7 days",
      options: { from: daysAgo(7), to: now, groupBy: ["taskType"], orderBy: "costUsd:desc", limit: 10 },
    },
    {
      name: "one repo's daily trend, 30 days",
      options: { from: daysAgo(30), to: now, grain: "day", filters: { repo: ["repo-3"] } },
    },
  ];
}

async function measureReports(
  database: Database,
  schema: string,
  now: Date,
  iterations: number,
  which: typeof reports = reports,
) {
  const store = { database, schema };
  const results = [];
  for (const { name, options } of which(now)) {
    const fast = await queryCostsUsing(store, options, "auto");
    const raw = await queryCostsUsing(store, options, "raw");
    const equal =
      JSON.stringify(fast.rows) === JSON.stringify(raw.rows) &&
      JSON.stringify(fast.totals) === JSON.stringify(raw.totals);
    const rawLatency = await measure(
      () => queryCostsUsing(store, options, "raw"),
      Math.max(5, Math.ceil(iterations / 3)),
    );
    const rollupLatency = await measure(() => queryCostsUsing(store, options, "auto"), iterations);
    const ratio = rawLatency.p50 / rollupLatency.p50;
    results.push({
      name,
      source: fast.source,
      rows: fast.rows.length,
      equal,
      raw: rawLatency,
      rollup: rollupLatency,
      ratio,
    });
    console.log(
      `  ${name.padEnd(32)} raw p50 ${rawLatency.p50.toFixed(1).padStart(8)} ms  p95 ${rawLatency.p95.toFixed(1).padStart(8)} ms | ` +
        `${fast.source} p50 ${rollupLatency.p50.toFixed(1).padStart(6)} ms  p95 ${rollupLatency.p95.toFixed(1).padStart(6)} ms | ` +
        `${ratio.toFixed(0).padStart(4)}x  ${equal ? "answers equal" : "ANSWERS DIFFER"}`,
    );
  }
  return results;
}

/** The rollups' size, then every group of reports (the issue's four, the first hour's, the projects'). */
async function measureAllReports(
  database: Database,
  schema: string,
  now: Date,
  iterations: number,
  generated: string,
) {
  const size = await rollupSize(database, schema);
  console.log(
    `  ${generated}; rollup rows: ${size.hourlyRows.toLocaleString("en-US")} hourly, ${size.dailyRows.toLocaleString("en-US")} daily, summaries ${size.hourlySummaryRows.toLocaleString("en-US")} hourly, ${size.dailySummaryRows.toLocaleString("en-US")} daily`,
  );
  const queries = await measureReports(database, schema, now, iterations);
  console.log(
    "  the first-hour issue's reports (by user from its rollup; sessions, metadata from raw events):",
  );
  const firstHourQueries = await measureReports(
    database,
    schema,
    now,
    Math.max(5, Math.ceil(iterations / 3)),
    firstHourReports,
  );
  console.log("  the projects issue's reports (one project's spend):");
  const projectQueries = await measureReports(database, schema, now, iterations, projectReports);
  return { size, queries, firstHourQueries, projectQueries };
}

/** What a tracker hands the store: recent events (its batches cover the last moments), skewed dimensions. */
export function writeRecords(count: number, now: Date): NewLlmCostRecord[] {
  let seed = 42;
  const random = () => (seed = (seed * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32;
  return Array.from({ length: count }, () => {
    const repo = Math.floor(random() ** 3 * 40);
    const model = Math.floor(random() ** 2.5 * 12);
    return {
      eventId: randomUUID(),
      createdAt: new Date(now.getTime() - Math.floor(random() * 120_000)),
      repo: `repo-${repo}`,
      taskType: `task-${(repo * 3 + Math.floor(random() ** 2 * 4)) % 20}`,
      model: `model-${model}`,
      resolvedModel: `model-${model}`,
      provider: ["anthropic", "openai", "google"][model % 3]!,
      sdk: (["ai", "agent", "raw", "http"] as const)[repo % 4]!,
      inputTokens: Math.floor(random() * 200_000),
      outputTokens: Math.floor(random() * 4000),
      estimatedCostUsd: `0.${String(Math.floor(random() * 1e9)).padStart(9, "0")}`,
      usedFallback: random() < 0.05,
      environment: "production",
    };
  });
}

/**
 * The store's write path (recordCosts) with and without keeping the rollups (a writer made with
 * `rollups: false` leaves them behind; nothing else does), in `pairs` pairs of rounds of `rows` events,
 * each pair in the other order (with-without, without-with, ...) so that drift over the run falls on
 * both sides. Rounds vary a lot on these machines (single batches stall for up to a second either
 * way), so the cost is computed from the summed times of all rounds; the median of the pairs' own
 * ratios is printed beside it.
 */
async function measureWriteCost(
  database: Database,
  schema: string,
  rows: number,
  batch: number,
  now: Date,
  pairs: number,
) {
  const totalMs: Record<"with" | "without", number> = { with: 0, without: 0 };
  const pairCosts: number[] = [];
  for (let pair = 0; pair < pairs; pair += 1) {
    const order = pair % 2 === 0 ? (["with", "without"] as const) : (["without", "with"] as const);
    const ms: Partial<Record<"with" | "without", number>> = {};
    for (const mode of order) {
      const writer = createCostWriter(database, schema, { rollups: mode === "with" });
      // An hour after the reports' window: a database kept for later runs (--keep-database) keeps these
      // events, and its reports must not read them (nor the rounds without rollups beside raw events).
      const records = writeRecords(rows, new Date(now.getTime() + hour));
      const started = performance.now();
      for (let index = 0; index < records.length; index += batch) {
        await recordCosts(writer, records.slice(index, index + batch));
      }
      ms[mode] = performance.now() - started;
      totalMs[mode] += ms[mode];
    }
    pairCosts.push(1 - ms.without! / ms.with!);
  }
  const withRollups = (pairs * rows) / (totalMs.with / 1000);
  const withoutRollups = (pairs * rows) / (totalMs.without / 1000);
  const cost = 1 - withRollups / withoutRollups;
  const medianPairCost = median(pairCosts);
  console.log(
    `  writes (${pairs} x 2 rounds of ${rows.toLocaleString("en-US")} events, batches of ${batch}): ` +
      `${withoutRollups.toFixed(0)} events/s without rollups, ${withRollups.toFixed(0)} with: ` +
      `rollups cost ${(cost * 100).toFixed(1)}% of the ingest rate (median pair ${(medianPairCost * 100).toFixed(1)}%, ` +
      `pairs ${(Math.min(...pairCosts) * 100).toFixed(0)} to ${(Math.max(...pairCosts) * 100).toFixed(0)}%)`,
  );
  return { rows, batch, pairs, withoutRollups, withRollups, cost, medianPairCost, pairCosts };
}

async function rollupSize(database: Database, schema: string) {
  const [row] = await database.query<
    Record<"events" | "hourly" | "daily" | "hourlySummary" | "dailySummary", string>
  >(
    `SELECT (SELECT count(*) FROM "${schema}".llm_cost_events)::text AS events,
            (SELECT count(*) FROM "${schema}".llm_cost_hourly)::text AS hourly,
            (SELECT count(*) FROM "${schema}".llm_cost_daily)::text AS daily,
            (SELECT count(*) FROM "${schema}".llm_cost_hourly_summary)::text AS "hourlySummary",
            (SELECT count(*) FROM "${schema}".llm_cost_daily_summary)::text AS "dailySummary"`,
  );
  return {
    events: Number(row?.events),
    hourlyRows: Number(row?.hourly),
    dailyRows: Number(row?.daily),
    hourlySummaryRows: Number(row?.hourlySummary),
    dailySummaryRows: Number(row?.dailySummary),
  };
}

async function benchServer(
  url: string,
  rows: number,
  iterations: number,
  writeRows: number,
  writePairs: number,
  keepDatabase: boolean,
  reuseDatabase: string | undefined,
) {
  return withBenchDatabase(
    url,
    async (database, name, reused) => {
      const schema = "public";
      await migrateUp(database, { schema });
      // A reused database's reports end where its events do (a second after the newest), as they did
      // when it was generated.
      const now = reused
        ? await newestEvent(database)
        : new Date(Math.floor(Date.now() / hour) * hour - 17 * 60_000 - 23_456);
      console.log(`postgres server (database ${name}), ${rows.toLocaleString("en-US")} events:`);
      const generationMs = reused ? null : await generate(database, schema, rows, now);
      const { size, queries, firstHourQueries, projectQueries } = await measureAllReports(
        database,
        schema,
        now,
        iterations,
        generationMs === null ? "reused" : `generated in ${(generationMs / 1000).toFixed(1)} s`,
      );
      // Batches of the tracker's default on a server (the store's preferredBatchSize).
      const writes = await measureWriteCost(database, schema, writeRows, 2000, now, writePairs);
      return {
        engine: "postgres",
        rows,
        generationMs,
        ...size,
        queries,
        firstHourQueries,
        projectQueries,
        writes,
      };
    },
    { keep: keepDatabase, reuse: reuseDatabase },
  );
}

/** The instant a second after the newest event: where a reused database's reports end. */
export async function newestEvent(database: Database): Promise<Date> {
  // Generated events all name a user; the write rounds' events (writeRecords) name none and lie an
  // hour after the reports' window, so a reused database's reports cover the generated events only.
  const [row] = await database.query<{ newest: Date }>(
    `SELECT max(created_at) + interval '1 second' AS newest FROM llm_cost_events WHERE user_id IS NOT NULL`,
  );
  return new Date(row!.newest);
}

async function benchPglite(
  rows: number,
  iterations: number,
  writeRows: number,
  writePairs: number,
  inMemory: boolean,
) {
  // In its worker thread, as the store opens it, writing batches of the tracker's default there; in a
  // directory, as `pglite:<dir>` (the CLI's and the service's default) stores it. In memory, PGlite's
  // files grow by doubling and copying, and a single batch then stalls for up to a second now and
  // then, whichever round it falls in (`--pglite-memory` measures that).
  const directory = inMemory ? undefined : await mkdtemp(path.join(os.tmpdir(), "llm-ledger-bench-"));
  const database = await openPglite(directory);
  try {
    const schema = "public";
    await migrateUp(database, { schema });
    const now = new Date(Math.floor(Date.now() / hour) * hour - 17 * 60_000 - 23_456);
    const where = directory === undefined ? "in memory" : "in a temporary directory";
    console.log(`PGlite (${where}, in its worker thread), ${rows.toLocaleString("en-US")} events:`);
    const generationMs = await generate(database, schema, rows, now);
    const { size, queries, firstHourQueries, projectQueries } = await measureAllReports(
      database,
      schema,
      now,
      iterations,
      `generated in ${(generationMs / 1000).toFixed(1)} s`,
    );
    const writes = await measureWriteCost(database, schema, writeRows, 1000, now, writePairs);
    return {
      engine: "pglite",
      storage: where,
      rows,
      generationMs,
      ...size,
      queries,
      firstHourQueries,
      projectQueries,
      writes,
    };
  } finally {
    await database.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const rows = flag(args, "--rows", 1_000_000);
  const pgliteRows = flag(args, "--pglite-rows", 1_000_000);
  const iterations = flag(args, "--iterations", 30);
  const writeRows = flag(args, "--write-rows", 50_000);
  const writePairs = flag(args, "--write-pairs", 8);
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const loadBefore = os.loadavg();
  const results = [];
  if (url?.startsWith("postgres"))
    results.push(
      await benchServer(
        url,
        rows,
        iterations,
        writeRows,
        writePairs,
        args.includes("--keep-database"),
        args.includes("--reuse-database") ? args[args.indexOf("--reuse-database") + 1] : undefined,
      ),
    );
  else console.log("no TEST_DATABASE_URL/DATABASE_URL: the Postgres server part is skipped");
  if (!args.includes("--skip-pglite")) {
    results.push(
      await benchPglite(pgliteRows, iterations, writeRows, writePairs, args.includes("--pglite-memory")),
    );
  }
  const loadAfter = os.loadavg();
  console.log(
    `load average before ${loadBefore.map((value) => value.toFixed(2)).join(" ")}, after ${loadAfter.map((value) => value.toFixed(2)).join(" ")}`,
  );
  // The default run and a larger one (e.g. --rows 10000000) keep separate result files.
  const name = rows === 1_000_000 ? "queries" : `queries-${rows}`;
  await writeResults(name, {
    command: `npm run bench -- queries ${args.join(" ")}`.trim(),
    iterations,
    loadBefore,
    loadAfter,
    results,
  });
}
