import { describe, expect, it } from "vitest";
import { createIngestWriter } from "../../src/server/ingest-writer.js";
import { StoreWriteError } from "../../src/store/index.js";
import type { NewLlmCostRecord } from "../../src/store/index.js";

const record = (eventId: string) => ({ eventId }) as NewLlmCostRecord;

describe("the ingest group commit", () => {
  it("keeps at most `concurrency` writes in flight, grouping what waits", async () => {
    let inFlight = 0;
    let most = 0;
    const sizes: number[] = [];
    const writer = createIngestWriter(
      {
        maxBatchSize: 1000,
        async recordLlmCosts(records) {
          inFlight += 1;
          most = Math.max(most, inFlight);
          sizes.push(records.length);
          await new Promise((resolve) => setTimeout(resolve, 20));
          inFlight -= 1;
          return { inserted: records.length, duplicates: 0, duplicateEventIds: [] };
        },
      },
      { concurrency: 2 },
    );
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) => writer.write([record(`e${index}`)])),
    );
    expect(results.every((result) => result.inserted === 1)).toBe(true);
    expect(most).toBe(2);
    // The first two start at once; the other eight wait and go together.
    expect(sizes).toEqual([1, 1, 8]);
  });

  it("fails every request of a group whose write failed, and writes the next group afresh", async () => {
    const calls: number[] = [];
    let fail = true;
    const writer = createIngestWriter({
      maxBatchSize: 1000,
      async recordLlmCosts(records) {
        calls.push(records.length);
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (fail) throw new StoreWriteError("database down", { transient: true });
        return { inserted: records.length, duplicates: 0, duplicateEventIds: [] };
      },
    });
    const first = writer.write([record("a")]);
    // These two arrive while the first write is in flight: one group, one statement.
    const second = writer.write([record("b")]);
    const third = writer.write([record("c"), record("d")]);
    await expect(first).rejects.toThrow("database down");
    fail = false;
    await expect(second).resolves.toEqual({ inserted: 1, duplicates: 0 });
    await expect(third).resolves.toEqual({ inserted: 2, duplicates: 0 });
    expect(calls).toEqual([1, 3]);
  });
});
