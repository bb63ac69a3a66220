// Several batches in flight at once (`writeConcurrency`): flush(), close(), failures and the spool
// keep their promises when a later batch commits before an earlier one. The sinks here wrap the real
// store and hold each write at a gate the test opens, so which batch finishes first is the test's
// choice, not the scheduler's.
import { readdirSync } from "node:fs";
import { beforeAll, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import type { NewLlmCostRecord } from "../../src/store/cost-record.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { createCostTracker, type CostTrackerOptions } from "../../src/tracker/cost-tracker.js";
import type { EventSink } from "../../src/tracker/event-sink.js";
import type { TrackResult } from "../../src/tracker/track-types.js";
import { describeEachEngine } from "../support/databases.js";
import { memoryLogger } from "../support/loggers.js";
import { aiCall } from "../support/records.js";
import { tempSpoolDir } from "./support.js";

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Polls `condition` every few ms; fails the test after `timeoutMs` instead of hanging. */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await pause(2);
  }
}

const connectionRefused = () => Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" });

interface HeldWrite {
  records: readonly NewLlmCostRecord[];
  /** Lets the write through to the store. */
  pass(): void;
  /** Fails the write as an unreachable store would. */
  fail(): void;
}

/**
 * A sink over the store whose every write waits at a gate: `held` lists the writes waiting, in the
 * order they arrived. It records the most writes it saw at once, and each batch it committed.
 */
function gatedSink(store: TelemetryStore, wants: number | "unsaid" = 2) {
  const held: HeldWrite[] = [];
  const committed: string[][] = [];
  let active = 0;
  let mostAtOnce = 0;
  const sink: EventSink = {
    maxBatchSize: store.maxBatchSize,
    maxConcurrentWrites: wants === "unsaid" ? undefined : wants,
    close: async () => {},
    async recordLlmCosts(records) {
      active++;
      mostAtOnce = Math.max(mostAtOnce, active);
      try {
        const passed = await new Promise<boolean>((resolve) =>
          held.push({ records, pass: () => resolve(true), fail: () => resolve(false) }),
        );
        if (!passed) throw connectionRefused();
        const result = await store.recordLlmCosts(records);
        committed.push(records.map((record) => record.eventId));
        return result;
      } finally {
        active--;
      }
    },
  };
  return {
    sink,
    held,
    committed,
    get active() {
      return active;
    },
    get mostAtOnce() {
      return mostAtOnce;
    },
    /** Removes and returns the held write at `index` (0: the oldest). */
    take(index = 0): HeldWrite {
      const [write] = held.splice(index, 1);
      if (!write) throw new Error(`no held write at ${index}`);
      return write;
    },
  };
}

/** Lets held writes through (`pick` chooses which of them) until every promise in `pending` settled. */
async function passUntilSettled(
  gate: ReturnType<typeof gatedSink>,
  pending: Promise<unknown>[],
  pick: (held: number) => number = () => 0,
): Promise<void> {
  let done = false;
  void Promise.all(pending).then(() => (done = true));
  const deadline = Date.now() + 10_000;
  while (!done) {
    if (Date.now() > deadline) throw new Error("timed out letting writes through");
    if (gate.held.length > 0) gate.take(pick(gate.held.length)).pass();
    await pause(1);
  }
}

/** Whether `promise` has settled by the next few turns of the event loop. */
async function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await pause(20);
  return settled;
}

