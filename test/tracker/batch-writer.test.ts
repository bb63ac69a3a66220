// The batch writer on its own, over a plain in-memory sink: when batches go, how many at once, what
// forceFlush() and shutdown() wait for, and the hooks the spool uses (divert, backlog).
import { describe, expect, it } from "vitest";
import type { NewLlmCostRecord } from "../../src/store/cost-record.js";
import {
  createBatchWriter,
  type BatchWriterOptions,
  type WriterBacklog,
} from "../../src/tracker/batch-writer.js";
import { memorySink, newRecord, type MemorySink } from "./memory-sink.js";

type Records = NewLlmCostRecord[];
const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Polls `condition`; fails the test after `timeoutMs` instead of hanging. */
async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await pause(2);
  }
}

/** A writer whose batches go to `sink`; `extra` overrides any setting or hook. */
function writerOver(sink: MemorySink, extra: Partial<BatchWriterOptions<NewLlmCostRecord, Records>> = {}) {
  const failures: unknown[] = [];
  const writer = createBatchWriter<NewLlmCostRecord, Records>({
    batchSize: 10,
    flushIntervalMs: 60_000,
    maxQueue: 1_000,
    concurrency: 1,
    prepare: (events) => Promise.resolve(events),
    isEmpty: (records) => records.length === 0,
    write: async (records) => {
      await sink.recordLlmCosts(records);
    },
    onFailure: (error) => failures.push(error),
    ...extra,
  });
  return { writer, failures };
}

const addMany = (writer: { add(event: NewLlmCostRecord): void }, count: number) => {
  const records = Array.from({ length: count }, () => newRecord());
  for (const record of records) writer.add(record);
  return records.map((record) => record.eventId);
};

describe("batch writer", () => {
  it("writes a full batch at once and the rest when the oldest has waited flushIntervalMs", async () => {
    const sink = memorySink();
    const { writer } = writerOver(sink, { batchSize: 5, flushIntervalMs: 150 });
    const start = Date.now();
    const ids = addMany(writer, 12);
    await until(() => sink.stored.length === 10, "two full batches are written");
    expect(sink.attempts.map((batch) => batch.length)).toEqual([5, 5]);
    await until(() => sink.stored.length === 12, "the rest is written");
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    expect(sink.attempts.map((batch) => batch.length)).toEqual([5, 5, 2]);
    expect(sink.stored).toEqual(ids);
    await writer.shutdown();
  });

  it("keeps at most `concurrency` writes in flight when batches back up", async () => {
    const sink = memorySink(15);
    const { writer } = writerOver(sink, { concurrency: 3 });
    const ids = addMany(writer, 100);
    await writer.forceFlush();
    expect(sink.mostAtOnce).toBe(3);
    expect([...sink.stored].sort()).toEqual([...ids].sort());
    await writer.shutdown();
  });

  it("writes a partial batch only once no write is in flight", async () => {
    const sink = memorySink(150);
    const { writer } = writerOver(sink, { concurrency: 2 });
    addMany(writer, 10); // a full batch: written at once
    await until(() => sink.active === 1, "the full batch is in flight");
    addMany(writer, 3);
    const flushed = writer.forceFlush();
    await pause(20);
    expect(sink.attempts.map((batch) => batch.length)).toEqual([10]); // the partial one waits
    await flushed;
    expect(sink.attempts.map((batch) => batch.length)).toEqual([10, 3]);
    await writer.shutdown();
  });

  it("forceFlush() waits for the events added before it, not after", async () => {
    const sink = memorySink(20);
    const { writer } = writerOver(sink);
    let nothingWaited = false;
    await writer.forceFlush().then(() => (nothingWaited = true));
    expect(nothingWaited).toBe(true);
    const before = addMany(writer, 3);
    const flushed = writer.forceFlush();
    expect(writer.urgent).toBe(true); // a flush waits: backoff waits keep the process alive
    await pause(5);
    const after = addMany(writer, 2);
    await flushed;
    expect(sink.stored.slice(0, 3)).toEqual(before);
    expect(writer.urgent).toBe(false);
    await writer.shutdown();
    expect(sink.stored).toEqual([...before, ...after]);
  });

  it("shutdown() writes what is queued without waiting for the interval, and waits for writes in flight", async () => {
    const sink = memorySink(20);
    const { writer } = writerOver(sink);
    const ids = addMany(writer, 14);
    expect(writer.closing).toBe(false);
    await writer.shutdown();
    expect(writer.closing).toBe(true);
    expect(sink.stored).toEqual(ids);
    expect(sink.active).toBe(0);
    expect(writer.length).toBe(0);
  });

  it("lets a flush through when preparing settled every event of a batch itself", async () => {
    const sink = memorySink();
    const { writer } = writerOver(sink, { prepare: () => Promise.resolve([]) });
    addMany(writer, 25);
    await writer.forceFlush();
    expect(sink.attempts).toEqual([]);
    await writer.shutdown();
  });

  it("reports a write hook that rejects, and still lets the flush through", async () => {
    const sink = memorySink();
    const { writer, failures } = writerOver(sink, { write: () => Promise.reject(new Error("boom")) });
    addMany(writer, 3);
    await writer.forceFlush();
    expect(failures.map(String)).toEqual(["Error: boom"]);
    await writer.shutdown();
  });

  it("says when the queue is full, and diverts the whole of it after the writes in flight", async () => {
    const sink = memorySink(100);
    const order: string[] = [];
    const { writer } = writerOver(sink, {
      maxQueue: 20,
      write: async (records) => {
        await sink.recordLlmCosts(records);
        order.push(`write ${records.length}`);
      },
      divert: (records) => {
        order.push(`divert ${records.length}`);
        return Promise.resolve();
      },
    });
    addMany(writer, 10); // a full batch, in flight
    await until(() => sink.active === 1, "the full batch is in flight");
    addMany(writer, 20);
    expect(writer.full).toBe(true);
    await writer.forceFlush();
    expect(order).toEqual(["write 10", "divert 20"]);
    expect(writer.full).toBe(false);
    await writer.shutdown();
  });

  it("interleaves backlog steps with batches, diverts batches while the backlog says so, and reports idle", async () => {
    const sink = memorySink();
    const log: string[] = [];
    let steps = 0;
    let openings = 0;
    const backlog: WriterBacklog = {
      open: () => {
        openings++;
        return Promise.resolve();
      },
      ready: () => steps < 3,
      step: () => {
        steps++;
        log.push("step");
        return Promise.resolve();
      },
      diverting: () => true,
      idle: (closing) => log.push(`idle ${String(closing)}`),
    };
    const { writer } = writerOver(sink, {
      batchSize: 5,
      backlog,
      divert: (records) => {
        log.push(`divert ${records.length}`);
        return Promise.resolve();
      },
    });
    addMany(writer, 15);
    await writer.forceFlush();
    await writer.idle();
    expect(openings).toBe(1);
    expect(sink.attempts).toEqual([]); // diverting: nothing reached the sink
    // A backlog step, then a batch, in turns while both wait.
    expect(log.filter((entry) => !entry.startsWith("idle"))).toEqual([
      "step",
      "divert 5",
      "step",
      "divert 5",
      "step",
      "divert 5",
    ]);
    expect(log.at(-1)).toBe("idle false");
    await writer.shutdown();
  });
});
