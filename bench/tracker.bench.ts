// The cost tracker's write path, on the Postgres server (TEST_DATABASE_URL, in a schema of its own,
// dropped afterwards) and on in-memory PGlite, in one run:
// - sustained events/s through `createCostTracker` (rows counted in the table / time from the first
//   `trackAiSdkCall` until `flush()` resolved), beside the original design's way (one awaited INSERT
//   per event, priced, same row content), `unnest` alone (1,000-row statements of pre-priced rows) and
//   the store's `recordLlmCosts` called directly (pre-priced rows, the tracker's batch size), so the
//   tracker's own overhead shows;
// - the caller's cost of one `trackAiSdkCall` while those writes go on (median over timed groups);
// - the longest event-loop stall (monitorEventLoopDelay max and a setInterval drift probe) and the
//   longest single statement (PGlite runs in its worker thread, so its statements no longer hold this
//   thread: the stall is what the application feels, on both engines);
// - heap per queued event (a sink that is never flushed during the measure).
// Every measure runs 3 times; medians are quoted.
//   npm run bench -- tracker [--events 20000] [--naive-events 3000] [--repeats 3] [--batch N]
//     [--engines postgres,postgres-js,pglite]
// `postgres` is the store's own driver (node-postgres); `postgres-js` the postgres.js adapter it
// replaced (COPY, no-delay socket), measured in the same run for a before/after.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import pg from "pg";
import { createPricing } from "../src/pricing/index.js";
import { columnArrays, recordValues, writeColumns } from "../src/store/cost-record-encoding.js";
import type { NewLlmCostRecord } from "../src/store/cost-record.js";
import type { Database, Queryable } from "../src/store/database.js";
import { connectionLimit, openDatabase } from "../src/store/engines/index.js";
import { ledgerTables } from "../src/store/ledger/index.js";
import { quoteSchema } from "../src/store/schema-name.js";
import { createTelemetryStore, type TelemetryStore } from "../src/store/telemetry-store.js";
import { createCostTracker } from "../src/tracker/cost-tracker.js";
import type { EventSink } from "../src/tracker/event-sink.js";
import { createEventPricer, parseEventInput } from "../src/events/index.js";
import type { AiSdkCallParams } from "../src/tracker/track-types.js";
import { openPostgresJs } from "./postgres-js-database.js";
import { cpuMsOf, median, writeResults } from "./support.js";

const serverUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const goals = {
  serverEventsPerSecond: 50_000,
  serverRatioToNaive: 15,
  pgliteEventsPerSecond: 25_000,
  callerNsPerCall: 5_000,
  stallMs: 20,
};

/** Calls per timed group when measuring the caller's cost (one hrtime pair per group). */
const groupSize = 50;
/** Rows per statement of the `unnest` baseline (the figure the issue quotes). */
const unnestBatch = 1_000;