describeEachEngine("tracker with writes in flight", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });

  const newTracker = (sink: EventSink, extra: Partial<CostTrackerOptions> = {}) =>
    createCostTracker({
      telemetryStore: sink,
      logger: memoryLogger(),
      spoolDir: false,
      flushIntervalMs: 60_000,
      batchSize: 10,
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
      ...extra,
    });

  const storedCount = async (results: TrackResult[]) => {
    const [row] = await store.database.query<{ events: string; ids: string }>(
      `SELECT count(*) AS events, count(DISTINCT event_id) AS ids
         FROM "${context.schema}".llm_cost_events WHERE event_id = ANY($1::uuid[])`,
      [results.map((result) => result.eventId)],
    );
    expect(row!.events).toBe(row!.ids);
    return Number(row!.events);
  };

  it("says how many writes it wants: 2 on a Postgres server with a pool, 1 on PGlite", () => {
    expect(store.maxConcurrentWrites).toBe(context.engine === "postgres" ? 2 : 1);
  });

  it("validates writeConcurrency", () => {
    const { sink } = gatedSink(store);
    for (const bad of [0, -1, 1.5, 65, Number.NaN, Infinity, "2" as unknown as number]) {
      let thrown: unknown;
      try {
        createCostTracker({ telemetryStore: sink, spoolDir: false, writeConcurrency: bad });
      } catch (error) {
        thrown = error;
      }
      expect(isLedgerError(thrown, "E_OPTIONS"), String(bad)).toBe(true);
    }
  });

  it("keeps up to writeConcurrency batches in flight, never more, pricing the next while they wait", async () => {
    const gate = gatedSink(store, 3);
    const tracker = newTracker(gate.sink);
    const pending = Array.from({ length: 50 }, (_, index) =>
      tracker.trackAiSdkCall(aiCall({ inputTokens: index })),
    );
    await until(() => gate.held.length === 3, "three writes are in flight");
    await pause(20);
    expect(gate.held).toHaveLength(3); // the fourth batch waits for a place
    await passUntilSettled(gate, pending, (held) => held - 1); // newest first
    const results = await Promise.all(pending);
    await tracker.close();
    expect(gate.mostAtOnce).toBe(3);
    expect(results.every((result) => result.outcome === "stored")).toBe(true);
    expect(await storedCount(results)).toBe(50);
    expect(tracker.stats()).toMatchObject({ accepted: 50, written: 50, pending: 0 });
  });

  it("takes the sink's maxConcurrentWrites as the default, and 1 from a sink that says nothing", async () => {
    for (const [wanted, expected] of [
      [2, 2],
      ["unsaid", 1],
    ] as const) {
      const gate = gatedSink(store, wanted);
      const tracker = newTracker(gate.sink);
      const pending = Array.from({ length: 40 }, () => tracker.trackAiSdkCall(aiCall()));
      await until(() => gate.held.length === expected, `${expected} write(s) in flight`);
      await pause(20);
      expect(gate.held).toHaveLength(expected);
      await passUntilSettled(gate, pending);
      await tracker.close();
      expect(gate.mostAtOnce).toBe(expected);
    }
  });

  it("flush() waits for an earlier batch still in flight when a later one has already committed", async () => {
    const gate = gatedSink(store);
    const tracker = newTracker(gate.sink);
    const first = Array.from({ length: 10 }, () => tracker.trackAiSdkCall(aiCall()));
    const second = Array.from({ length: 10 }, () => tracker.trackAiSdkCall(aiCall()));
    await until(() => gate.held.length === 2, "both batches are in flight");
    const flushed = tracker.flush();
    const later = tracker.trackAiSdkCall(aiCall()); // after the flush: not waited for
    gate.take(1).pass(); // the second batch commits first
    await Promise.all(second);
    expect(await settledSoon(flushed)).toBe(false);
    gate.take(0).pass();
    await flushed;
    const firstResults = await Promise.all(first);
    expect(firstResults.every((result) => result.outcome === "stored")).toBe(true);
    expect(gate.committed).toHaveLength(2);
    expect(gate.committed[1]).toEqual(firstResults.map((result) => result.eventId));
    // The event tracked after flush() is written in the drain flush() asked for, but not waited for.
    expect(tracker.stats().pending).toBe(1);
    await until(() => gate.held.length === 1, "the last event is in flight");
    const closing = tracker.close();
    expect(await settledSoon(closing)).toBe(false);
    gate.take().pass();
    await closing;
    expect((await later).outcome).toBe("stored");
  });

  it("close() waits for every batch in flight and settles every promise", async () => {
    const gate = gatedSink(store);
    const tracker = newTracker(gate.sink);
    const pending = Array.from({ length: 25 }, () => tracker.trackAiSdkCall(aiCall()));
    await until(() => gate.held.length === 2, "two batches are in flight");
    const closed = tracker.close();
    expect(await settledSoon(closed)).toBe(false);
    // The last 5 events are a partial batch: it waits until no write is in flight (so that at a
    // light load rows keep tracking order), and close() waits for it too.
    gate.take(1).pass();
    expect(await settledSoon(closed)).toBe(false);
    expect(gate.held).toHaveLength(1);
    gate.take(0).pass();
    await until(() => gate.held.length === 1, "the remainder is in flight");
    expect(await settledSoon(closed)).toBe(false);
    gate.take(0).pass();
    await closed;
    const results = await Promise.all(pending);
    expect(results.every((result) => result.outcome === "stored")).toBe(true);
    expect(await storedCount(results)).toBe(25);
    expect(tracker.stats()).toMatchObject({ written: 25, pending: 0 });
  });

  it("writes a partial batch only when no write is in flight, so at a light load rows keep tracking order", async () => {
    const gate = gatedSink(store);
    const tracker = newTracker(gate.sink, { flushIntervalMs: 5 });
    const first = tracker.trackAiSdkCall(aiCall());
    await until(() => gate.held.length === 1, "the first event is in flight");
    const second = tracker.trackAiSdkCall(aiCall());
    await pause(30); // several flush intervals
    expect(gate.held).toHaveLength(1);
    gate.take().pass();
    await until(() => gate.held.length === 1, "the second event is in flight");
    gate.take().pass();
    const results = await Promise.all([first, second]);
    await tracker.close();
    expect(gate.committed).toEqual(results.map((result) => [result.eventId]));
    const rows = await store.database.query<{ event_id: string }>(
      `SELECT event_id::text AS event_id FROM "${context.schema}".llm_cost_events
        WHERE event_id = ANY($1::uuid[]) ORDER BY id`,
      [results.map((result) => result.eventId)],
    );
    expect(rows.map((row) => row.event_id)).toEqual(results.map((result) => result.eventId));
  });

  it("spools both batches in flight when the store goes down, in queue order, and replays them exactly once", async () => {
    const gate = gatedSink(store);
    const spoolDir = tempSpoolDir();
    const tracker = newTracker(gate.sink, {
      spoolDir,
      retry: { attempts: 1, baseDelayMs: 5, maxDelayMs: 20 },
    });
    const first = Array.from({ length: 10 }, () => tracker.trackAiSdkCall(aiCall()));
    const second = Array.from({ length: 10 }, () => tracker.trackAiSdkCall(aiCall()));
    await until(() => gate.held.length === 2, "both batches are in flight");
    // The later batch fails first: it must wait for the earlier one before it reaches the spool.
    gate.take(1).fail();
    await pause(20);
    expect(tracker.stats().spooled).toBe(0);
    gate.take(0).fail();
    const results = [...(await Promise.all(first)), ...(await Promise.all(second))];
    expect(results.every((result) => result.outcome === "spooled")).toBe(true);
    expect(readdirSync(spoolDir).some((name) => name.startsWith("spool-"))).toBe(true);
    // Events tracked now go to the spool behind them (the store is still down: the probe fails).
    const third = Array.from({ length: 10 }, () => tracker.trackAiSdkCall(aiCall()));
    const flushed = tracker.flush();
    await until(() => gate.held.length === 1, "the probe replays the spool");
    gate.take().fail();
    await flushed;
    const thirdResults = await Promise.all(third);
    expect(thirdResults.every((result) => result.outcome === "spooled")).toBe(true);
    // The store is back: close() replays the spool in the order events were tracked.
    const closing = tracker.close();
    const replayed: string[] = [];
    while (replayed.length < 30) {
      await until(() => gate.held.length > 0, "a replay write");
      const write = gate.take();
      replayed.push(...write.records.map((record) => record.eventId));
      write.pass();
    }
    await closing;
    const all = [...results, ...thirdResults];
    expect(replayed).toEqual(all.map((result) => result.eventId));
    expect(await storedCount(all)).toBe(30);
    expect(tracker.stats()).toMatchObject({ spooled: 30, replayed: 30, written: 30, pending: 0 });
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it("retries a failed batch while another is in flight, without the spool, and writes each event once", async () => {
    const gate = gatedSink(store);
    const tracker = newTracker(gate.sink);
    const pending = Array.from({ length: 20 }, () => tracker.trackAiSdkCall(aiCall()));
    await until(() => gate.held.length === 2, "both batches are in flight");
    gate.take(0).fail();
    await until(() => gate.held.length === 2, "the failed batch is retried");
    gate.take(0).pass();
    gate.take(0).pass();
    const results = await Promise.all(pending);
    await tracker.close();
    expect(results.every((result) => result.outcome === "stored")).toBe(true);
    expect(await storedCount(results)).toBe(20);
    expect(tracker.stats()).toMatchObject({ retries: 1, written: 20, spooled: 0, pending: 0 });
  });

  it("spills to the spool at maxQueue while writes are in flight, and loses nothing", async () => {
    const gate = gatedSink(store);
    const spoolDir = tempSpoolDir();
    const tracker = newTracker(gate.sink, { spoolDir, maxQueue: 30 });
    const pending = Array.from({ length: 20 }, () => tracker.trackAiSdkCall(aiCall()));
    await until(() => gate.held.length === 2, "two batches are in flight");
    // 40 more events: the 30 that fill the queue (maxQueue) are spilled once the writes in flight
    // settle; the 10 past it go to the spool's overflow file at once.
    pending.push(...Array.from({ length: 40 }, () => tracker.trackAiSdkCall(aiCall())));
    // The overflow file is written asynchronously: wait for it instead of a fixed pause (which lost the
    // race on a loaded machine). Had the 30 queued events been spilled early, `spooled` would pass 10.
    await until(() => tracker.stats().spooled >= 10, "the 10 past maxQueue are spooled");
    expect(tracker.stats().spooled).toBe(10);
    gate.take().pass();
    gate.take().pass();
    await until(() => tracker.stats().spooled === 40, "the queue is spilled");
    const closing = tracker.close();
    await passUntilSettled(gate, [closing]);
    const results = await Promise.all(pending);
    const outcomes = results.map((result) => result.outcome);
    expect(outcomes.filter((outcome) => outcome === "stored")).toHaveLength(20);
    expect(outcomes.filter((outcome) => outcome === "spooled")).toHaveLength(40);
    expect(await storedCount(results)).toBe(60);
    expect(tracker.stats()).toMatchObject({ written: 60, replayed: 40, dropped: 0, pending: 0 });
  });
});
