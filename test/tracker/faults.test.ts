import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { openDatabase } from "../../src/store/engines/index.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { createCostTracker } from "../../src/tracker/cost-tracker.js";
import type { EventSink } from "../../src/tracker/event-sink.js";
import type { TrackResult } from "../../src/tracker/track-types.js";
import { describeEachEngine, describeServer, serverUrl, uniqueSchema } from "../support/databases.js";
import { memoryLogger } from "../support/loggers.js";
import { aiCall, costRecord } from "../support/records.js";
import { tempSpoolDir } from "./support.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

const pricing = createPricing();
const scale = 10n ** 12n;

/** A decimal string as an integer count of 10^-12 dollars (exact). */
function picoDollars(value: string): bigint {
  const [whole = "0", fraction = ""] = value.split(".");
  return BigInt(whole) * scale + BigInt(fraction.padEnd(12, "0").slice(0, 12));
}

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
const fastRetry = { attempts: 2, baseDelayMs: 10, maxDelayMs: 100 };

describeEachEngine("tracker spool", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });

  it("spools while the store fails, resolves 'spooled' only once synced, and replays in order when it is back", async () => {
    let down = true;
    const written: string[] = [];
    const sink: EventSink = {
      close: async () => {},
      maxBatchSize: store.maxBatchSize,
      async recordLlmCosts(records) {
        if (down) throw Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" });
        written.push(...records.map((record) => record.eventId));
        return store.recordLlmCosts(records);
      },
    };
    const spoolDir = tempSpoolDir();
    const logger = memoryLogger();
    const tracker = createCostTracker({
      telemetryStore: sink,
      spoolDir,
      logger,
      retry: fastRetry,
      flushIntervalMs: 5,
      batchSize: 50,
    });
    const first = await Promise.all(
      Array.from({ length: 120 }, (_, index) => tracker.trackAiSdkCall(aiCall({ inputTokens: index }))),
    );
    expect(first.every((result) => result.outcome === "spooled")).toBe(true);
    expect(readdirSync(spoolDir).some((name) => name.startsWith("spool-"))).toBe(true);
    expect(tracker.stats()).toMatchObject({ spooled: 120, written: 0 });
    down = false;
    await tracker.close();
    expect(written).toEqual(first.map((result) => result.eventId));
    expect(tracker.stats()).toMatchObject({ replayed: 120, written: 120, pending: 0 });
    expect(await store.getLlmCosts(first.map((result) => result.eventId))).toHaveLength(120);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it("leaves unreplayed events for the next tracker, which claims and replays them at start", async () => {
    const failing: EventSink = {
      close: async () => {},
      recordLlmCosts: () => Promise.reject(Object.assign(new Error("down"), { code: "ECONNRESET" })),
    };
    const spoolDir = tempSpoolDir();
    const first = createCostTracker({
      telemetryStore: failing,
      spoolDir,
      logger: memoryLogger(),
      retry: fastRetry,
      flushIntervalMs: 5,
      closeTimeoutMs: 200,
    });
    const results = await Promise.all(Array.from({ length: 40 }, () => first.trackAiSdkCall(aiCall())));
    await first.close();
    expect(readdirSync(spoolDir).filter((name) => name.startsWith("pending-"))).toHaveLength(1);
    const second = createCostTracker({
      telemetryStore: store,
      closeSink: false,
      spoolDir,
      logger: memoryLogger(),
    });
    await second.close();
    expect(second.stats().replayed).toBe(40);
    expect(await store.getLlmCosts(results.map((result) => result.eventId))).toHaveLength(40);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it("keeps replaying the spool in close() until the store is back, within closeTimeoutMs", async () => {
    let down = true;
    const flaky: EventSink = {
      close: async () => {},
      recordLlmCosts: (records) =>
        down
          ? Promise.reject(Object.assign(new Error("down"), { code: "ECONNRESET" }))
          : store.recordLlmCosts(records),
    };
    const spoolDir = tempSpoolDir();
    const tracker = createCostTracker({
      telemetryStore: flaky,
      spoolDir,
      logger: memoryLogger(),
      retry: fastRetry,
      flushIntervalMs: 5,
      closeTimeoutMs: 5_000,
    });
    const results = await Promise.all(Array.from({ length: 40 }, () => tracker.trackAiSdkCall(aiCall())));
    expect(results.every((result) => result.outcome === "spooled")).toBe(true);
    setTimeout(() => (down = false), 300);
    await tracker.close();
    expect(tracker.stats().replayed).toBe(40);
    expect(await store.getLlmCosts(results.map((result) => result.eventId))).toHaveLength(40);
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});

describeServer("tracker under network faults", () => {
  let proxy: TcpProxy;
  const schema = uniqueSchema("faults");
  const url = new URL(serverUrl ?? "postgres://localhost/test");
  beforeAll(async () => {
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const database = await openDatabase({ databaseUrl: serverUrl });
    await migrateUp(database, { schema });
    await database.close();
  });
  afterAll(async () => {
    await proxy.close();
    const database = await openDatabase({ databaseUrl: serverUrl });
    await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await database.close();
  });
  const proxiedUrl = () => {
    const proxied = new URL(serverUrl!);
    proxied.port = String(proxy.port);
    return proxied.toString();
  };

  it("loses nothing and duplicates nothing when the connection is cut and restored three times during 20,000 events", async () => {
    const store = await createTelemetryStore({ databaseUrl: proxiedUrl(), schema });
    const logger = memoryLogger();
    const tracker = createCostTracker({
      telemetryStore: store,
      logger,
      spoolDir: tempSpoolDir(),
      retry: fastRetry,
      flushIntervalMs: 5,
      batchSize: 500,
    });
    const results: Promise<TrackResult>[] = [];
    let expected = 0n;
    for (let round = 0; round < 40; round++) {
      if (round === 5 || round === 17 || round === 29) await proxy.cut();
      if (round === 10 || round === 22 || round === 34) await proxy.restore();
      for (let index = 0; index < 500; index++) {
        const usage = { inputTokens: 100 + ((round * 500 + index) % 977), outputTokens: 10 + (index % 53) };
        expected += picoDollars(
          (
            pricing.estimateCost({ model: "claude-sonnet-4-5", provider: "anthropic", usage }) as {
              costUsd: string;
            }
          ).costUsd,
        );
        results.push(tracker.trackAiSdkCall(aiCall(usage)));
      }
      await pause(15);
    }
    const settled = await Promise.all(results);
    await tracker.close();
    const outcomes = new Set(settled.map((result) => result.outcome));
    expect([...outcomes].every((outcome) => ["stored", "spooled", "duplicate"].includes(outcome))).toBe(true);
    expect(tracker.stats().spooled).toBeGreaterThan(0);
    const database = await openDatabase({ databaseUrl: serverUrl });
    const [row] = await database.query<{ events: string; distinct_ids: string; total: string }>(
      `SELECT count(*) AS events, count(DISTINCT event_id) AS distinct_ids, sum(estimated_cost_usd)::text AS total
         FROM "${schema}".llm_cost_events WHERE event_id = ANY($1::uuid[])`,
      [settled.map((result) => result.eventId)],
    );
    await database.close();
    expect(row).toMatchObject({ events: "20000", distinct_ids: "20000" });
    expect(picoDollars(row!.total)).toBe(expected);
  });

  /**
   * A first write through a new store makes this month's partition and closes ended days, each in a
   * transaction of its own: written before a test loses a COMMIT acknowledgement, the one lost is a
   * batch's.
   */
  async function warmedStore(): Promise<TelemetryStore> {
    const store = await createTelemetryStore({ databaseUrl: proxiedUrl(), schema });
    await store.recordLlmCosts([costRecord({ createdAt: new Date() })]);
    return store;
  }

  it("retries a batch whose COMMIT acknowledgement was lost without writing a duplicate", async () => {
    const store = await warmedStore();
    const tracker = createCostTracker({
      telemetryStore: store,
      logger: memoryLogger(),
      spoolDir: false,
      retry: fastRetry,
      flushIntervalMs: 5,
    });
    proxy.loseNextCommitAck();
    const results = await Promise.all(Array.from({ length: 200 }, () => tracker.trackAiSdkCall(aiCall())));
    await tracker.close();
    expect(proxy.lostAcks).toBe(1);
    expect(tracker.stats().retries).toBeGreaterThanOrEqual(1);
    // The committed batch comes back as duplicates on the retry: stored exactly once either way.
    expect(results.every((result) => result.outcome === "duplicate" || result.outcome === "stored")).toBe(
      true,
    );
    const database = await openDatabase({ databaseUrl: serverUrl });
    const [row] = await database.query<{ events: string }>(
      `SELECT count(*) AS events FROM "${schema}".llm_cost_events WHERE event_id = ANY($1::uuid[])`,
      [results.map((result) => result.eventId)],
    );
    await database.close();
    expect(row?.events).toBe("200");
  });

  /** The store through the proxy, as a sink that calls `onSecond` whenever a second write starts beside one in flight. */
  async function proxiedSink(onSecond: () => void) {
    const store = await warmedStore();
    expect(store.maxConcurrentWrites).toBe(2);
    let active = 0;
    const sink: EventSink = {
      maxBatchSize: store.maxBatchSize,
      maxConcurrentWrites: store.maxConcurrentWrites,
      close: () => store.close(),
      async recordLlmCosts(records) {
        if (++active === 2) onSecond();
        try {
          return await store.recordLlmCosts(records);
        } finally {
          active--;
        }
      },
    };
    return sink;
  }

  async function rowsOf(results: TrackResult[]) {
    const database = await openDatabase({ databaseUrl: serverUrl });
    const [row] = await database.query<{ events: string; distinct_ids: string; total: string }>(
      `SELECT count(*) AS events, count(DISTINCT event_id) AS distinct_ids, sum(estimated_cost_usd)::text AS total
         FROM "${schema}".llm_cost_events WHERE event_id = ANY($1::uuid[])`,
      [results.map((result) => result.eventId)],
    );
    await database.close();
    return row!;
  }

  it("loses and duplicates nothing when the connection is cut with two batches in flight, three times", async () => {
    let cuts = 0;
    let cutting = false;
    let outage: Promise<void> = Promise.resolve();
    const sink = await proxiedSink(() => {
      if (cuts >= 3 || cutting) return;
      cutting = true;
      cuts++;
      // Both writes are under way: cut in the middle of them, restore a little later.
      outage = pause(3)
        .then(() => proxy.cut())
        .then(() => pause(40))
        .then(() => proxy.restore())
        .finally(() => setTimeout(() => (cutting = false), 150));
    });
    const tracker = createCostTracker({
      telemetryStore: sink,
      logger: memoryLogger(),
      spoolDir: tempSpoolDir(),
      retry: fastRetry,
      flushIntervalMs: 5,
      batchSize: 250,
    });
    const results: Promise<TrackResult>[] = [];
    let expected = 0n;
    // At least 40 rounds of 250 events, and more until the third cut has come (how soon the tracker
    // writes two batches at once again after an outage depends on the machine's timing).
    for (let round = 0; round < 40 || (cuts < 3 && round < 400); round++) {
      for (let index = 0; index < 250; index++) {
        const usage = { inputTokens: 200 + ((round * 250 + index) % 911), outputTokens: 5 + (index % 47) };
        expected += picoDollars(
          (
            pricing.estimateCost({ model: "claude-sonnet-4-5", provider: "anthropic", usage }) as {
              costUsd: string;
            }
          ).costUsd,
        );
        results.push(tracker.trackAiSdkCall(aiCall(usage)));
      }
      await pause(10);
    }
    const settled = await Promise.all(results);
    // close() replays what was spooled only while the store answers (otherwise it leaves it for
    // the next tracker): let the last outage end first.
    await outage;
    await tracker.close();
    expect(cuts).toBe(3);
    expect(settled.every((result) => ["stored", "spooled", "duplicate"].includes(result.outcome))).toBe(true);
    expect(settled.length).toBeGreaterThanOrEqual(10_000);
    expect(tracker.stats()).toMatchObject({ accepted: settled.length, pending: 0, dropped: 0 });
    const row = await rowsOf(settled);
    expect(row).toMatchObject({ events: String(settled.length), distinct_ids: String(settled.length) });
    expect(picoDollars(row.total)).toBe(expected);
  });

  it("retries without a duplicate when a COMMIT acknowledgement is lost with two batches in flight", async () => {
    let armed = false;
    const sink = await proxiedSink(() => {
      if (armed) return;
      armed = true;
      proxy.loseNextCommitAck();
    });
    const lostBefore = proxy.lostAcks;
    const tracker = createCostTracker({
      telemetryStore: sink,
      logger: memoryLogger(),
      spoolDir: false,
      retry: fastRetry,
      flushIntervalMs: 5,
      batchSize: 100,
    });
    const results = await Promise.all(Array.from({ length: 2_000 }, () => tracker.trackAiSdkCall(aiCall())));
    await tracker.close();
    expect(proxy.lostAcks - lostBefore).toBe(1);
    expect(tracker.stats().retries).toBeGreaterThanOrEqual(1);
    expect(results.every((result) => result.outcome === "duplicate" || result.outcome === "stored")).toBe(
      true,
    );
    expect(results.filter((result) => result.outcome === "duplicate").length).toBeLessThanOrEqual(100);
    const row = await rowsOf(results);
    expect(row).toMatchObject({ events: "2000", distinct_ids: "2000" });
  });

  it("lives through idle pooled connections being dropped, and writes again on fresh ones", async () => {
    const store = await createTelemetryStore({ databaseUrl: proxiedUrl(), schema, migrate: false });
    const tracker = createCostTracker({
      telemetryStore: store,
      logger: memoryLogger(),
      spoolDir: false,
      retry: fastRetry,
      flushIntervalMs: 5,
      batchSize: 100,
    });
    // Two writes at once open a second connection; both then sit idle in the pool when cut. An idle
    // pooled connection that drops is reported through the pool's `error` event, which ends the
    // process unless the store listens.
    const first = await Promise.all(Array.from({ length: 400 }, () => tracker.trackAiSdkCall(aiCall())));
    await proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await proxy.restore();
    const second = await Promise.all(Array.from({ length: 400 }, () => tracker.trackAiSdkCall(aiCall())));
    await tracker.close();
    expect([...first, ...second].every((result) => result.outcome === "stored")).toBe(true);
    expect(await rowsOf([...first, ...second])).toMatchObject({ events: "800", distinct_ids: "800" });
  });

  it("keeps every event whose promise resolved when the process is killed, and replays it exactly once", async () => {
    const spoolDir = tempSpoolDir();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/fixtures/tracker-crash-child.ts", proxiedUrl(), schema, spoolDir],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    const resolved: string[] = [];
    const lines = createInterface({ input: child.stdout });
    const ready = new Promise<void>((resolve, reject) => {
      lines.on("line", (line) => {
        if (line === "ready") resolve();
        else if (line.startsWith("resolved ")) resolved.push(line.slice(9));
      });
      child.once("exit", (code) => reject(new Error(`child exited early with ${code}`)));
    });
    await ready;
    await proxy.cut();
    child.stdin.write("go\n");
    while (resolved.length < 2_000) await pause(20);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    await proxy.restore();
    const store = await createTelemetryStore({ databaseUrl: serverUrl, schema });
    const tracker = createCostTracker({ telemetryStore: store, spoolDir, logger: memoryLogger() });
    await tracker.close();
    const database = await openDatabase({ databaseUrl: serverUrl });
    const [row] = await database.query<{ events: string }>(
      `SELECT count(*) AS events FROM "${schema}".llm_cost_events WHERE event_id = ANY($1::uuid[])`,
      [resolved],
    );
    await database.close();
    expect(row?.events).toBe(String(resolved.length));
    expect(tracker.stats().replayed).toBeGreaterThanOrEqual(resolved.length);
  });
});
