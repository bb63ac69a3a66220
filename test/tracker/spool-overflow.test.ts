// A synchronous burst past `maxQueue` with the spool on: the spool is the overflow. Events past the
// memory bound are appended to an overflow file, synced, and replayed like any spool file; nothing
// is dropped unless the disk refuses.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { createCostTracker, type CostTrackerOptions } from "../../src/tracker/cost-tracker.js";
import type { EventSink } from "../../src/tracker/event-sink.js";
import type { TrackResult } from "../../src/tracker/track-types.js";
import { describeEachEngine } from "../support/databases.js";
import { memoryLogger } from "../support/loggers.js";
import { aiCall } from "../support/records.js";
import { tempSpoolDir } from "./support.js";

const fastRetry = { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 };

/** Tracks `count` events in one synchronous loop: the background writer cannot run meanwhile. */
function burst(tracker: ReturnType<typeof createCostTracker>, count: number): Promise<TrackResult[]> {
  const pending: Promise<TrackResult>[] = [];
  for (let index = 0; index < count; index++) {
    pending.push(tracker.trackAiSdkCall(aiCall({ eventId: randomUUID(), inputTokens: index })));
  }
  return Promise.all(pending);
}

/** The event ids in every spool file of `directory`. */
function spooledIds(directory: string): string[] {
  return readdirSync(directory).flatMap((name) =>
    readFileSync(path.join(directory, name), "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => (JSON.parse(line) as { eventId: string }).eventId),
  );
}

describeEachEngine("tracker spool overflow", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });
  const newTracker = (options: Partial<CostTrackerOptions>) =>
    createCostTracker({
      telemetryStore: store,
      closeSink: false,
      logger: memoryLogger(),
      retry: fastRetry,
      maxQueue: 100,
      batchSize: 50,
      flushIntervalMs: 5,
      ...options,
    });

  it("absorbs a synchronous burst of 2,000 with maxQueue 100 into the spool, and stores every event", async () => {
    const spoolDir = tempSpoolDir();
    const tracker = newTracker({ spoolDir });
    const results = await burst(tracker, 2_000);
    const outcomes = new Set(results.map((result) => result.outcome));
    expect([...outcomes].filter((outcome) => outcome !== "stored" && outcome !== "spooled")).toEqual([]);
    expect(results.filter((result) => result.outcome === "spooled").length).toBeGreaterThanOrEqual(1_900);
    await tracker.close();
    expect(tracker.stats()).toMatchObject({ accepted: 2_000, dropped: 0, written: 2_000, pending: 0 });
    const ids = results.map((result) => result.eventId);
    expect(await store.getLlmCosts(ids)).toHaveLength(2_000);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it("resolves 'spooled' only once the overflow is on disk, and a later tracker replays it exactly once", async () => {
    const down: EventSink = {
      close: async () => {},
      recordLlmCosts: () =>
        Promise.reject(Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" })),
    };
    const spoolDir = tempSpoolDir();
    const first = newTracker({ telemetryStore: down, spoolDir, closeTimeoutMs: 50 });
    const results = await burst(first, 1_000);
    expect(results.every((result) => result.outcome === "spooled")).toBe(true);
    // Every resolved event is in a file already, before close() or any replay.
    const onDisk = new Set(spooledIds(spoolDir));
    expect(results.filter((result) => !onDisk.has(result.eventId))).toEqual([]);
    await first.close();

    const second = newTracker({ spoolDir });
    await second.close();
    const ids = results.map((result) => result.eventId);
    expect(await store.getLlmCosts(ids)).toHaveLength(1_000);
    expect(second.stats()).toMatchObject({ replayed: 1_000, duplicates: 0 });
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it("claims an overflow file left by a process that died", async () => {
    const spoolDir = tempSpoolDir();
    const eventId = randomUUID();
    const record = {
      eventId,
      createdAt: new Date().toISOString(),
      repo: "acme/api",
      taskType: "review",
      model: "claude-sonnet-4-5",
      provider: "anthropic",
      sdk: "ai",
      inputTokens: 1,
      outputTokens: 1,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
      estimatedCostUsd: "0.000018",
      costSource: "catalog",
      priced: true,
    };
    // A pid far above any pid_max default: no such process runs.
    writeFileSync(
      path.join(spoolDir, `overflow-99999999-${randomUUID()}.ndjson`),
      JSON.stringify(record) + "\n",
    );
    const tracker = newTracker({ spoolDir });
    await tracker.close();
    expect(await store.getLlmCosts([eventId])).toHaveLength(1);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it("drops past maxQueue, counted and logged, only when the overflow file cannot be created", async () => {
    const notADirectory = path.join(tempSpoolDir(), "a-file");
    writeFileSync(notADirectory, "");
    const logger = memoryLogger();
    const tracker = newTracker({ spoolDir: path.join(notADirectory, "spool"), logger });
    const results = await burst(tracker, 300);
    const dropped = results.filter((result) => result.outcome === "dropped");
    expect(dropped).toHaveLength(200);
    expect(dropped[0]!.reason).toContain("overflow file could not be written");
    expect(results.slice(0, 100).every((result) => result.outcome === "stored")).toBe(true);
    expect(tracker.stats()).toMatchObject({ dropped: 200, written: 100 });
    expect(logger.entries.some((entry) => entry.level === "error")).toBe(true);
    await tracker.close();
  });
});
