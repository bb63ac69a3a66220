import { randomUUID } from "node:crypto";
import { beforeAll, beforeEach, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import type { NewLlmCostRecord } from "../../src/store/cost-record.js";
import { ledgerTables, listPartitions } from "../../src/store/ledger/index.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { describeEachEngine } from "../support/databases.js";

const day = 86_400_000;

describeEachEngine("purgeOlderThan", (context) => {
  let store: TelemetryStore;
  const q = () => `"${context.schema}"`;

  const record = (createdAt: Date): NewLlmCostRecord => ({
    eventId: randomUUID(),
    createdAt,
    repo: "acme/api",
    taskType: "review",
    model: "m",
    provider: "anthropic",
    sdk: "ai",
    inputTokens: 10,
    outputTokens: 5,
    estimatedCostUsd: "0.001",
  });
  /** Writes `count` events created `ago` ms before now (1 ms apart), through the store's writer. */
  async function insertAgo(ago: number, count = 1): Promise<NewLlmCostRecord[]> {
    const now = Date.now();
    const records = Array.from({ length: count }, (_, index) => record(new Date(now - ago - (index % 1000))));
    for (let start = 0; start < records.length; start += 5_000) {
      await store.recordLlmCosts(records.slice(start, start + 5_000));
    }
    return records;
  }
  const count = async (table: string) =>
    Number((await store.database.query<{ n: string }>(`SELECT count(*) AS n FROM ${q()}.${table}`))[0]?.n);
  const remaining = () => count("llm_cost_events");
  const rollupEvents = async () => {
    const [row] = await store.database.query<{ n: string | null }>(
      `SELECT sum(events)::text AS n FROM ${q()}.llm_cost_hourly`,
    );
    return row?.n ?? null;
  };

  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });
  beforeEach(async () => {
    await store.database.exec(`TRUNCATE ${ledgerTables.map((table) => `${q()}.${table}`).join(", ")}`);
  });

  it("deletes exactly the events older than the cutoff, with their id claims, and everything before now for 0", async () => {
    await insertAgo(2 * day + 60_000, 3);
    await insertAgo(2 * day - 60_000, 2);
    await insertAgo(3_600_000, 4);
    await insertAgo(-3_600_000, 5); // stamped in the future
    expect(await store.purgeOlderThan(2)).toBe(3);
    expect(await remaining()).toBe(11);
    expect(await count("llm_cost_event_ids")).toBe(11);
    expect(await store.purgeOlderThan(2)).toBe(0);
    expect(await store.purgeOlderThan(0)).toBe(6);
    expect(await remaining()).toBe(5);
    expect(await count("llm_cost_event_ids")).toBe(5);
  });

  it("rejects negative, fractional, NaN and non-number days with E_PURGE_DAYS", async () => {
    for (const days of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "3" as unknown as number]) {
      const error = await store.purgeOlderThan(days).catch((caught: unknown) => caught);
      expect(isLedgerError(error, "E_PURGE_DAYS"), String(days)).toBe(true);
    }
  });

  it("leaves the hourly rollups in place unless asked, then drops only whole hours before the cutoff", async () => {
    await insertAgo(10 * day, 7);
    await insertAgo(60_000, 2);
    expect(await rollupEvents()).toBe("9");
    expect(await store.purgeOlderThan(5)).toBe(7);
    expect(await rollupEvents()).toBe("9");
    await insertAgo(10 * day, 1);
    expect(await store.purgeOlderThan(5, { includeRollups: true })).toBe(1);
    expect(await rollupEvents()).toBe("2");
  });

  it("drops whole months before the cutoff with their claims, and deletes the rest in bounded batches", async () => {
    // Three months back is a month wholly before a 40-day cutoff; 45 days back may share a month with
    // the cutoff (then its rows go in batches) or not (then its partition goes too).
    const old = await insertAgo(95 * day, 12_000);
    await insertAgo(45 * day, 9_000);
    await insertAgo(day, 10);
    const before = await listPartitions(store.database, context.schema);
    const cutoff = Date.now() - 40 * day;
    const whole = before.filter((partition) => partition.to.getTime() <= cutoff);
    expect(whole.length).toBeGreaterThan(0);
    const progress: number[] = [];
    const deleted = await store.purgeOlderThan(40, {
      batchSize: 4_000,
      onProgress: (total) => progress.push(total),
    });
    expect(deleted).toBe(21_000);
    expect(progress.at(-1)).toBe(21_000);
    expect(progress.every((total, index) => index === 0 || total > progress[index - 1]!)).toBe(true);
    expect(await remaining()).toBe(10);
    expect(await count("llm_cost_event_ids")).toBe(10);
    const after = (await listPartitions(store.database, context.schema)).map((partition) => partition.name);
    for (const partition of whole) expect(after).not.toContain(partition.name);
    // Past its retention an id is forgotten: re-sent, it is stored again (documented in docs/scaling.md).
    const [resent] = old;
    expect((await store.recordLlmCosts([resent!])).inserted).toBe(1);
  });
});
