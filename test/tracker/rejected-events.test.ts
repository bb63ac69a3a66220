// Events the store refuses for their content: listed in the sink's `rejected`, or refused with the
// engine's own error (SQLSTATE class 22/23) for the whole batch. Either way the tracker answers
// them `rejected`, never retries or spools them, and flush() resolves.
import { readdirSync } from "node:fs";
import { beforeAll, expect, it } from "vitest";
import type { NewLlmCostRecord } from "../../src/store/cost-record.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { createCostTracker, type CostTracker } from "../../src/tracker/cost-tracker.js";
import type { EventSink } from "../../src/tracker/event-sink.js";
import { describeEachEngine } from "../support/databases.js";
import { memoryLogger } from "../support/loggers.js";
import { aiCall } from "../support/records.js";
import { tempSpoolDir } from "./support.js";

const fastRetry = { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 };

/** flush(), or a failure after `milliseconds` instead of a test that hangs until vitest's timeout. */
async function flushWithin(tracker: CostTracker, milliseconds: number): Promise<"flushed" | "hung"> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), milliseconds)));
  const outcome = await Promise.race([tracker.flush().then(() => "flushed" as const), hung]);
  clearTimeout(timer);
  return outcome;
}

describeEachEngine("events the store rejects", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });
  const stored = async (ids: string[]) => (await store.getLlmCosts(ids)).map((row) => row.eventId).sort();

  it("answers the events a sink lists in `rejected` with the reason, counts them, and never retries or spools them", async () => {
    // The store's contract for a batch one row of which cannot be stored: the others are committed
    // and the refused row comes back in `rejected`.
    const calls: string[][] = [];
    const sink: EventSink = {
      close: async () => {},
      async recordLlmCosts(records) {
        calls.push(records.map((record) => record.eventId));
        const [bad, good] = partition(records, (record) => record.repo === "poison");
        const result = await store.recordLlmCosts(good);
        return {
          ...result,
          rejected: bad.map((record) => ({
            eventId: record.eventId,
            reason: "value too long for the index",
          })),
        };
      },
    };
    const spoolDir = tempSpoolDir();
    const tracker = createCostTracker({
      telemetryStore: sink,
      spoolDir,
      logger: memoryLogger(),
      retry: fastRetry,
      batchSize: 10,
      flushIntervalMs: 60_000,
    });
    const pending = Array.from({ length: 10 }, (_, index) =>
      tracker.trackAiSdkCall(aiCall({ repo: index % 4 === 1 ? "poison" : "ok" })),
    );
    expect(await flushWithin(tracker, 5_000)).toBe("flushed");
    const results = await Promise.all(pending);
    const rejected = results.filter((result) => result.outcome === "rejected");
    expect(rejected.map((result) => result.eventId)).toEqual(calls[0]!.filter((_, index) => index % 4 === 1));
    expect(rejected.every((result) => result.reason?.includes("value too long for the index"))).toBe(true);
    const storedIds = results.filter((result) => result.outcome === "stored").map((result) => result.eventId);
    expect(storedIds).toHaveLength(results.length - rejected.length);
    expect(await stored(results.map((result) => result.eventId))).toEqual(storedIds.sort());
    expect(calls).toHaveLength(1);
    expect(tracker.stats()).toMatchObject({
      rejected: rejected.length,
      written: storedIds.length,
      spooled: 0,
      retries: 0,
      pending: 0,
    });
    await tracker.close();
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it("splits a batch the sink refuses with the engine's own class 22 error, instead of retrying it forever", async () => {
    // A sink that passes the engine's own error through (no `transient` flag) for a batch holding a
    // poison row: a division by zero (SQLSTATE 22012) from the real engine.
    const sink: EventSink = {
      close: async () => {},
      async recordLlmCosts(records) {
        if (records.some((record) => record.repo === "poison")) {
          await context.database().query("SELECT 1 / $1::int AS never", [0]);
        }
        return store.recordLlmCosts(records);
      },
    };
    const engineError = (await sink.recordLlmCosts([{ ...(await sampleRecord()), repo: "poison" }]).then(
      () => ({}),
      (error: unknown) => error,
    )) as { code?: string; transient?: unknown };
    expect(engineError.transient).toBeUndefined();
    expect(engineError.code).toBe("22012");

    for (const spoolDir of [false, tempSpoolDir()] as const) {
      const tracker = createCostTracker({
        telemetryStore: sink,
        spoolDir,
        logger: memoryLogger(),
        retry: fastRetry,
        batchSize: 8,
        flushIntervalMs: 60_000,
      });
      const pending = Array.from({ length: 8 }, (_, index) =>
        tracker.trackAiSdkCall(aiCall({ repo: index === 3 ? "poison" : "ok" })),
      );
      expect(await flushWithin(tracker, 5_000), `spool ${String(spoolDir)}`).toBe("flushed");
      const results = await Promise.all(pending);
      expect(results.map((result) => result.outcome)).toEqual(
        results.map((_, index) => (index === 3 ? "rejected" : "stored")),
      );
      expect(results[3]!.reason).toMatch(/refused by the store: .*division by zero/);
      expect(tracker.stats()).toMatchObject({ rejected: 1, written: 7, spooled: 0, pending: 0 });
      await tracker.close();
      if (spoolDir) expect(readdirSync(spoolDir)).toEqual([]);
    }
  });

  it("answers `rejected` for a row the real store refuses, in one call to the store, its neighbours stored", async () => {
    // The store splits a batch that fails for one row's content and lists the row in `rejected`.
    let calls = 0;
    const sink: EventSink = {
      close: async () => {},
      recordLlmCosts(records) {
        calls++;
        // Smuggle a bad row past validation (a CHECK on token counts refuses it).
        return store.recordLlmCosts(
          records.map((record) => (record.repo === "poison" ? { ...record, inputTokens: -5 } : record)),
        );
      },
    };
    const tracker = createCostTracker({
      telemetryStore: sink,
      spoolDir: tempSpoolDir(),
      logger: memoryLogger(),
      retry: fastRetry,
      batchSize: 16,
      flushIntervalMs: 60_000,
    });
    const pending = Array.from({ length: 16 }, (_, index) =>
      tracker.trackAiSdkCall(aiCall({ repo: index === 11 ? "poison" : "ok" })),
    );
    expect(await flushWithin(tracker, 5_000)).toBe("flushed");
    const results = await Promise.all(pending);
    expect(results.map((result) => result.outcome)).toEqual(
      results.map((_, index) => (index === 11 ? "rejected" : "stored")),
    );
    expect(results[11]!.reason).toMatch(/refused by the store/);
    expect(calls).toBe(1);
    expect(tracker.stats()).toMatchObject({ rejected: 1, written: 15, spooled: 0, retries: 0 });
    await tracker.close();
  });

  /** A priced record, as the tracker would hand the sink. */
  async function sampleRecord(): Promise<NewLlmCostRecord> {
    let captured: NewLlmCostRecord | undefined;
    const tracker = createCostTracker({
      telemetryStore: {
        close: async () => {},
        recordLlmCosts(records) {
          captured = records[0];
          return Promise.resolve({ inserted: records.length, duplicates: 0 });
        },
      },
      spoolDir: false,
      logger: memoryLogger(),
    });
    await tracker.trackAiSdkCall(aiCall());
    await tracker.close();
    return captured!;
  }
});

function partition<Item>(items: readonly Item[], test: (item: Item) => boolean): [Item[], Item[]] {
  const yes: Item[] = [];
  const no: Item[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}