function flag(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  const value = index >= 0 ? Number(args[index + 1]) : Number.NaN;
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

const load = () => os.loadavg().map((value) => +value.toFixed(2));

/** Waits (up to two minutes) while the 1-minute load is above 3; returns the load it ran at. */
async function awaitQuietMachine(): Promise<number[]> {
  for (let waited = 0; os.loadavg()[0]! > 3 && waited < 120; waited += 15) {
    console.log(`  load ${load().join(" ")} > 3: waiting 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
  return load();
}

const collectGarbage = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

// Realistic calls: catalog models of three providers, a few repos and task types, cache reads.
const models: [string, string][] = [
  ["gpt-4o-mini", "openai"],
  ["claude-sonnet-4-5", "anthropic"],
  ["gemini-2.5-flash", "google"],
  ["claude-haiku-4-5", "anthropic"],
  ["gpt-4.1", "openai"],
];

function callParams(count: number): AiSdkCallParams[] {
  return Array.from({ length: count }, (_, index) => {
    const [model, provider] = models[index % models.length]!;
    return {
      repo: `acme/service-${index % 7}`,
      taskType: `task-${index % 11}`,
      model,
      provider,
      inputTokens: 1_000 + (index % 5_000),
      outputTokens: 50 + (index % 700),
      cacheReadTokens: index % 3 === 0 ? 2_048 : 0,
      durationMs: 200 + (index % 3_000),
      usedFallback: index % 50 === 0,
      ...(index % 50 === 0 ? { fallbackReason: "rate limited" } : {}),
    };
  });
}

const pricing = createPricing();
const priceEvent = createEventPricer({
  pricing,
  logger: { warn: () => {}, error: () => {}, info: () => {} },
  agentCost: "catalog",
  onUnpriced: () => {},
});

/** Prices one call exactly as the tracker does (the naive path and the pre-priced baselines). */
function priceCall(params: AiSdkCallParams): NewLlmCostRecord {
  const parsed = parseEventInput(params, "ai", "ai");
  if (!parsed.ok) throw new Error(parsed.reason);
  return priceEvent({ input: parsed.input, eventId: randomUUID(), createdAt: Date.now() });
}

/** Records the duration of every statement the store runs while `recording` is on. */
interface StatementTimer {
  recording: boolean;
  durations: number[];
}

function timedDatabase(inner: Database, timer: StatementTimer): Database & { maxConnections: number } {
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    if (!timer.recording) return work();
    const started = performance.now();
    try {
      return await work();
    } finally {
      timer.durations.push(performance.now() - started);
    }
  };
  const wrap = (queryable: Queryable): Queryable => ({
    query: (text, params) => timed(() => queryable.query(text, params)),
    exec: (script) => timed(() => queryable.exec(script)),
    ...(queryable.copyFrom
      ? {
          copyFrom: (table: string, columns: readonly string[], data: string) =>
            timed(() => queryable.copyFrom!(table, columns, data)),
        }
      : {}),
  });
  return {
    engine: inner.engine,
    description: inner.description,
    ...(inner.onCallerThread === undefined ? {} : { onCallerThread: inner.onCallerThread }),
    // The pool size, so the store asks the tracker for as many writes in flight as without the timer.
    maxConnections: connectionLimit(inner),
    ...wrap(inner),
    transaction: (work) => inner.transaction((transaction) => work(wrap(transaction))),
    close: () => inner.close(),
  };
}

/**
 * Watches the event loop: histogram max, the worst late firing of a 1 ms interval, and the longest
 * GC pause (a stall is GC plus whatever synchronous work ran in the same turn).
 */
function watchEventLoop() {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  let longestGc = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longestGc = Math.max(longestGc, entry.duration);
  });
  gcObserver.observe({ entryTypes: ["gc"] });
  let last = performance.now();
  let worstDrift = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    worstDrift = Math.max(worstDrift, now - last - 1);
    last = now;
  }, 1);
  return () => {
    clearInterval(probe);
    histogram.disable();
    gcObserver.disconnect();
    return {
      delayMaxMs: +(histogram.max / 1e6).toFixed(1),
      intervalDriftMaxMs: +worstDrift.toFixed(1),
      gcPauseMaxMs: +longestGc.toFixed(1),
    };
  };
}

type EngineName = "postgres" | "postgres-js" | "pglite";

interface Engine {
  name: EngineName;
  store: TelemetryStore;
  timer: StatementTimer;
  table: string;
  /** One awaited INSERT of one row (the original design's way). */
  insertOne(values: (string | null)[]): Promise<unknown>;
  close(): Promise<void>;
}

async function countRows(engine: Engine): Promise<number> {
  const rows = await engine.store.database.query<{ count: string }>(`SELECT count(*) FROM ${engine.table}`);
  return Number(rows[0]!.count);
}

/** Empties the events and everything the store keeps beside them (id claims, rollups) between runs. */
async function emptyTable(engine: Engine): Promise<void> {
  const schema = engine.table.slice(0, engine.table.lastIndexOf("."));
  await engine.store.database.exec(
    `TRUNCATE ${ledgerTables.map((table) => `${schema}.${table}`).join(", ")}`,
  );
}

// The naive ways write the events table alone, as the original design did: every column a record sets
// but the insert time, which the table stamps.
const naiveColumns = writeColumns.filter(([name]) => name !== "ingested_at");
const naiveValues = (values: (string | null)[]) => values.slice(0, naiveColumns.length);

const singleInsert = (table: string) =>
  `INSERT INTO ${table} (${naiveColumns.map(([name]) => name).join(", ")}) VALUES (${naiveColumns
    .map(([, type], index) => `$${index + 1}::${type}`)
    .join(", ")})`;

async function openEngine(name: EngineName, schema: string): Promise<Engine> {
  const timer: StatementTimer = { recording: false, durations: [] };
  const database =
    name === "postgres-js"
      ? openPostgresJs(serverUrl)
      : await openDatabase({ databaseUrl: name === "pglite" ? "memory:" : serverUrl });
  const store = await createTelemetryStore({ database: timedDatabase(database, timer), schema });
  const table = `${quoteSchema(schema)}.llm_cost_events`;
  const statement = singleInsert(table);
  if (name === "pglite") {
    return {
      name,
      store,
      timer,
      table,
      insertOne: (values) => database.query(statement, values),
      close: () => database.close(),
    };
  }
  // The naive way: one prepared INSERT per event on one connection.
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  return {
    name,
    store,
    timer,
    table,
    insertOne: (values) => client.query({ name: "insert-one", text: statement, values }),
    async close() {
      await client.end();
      await database.exec(`DROP SCHEMA IF EXISTS ${quoteSchema(schema)} CASCADE`);
      await database.close();
    },
  };
}

/** Options that change how the tracker writes (the default: the store's own wishes). */
interface TrackerTuning {
  writeConcurrency?: number;
  batchSize?: number;
}

/** The tracker under sustained load: throughput, caller's cost per call, stalls, statement times. */
async function trackerRun(engine: Engine, events: number, tuning: TrackerTuning = {}) {
  const params = callParams(events);
  const spoolDir = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-bench-"));
  const tracker = createCostTracker({ telemetryStore: engine.store, closeSink: false, spoolDir, ...tuning });
  await emptyTable(engine);
  collectGarbage();
  const groupNs: number[] = [];
  engine.timer.durations = [];
  engine.timer.recording = true;
  const stopWatching = watchEventLoop();
  const cpuBefore = process.cpuUsage();
  const postgresBefore = cpuMsOf("postgres");
  const started = performance.now();
  for (let start = 0; start < events; start += groupSize) {
    const end = Math.min(events, start + groupSize);
    const before = process.hrtime.bigint();
    for (let index = start; index < end; index++) void tracker.trackAiSdkCall(params[index]!);
    groupNs.push(Number(process.hrtime.bigint() - before) / (end - start));
    await yieldTurn();
  }
  const enqueuedMs = performance.now() - started;
  await tracker.flush();
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const postgresMs = cpuMsOf("postgres") - postgresBefore;
  const stall = stopWatching();
  engine.timer.recording = false;
  await tracker.close();
  await rm(spoolDir, { recursive: true, force: true });
  const rows = await countRows(engine);
  const stats = tracker.stats();
  if (rows !== events || stats.written !== events) {
    throw new Error(`${engine.name}: tracked ${events}, found ${rows} rows (stats ${JSON.stringify(stats)})`);
  }
  const statements = engine.timer.durations;
  return {
    eventsPerSecond: Math.round((rows / elapsedMs) * 1000),
    enqueuePerSecond: Math.round((events / enqueuedMs) * 1000),
    callerNsPerCall: Math.round(median(groupNs)),
    // CPU per event: this process (every thread, PGlite's worker included), the Postgres server's processes.
    nodeCpuUsPerEvent: +((cpu.user + cpu.system) / events).toFixed(1),
    postgresCpuUsPerEvent: +((postgresMs * 1000) / events).toFixed(1),
    ...stall,
    statementMaxMs: +Math.max(...statements).toFixed(1),
    statementMedianMs: +median(statements).toFixed(2),
  };
}

/** The original design: price, then one awaited INSERT per event. */
async function naiveRun(engine: Engine, events: number) {
  const params = callParams(events);
  await emptyTable(engine);
  const started = performance.now();
  for (const call of params) await engine.insertOne(naiveValues(recordValues(priceCall(call))));
  const elapsedMs = performance.now() - started;
  const rows = await countRows(engine);
  return { eventsPerSecond: Math.round((rows / elapsedMs) * 1000) };
}

/** Batches of pre-priced records, written one after another with `write`. */
async function batchedRun(
  engine: Engine,
  events: number,
  batch: number,
  write: (records: NewLlmCostRecord[]) => Promise<unknown>,
) {
  const records = callParams(events).map(priceCall);
  await emptyTable(engine);
  const started = performance.now();
  for (let start = 0; start < events; start += batch) await write(records.slice(start, start + batch));
  const elapsedMs = performance.now() - started;
  const rows = await countRows(engine);
  return { eventsPerSecond: Math.round((rows / elapsedMs) * 1000) };
}

function unnestWrite(engine: Engine) {
  const statement = `INSERT INTO ${engine.table} (${naiveColumns.map(([name]) => name).join(", ")})
    SELECT * FROM unnest(${naiveColumns.map(([, type], index) => `$${index + 1}::text[]::${type}[]`).join(", ")})`;
  return (records: NewLlmCostRecord[]) =>
    engine.store.database.query(statement, columnArrays(records).slice(0, naiveColumns.length));
}

/** Heap per queued event: a sink that is not written to while the queue fills. */
async function memoryRun(events: number) {
  const params = callParams(events);
  const sink: EventSink = {
    recordLlmCosts: (records) => Promise.resolve({ inserted: records.length, duplicates: 0 }),
    close: () => Promise.resolve(),
  };
  const tracker = createCostTracker({
    telemetryStore: sink,
    batchSize: events + 1,
    flushIntervalMs: 3_600_000,
    maxQueue: events * 2,
    spoolDir: false,
  });
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  for (const call of params) void tracker.trackAiSdkCall(call);
  collectGarbage();
  const after = process.memoryUsage().heapUsed;
  await tracker.close();
  return { bytesPerQueuedEvent: Math.round((after - before) / events) };
}

type Sample = Record<string, number>;

/** Runs `measure` `repeats` times and returns the median of each figure, with the samples. */
async function repeated(repeats: number, measure: () => Promise<Sample>) {
  const samples: Sample[] = [];
  for (let round = 0; round < repeats; round++) samples.push(await measure());
  const medians: Sample = {};
  for (const key of Object.keys(samples[0]!)) medians[key] = median(samples.map((sample) => sample[key]!));
  return { median: medians, samples };
}

const format = (value: number) => value.toLocaleString("en-US");

async function benchEngine(
  name: EngineName,
  options: { events: number; naiveEvents: number; repeats: number; batch: number | undefined },
) {
  const schema = `bench_tracker_${randomBytes(4).toString("hex")}`;
  const engine = await openEngine(name, name === "pglite" ? "public" : schema);
  try {
    const load = await awaitQuietMachine();
    const batch = Math.min(options.batch ?? engine.store.preferredBatchSize, engine.store.maxBatchSize);
    const tuning: TrackerTuning = options.batch === undefined ? {} : { batchSize: options.batch };
    // Warm-up: JIT, prepared paths, the staging table.
    await trackerRun(engine, Math.min(options.events, 5_000), tuning);
    await naiveRun(engine, 300);
    const tracker = await repeated(options.repeats, () => trackerRun(engine, options.events, tuning));
    // The same, one write at a time (the pump before writes overlapped), for a fair comparison on
    // a machine whose load changes from run to run.
    const serial =
      engine.store.maxConcurrentWrites > 1
        ? await repeated(options.repeats, () =>
            trackerRun(engine, options.events, { ...tuning, writeConcurrency: 1 }),
          )
        : undefined;
    const naive = await repeated(options.repeats, () => naiveRun(engine, options.naiveEvents));
    const unnest = await repeated(options.repeats, () =>
      batchedRun(engine, options.events, unnestBatch, unnestWrite(engine)),
    );
    const store = await repeated(options.repeats, () =>
      batchedRun(engine, options.events, batch, (records) => engine.store.recordLlmCosts(records)),
    );
    const ratio = +(tracker.median.eventsPerSecond! / naive.median.eventsPerSecond!).toFixed(1);
    const result = {
      engine: name,
      loadAverage: { before: load, after: loadNow() },
      events: options.events,
      naiveEvents: options.naiveEvents,
      trackerBatchSize: batch,
      trackerWriteConcurrency: engine.store.maxConcurrentWrites,
      tracker,
      ...(serial ? { trackerOneWriteInFlight: serial } : {}),
      naiveOneInsertPerEvent: naive,
      ratioToNaive: ratio,
      unnestAlone: { batch: unnestBatch, ...unnest },
      recordLlmCostsDirect: { batch, ...store },
    };
    const m = tracker.median;
    const server = name !== "pglite";
    const goal = server ? goals.serverEventsPerSecond : goals.pgliteEventsPerSecond;
    console.log(
      [
        `${name} (load ${load.join(" ")}; ${format(options.events)} events, medians of ${options.repeats})`,
        `  tracker            ${format(m.eventsPerSecond!)} events/s (goal ≥ ${format(goal)};` +
          ` ${engine.store.maxConcurrentWrites} write(s) in flight)` +
          `  enqueue ${format(m.enqueuePerSecond!)}/s`,
        ...(serial
          ? [
              `  tracker, 1 write  ${format(serial.median.eventsPerSecond!)} events/s` +
                `  → ×${(m.eventsPerSecond! / serial.median.eventsPerSecond!).toFixed(2)} with ${engine.store.maxConcurrentWrites} in flight`,
            ]
          : []),
        `  naive 1 INSERT/evt ${format(naive.median.eventsPerSecond!)} events/s (${format(options.naiveEvents)} events)` +
          `  → tracker ×${ratio}${server ? ` (goal ≥ ×${goals.serverRatioToNaive})` : ""}`,
        `  unnest alone       ${format(unnest.median.eventsPerSecond!)} events/s (${unnestBatch} rows/statement)`,
        `  recordLlmCosts     ${format(store.median.eventsPerSecond!)} events/s (${batch} rows/call)` +
          `  → tracker overhead ${(100 * (1 - m.eventsPerSecond! / store.median.eventsPerSecond!)).toFixed(0)}%`,
        `  cpu per event      ${m.nodeCpuUsPerEvent} µs in this process` +
          (server ? `, ${m.postgresCpuUsPerEvent} µs in Postgres (${os.cpus().length} cores)` : ""),
        `  caller             ${format(m.callerNsPerCall!)} ns per trackAiSdkCall (goal < ${format(goals.callerNsPerCall)})`,
        `  stall              loop delay max ${m.delayMaxMs} ms, interval drift max ${m.intervalDriftMaxMs} ms` +
          ` (goal < ${goals.stallMs} ms)` +
          `; longest GC pause ${m.gcPauseMaxMs} ms`,
        `  statements         max ${m.statementMaxMs} ms, median ${m.statementMedianMs} ms` +
          (name === "pglite"
            ? " (in PGlite's worker thread: they hold back other statements, not this thread)"
            : ""),
      ].join("\n"),
    );
    return result;
  } finally {
    await engine.close();
  }
}

const loadNow = load;

export async function run(args: string[]): Promise<void> {
  const options = {
    events: flag(args, "events", 20_000),
    naiveEvents: flag(args, "naive-events", 3_000),
    repeats: flag(args, "repeats", 3),
    // The tracker's batch size (default: the store's preferredBatchSize).
    batch: args.includes("--batch") ? flag(args, "batch", 1_000) : undefined,
  };
  // Which engines to measure (default all): --engines postgres,pglite
  const only = args.includes("--engines")
    ? (args[args.indexOf("--engines") + 1] ?? "").split(",")
    : undefined;
  console.log(`load average before: ${load().join(" ")} (${os.cpus().length} cores)`);
  const engines = [];
  for (const name of ["postgres", "postgres-js"] as const) {
    if (only && !only.includes(name)) continue;
    try {
      engines.push(await benchEngine(name, options));
    } catch (error) {
      console.log(`${name}: failed or skipped (${(error as Error).message})`);
    }
  }
  if (!only || only.includes("pglite")) engines.push(await benchEngine("pglite", options));
  const memory = await repeated(options.repeats, () => memoryRun(options.events));
  console.log(
    `memory             ${format(memory.median.bytesPerQueuedEvent!)} bytes of heap per queued event`,
  );
  console.log(`load average after: ${load().join(" ")}`);
  await writeResults("tracker", {
    command: `npm run bench -- tracker --events ${options.events}`,
    goals,
    loadAverage: { before: engines[0]?.loadAverage.before, after: load() },
    engines,
    memory,
  });
}
