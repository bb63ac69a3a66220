// The layers the tracker wraps around its sink, each on its own: the retrying sink (backoff until
// the write succeeds or it is told to give up) and the isolating sink (one refused record never
// costs its neighbours).
import { describe, expect, it } from "vitest";
import type { NewLlmCostRecord } from "../../src/store/cost-record.js";
import type { EventSink } from "../../src/tracker/event-sink.js";
import { createIsolatingSink } from "../../src/tracker/isolating-sink.js";
import { createRetryingSink } from "../../src/tracker/retrying-sink.js";
import { memorySink, newRecord } from "./memory-sink.js";

const retry = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const refused = (message: string) => Object.assign(new Error(message), { transient: false });

/** A sink over `inner` that fails its first `failures` writes as an unreachable database would. */
function failingFirst(inner: EventSink, failures: number): EventSink {
  let left = failures;
  return {
    close: () => inner.close(),
    recordLlmCosts(records) {
      if (left-- > 0)
        return Promise.reject(Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" }));
      return inner.recordLlmCosts(records);
    },
  };
}

describe("retrying sink", () => {
  it("retries a transient failure with backoff until the write succeeds, telling each failure and retry", async () => {
    const store = memorySink();
    const heard: string[] = [];
    const sink = createRetryingSink(failingFirst(store, 2), {
      retry,
      onFailure: (error, attempt, records) =>
        heard.push(`${(error as Error).message} #${attempt} (${records})`),
      onRetry: () => heard.push("retry"),
    });
    const batch = [newRecord(), newRecord()];
    expect(await sink.recordLlmCosts(batch)).toMatchObject({ inserted: 2 });
    expect(heard).toEqual(["connection refused #0 (2)", "retry", "connection refused #1 (2)", "retry"]);
    expect(store.stored).toEqual(batch.map((record) => record.eventId));
  });

  it("throws the last error once giveUp says stop, and never retries a refusal", async () => {
    const attempts: number[] = [];
    const down = memorySink();
    down.down = true;
    const sink = createRetryingSink(down, {
      retry,
      giveUp: (attempt) => (attempts.push(attempt), attempt + 1 >= 3),
    });
    await expect(sink.recordLlmCosts([newRecord()])).rejects.toThrow("connection refused");
    expect(attempts).toEqual([0, 1, 2]);

    let calls = 0;
    const refusing = createRetryingSink(
      {
        close: async () => {},
        recordLlmCosts: () => {
          calls++;
          return Promise.reject(refused("bad row"));
        },
      },
      { retry },
    );
    await expect(refusing.recordLlmCosts([newRecord()])).rejects.toThrow("bad row");
    expect(calls).toBe(1);
  });
});

describe("isolating sink", () => {
  it("splits a batch the sink refuses as a whole until the refused record stands alone", async () => {
    const store = memorySink();
    const bad = newRecord({ repo: "bad" });
    const picky: EventSink = {
      close: async () => {},
      recordLlmCosts: (records: readonly NewLlmCostRecord[]) =>
        records.some((record) => record.repo === "bad")
          ? Promise.reject(refused("value out of range"))
          : store.recordLlmCosts(records),
    };
    const batch = [newRecord(), newRecord(), bad, newRecord(), newRecord()];
    const result = await createIsolatingSink(picky).recordLlmCosts(batch);
    expect(result).toMatchObject({
      inserted: 4,
      duplicates: 0,
      rejected: [{ eventId: bad.eventId, reason: "refused by the store: value out of range" }],
    });
    expect(store.stored.sort()).toEqual(
      batch
        .filter((record) => record !== bad)
        .map((r) => r.eventId)
        .sort(),
    );
  });

  it("names the duplicates, lists the sink's own rejections, and throws a transient failure as it is", async () => {
    const store = memorySink();
    const first = newRecord();
    await store.recordLlmCosts([first]);
    const second = newRecord();
    const listed: EventSink = {
      close: async () => {},
      async recordLlmCosts(records) {
        const result = await store.recordLlmCosts(records.filter((record) => record !== second));
        return { ...result, rejected: [{ eventId: second.eventId.toUpperCase(), reason: "too long" }] };
      },
    };
    const result = await createIsolatingSink(listed).recordLlmCosts([first, second, newRecord()]);
    expect(result).toMatchObject({
      inserted: 1,
      duplicates: 1,
      duplicateEventIds: [first.eventId],
      rejected: [{ eventId: second.eventId, reason: "too long" }],
    });

    const down = memorySink();
    down.down = true;
    await expect(createIsolatingSink(down).recordLlmCosts([newRecord()])).rejects.toThrow(
      "connection refused",
    );
  });
});
