import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { decimalText } from "../../src/store/cost-record-encoding.js";
import type { Database } from "../../src/store/database.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { describeEachEngine, serverUrl, sharedPgliteInstance } from "../support/databases.js";
import { costRecord } from "../support/records.js";

/** The same database without the COPY capability, so the `unnest` path runs. */
function withoutCopy(database: Database): Database {
  const plain = (queryable: { query: Database["query"]; exec: Database["exec"] }) => ({
    query: queryable.query.bind(queryable),
    exec: queryable.exec.bind(queryable),
  });
  return {
    engine: database.engine,
    description: database.description,
    ...plain(database),
    transaction: (work) => database.transaction((transaction) => work(plain(transaction))),
    close: () => database.close(),
  };
}

describeEachEngine("telemetry store", (context) => {
  for (const path of ["copy", "unnest"] as const) {
    describe(`writes through ${path}`, () => {
      let store: TelemetryStore;
      beforeAll(async () => {
        const database = path === "copy" ? context.database() : withoutCopy(context.database());
        store = await createTelemetryStore({ database, schema: context.schema });
      });

      it("round-trips every field exactly, with awkward text and JSON metadata as an object", async () => {
        const full = costRecord({
          deliveryId: "delivery\t1\nline two\\back",
          resolvedModel: "claude-sonnet-4-5",
          cacheReadTokens: 10,
          cacheWriteTokens: 20,
          cacheWrite1hTokens: 30,
          reasoningTokens: 40,
          estimatedCostUsd: "12345678.123456789012",
          providerCostUsd: 0.1,
          costSource: "catalog",
          priced: true,
          pricingVersion: "2025-06-01",
          durationMs: 1234,
          usedFallback: true,
          fallbackReason: "429",
          error: "boom\r\nstack ✓ 🙂",
          userId: "u1",
          sessionId: "s1",
          traceId: "t1",
          environment: "prod",
          metadata: { feature: "search", nested: { list: [1, "two", null], tab: "a\tb" } },
        });
        const bare = costRecord({ estimatedCostUsd: "0.000000000001", priced: false, costSource: "none" });
        expect(await store.recordLlmCosts([full, bare])).toEqual({
          inserted: 2,
          duplicates: 0,
          duplicateEventIds: [],
        });
        const rows = await store.getLlmCosts([full.eventId, bare.eventId]);
        const stored = rows.find((row) => row.eventId === full.eventId)!;
        expect(stored).toMatchObject({
          createdAt: "2025-06-01T12:00:00.000Z",
          deliveryId: full.deliveryId,
          repo: "acme/api",
          taskType: "review",
          model: "claude-sonnet-4-5",
          resolvedModel: "claude-sonnet-4-5",
          provider: "anthropic",
          sdk: "ai",
          inputTokens: 1200,
          outputTokens: 300,
          cacheReadTokens: 10,
          cacheWriteTokens: 20,
          cacheWrite1hTokens: 30,
          reasoningTokens: 40,
          estimatedCostUsd: "12345678.123456789012",
          providerCostUsd: "0.100000000000",
          costSource: "catalog",
          priced: true,
          pricingVersion: "2025-06-01",
          durationMs: 1234,
          usedFallback: true,
          fallbackReason: "429",
          error: "boom\r\nstack ✓ 🙂",
          userId: "u1",
          sessionId: "s1",
          traceId: "t1",
          environment: "prod",
          metadata: { feature: "search", nested: { list: [1, "two", null], tab: "a\tb" } },
        });
        expect(typeof stored.id).toBe("string");
        expect(Number.isNaN(Date.parse(stored.ingestedAt))).toBe(false);
        const other = rows.find((row) => row.eventId === bare.eventId)!;
        expect(other).toMatchObject({
          estimatedCostUsd: "0.000000000001",
          providerCostUsd: null,
          priced: false,
          costSource: "none",
          durationMs: null,
          usedFallback: false,
          metadata: null,
          deliveryId: null,
        });
        const [kind] = await context
          .database()
          .query<{ kind: string }>(
            `SELECT jsonb_typeof(metadata) AS kind FROM "${context.schema}".llm_cost_events WHERE event_id = $1`,
            [full.eventId],
          );
        expect(kind?.kind).toBe("object");
      });

      it("skips event ids already stored and says which", async () => {
        const first = costRecord();
        const second = costRecord();
        expect(await store.recordLlmCost(first)).toMatchObject({ inserted: 1, duplicates: 0 });
        const result = await store.recordLlmCosts([first, second, second]);
        expect(result.inserted).toBe(1);
        expect(result.duplicates).toBe(2);
        expect(result.duplicateEventIds).toEqual([first.eventId]);
        expect(await store.getLlmCosts([first.eventId, second.eventId])).toHaveLength(2);
      });

      it("stores the good rows of a batch and rejects only the rows whose content Postgres refuses", async () => {
        const goods = Array.from({ length: 40 }, () => costRecord());
        const negative = costRecord({ inputTokens: -1 });
        // Valid JSON that JSONB refuses: a lone surrogate escape (the tracker refuses it earlier; a
        // direct caller of the store may still send it).
        const surrogate = costRecord({
          metadata: JSON.parse(`{"note":"\\ud800"}`) as Record<string, unknown>,
        });
        const batch = [
          ...goods.slice(0, 13),
          negative,
          ...goods.slice(13, 30),
          surrogate,
          ...goods.slice(30),
        ];
        const result = await store.recordLlmCosts(batch);
        expect(result).toMatchObject({ inserted: 40, duplicates: 0, duplicateEventIds: [] });
        expect(result.rejected?.map((rejection) => rejection.eventId).sort()).toEqual(
          [negative.eventId, surrogate.eventId].sort(),
        );
        for (const rejection of result.rejected ?? [])
          expect(rejection.reason).toMatch(/^refused by the store: /);
        expect(await store.getLlmCosts(goods.map((record) => record.eventId))).toHaveLength(40);
        expect(await store.getLlmCosts([negative.eventId, surrogate.eventId])).toEqual([]);
        // The connection the failed writes used went back to the pool in a usable state.
        expect(await store.recordLlmCosts([costRecord()])).toMatchObject({ inserted: 1 });
      });

      it("numbers a batch's rows in arrival order, though it inserts them in event_id order", async () => {
        const batch = Array.from({ length: 60 }, () => costRecord());
        await store.recordLlmCosts(batch);
        const rows = await store.database.query<{ event_id: string }>(
          `SELECT event_id::text AS event_id FROM "${context.schema}".llm_cost_events
            WHERE event_id = ANY($1::uuid[]) ORDER BY id`,
          [batch.map((record) => record.eventId)],
        );
        expect(rows.map((row) => row.event_id)).toEqual(batch.map((record) => record.eventId));
      });

      it("rejects every row of a batch that holds nothing but refused rows, and stores nothing", async () => {
        const bad = [costRecord({ outputTokens: -3 }), costRecord({ inputTokens: -1 })];
        const result = await store.recordLlmCosts(bad);
        expect(result.inserted).toBe(0);
        expect(result.rejected).toHaveLength(2);
      });

      it("writes an empty batch as a no-op", async () => {
        expect(await store.recordLlmCosts([])).toEqual({ inserted: 0, duplicates: 0, duplicateEventIds: [] });
      });
    });
  }

  it("leaves a database it was handed open, and closes twice without error", async () => {
    const store = await createTelemetryStore({ database: context.database(), schema: context.schema });
    await store.close();
    await store.close();
    expect(await context.database().query(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
  });
});

describe("createTelemetryStore options", () => {
  it("refuses two connections at once and a bad schema name", async () => {
    const pglite = await sharedPgliteInstance();
    const twice = await createTelemetryStore({ databaseUrl: "memory:", pglite }).catch(
      (error: unknown) => error,
    );
    expect(isLedgerError(twice, "E_OPTIONS")).toBe(true);
    const badSchema = await createTelemetryStore({ pglite, schema: "Bad-Name" }).catch(
      (error: unknown) => error,
    );
    expect(isLedgerError(badSchema, "E_SCHEMA_NAME")).toBe(true);
  });

  it("sizes writes by where the database runs", async () => {
    const sizes = (store: TelemetryStore) => ({
      maxBatchSize: store.maxBatchSize,
      preferredBatchSize: store.preferredBatchSize,
      maxConcurrentWrites: store.maxConcurrentWrites,
    });
    // A caller's PGlite runs on this thread: short statements, one at a time.
    const onThread = await createTelemetryStore({ pglite: await sharedPgliteInstance(), migrate: false });
    expect(sizes(onThread)).toEqual({ maxBatchSize: 250, preferredBatchSize: 250, maxConcurrentWrites: 1 });
    await onThread.close();
    // PGlite that the store opens runs in its worker thread.
    const inWorker = await createTelemetryStore({ databaseUrl: "memory:", migrate: false });
    expect(inWorker.database.onCallerThread).toBe(false);
    expect(sizes(inWorker)).toEqual({ maxBatchSize: 1000, preferredBatchSize: 1000, maxConcurrentWrites: 2 });
    await inWorker.close();
    if (serverUrl) {
      const server = await createTelemetryStore({ databaseUrl: serverUrl, migrate: false });
      expect(sizes(server)).toEqual({ maxBatchSize: 5000, preferredBatchSize: 2000, maxConcurrentWrites: 2 });
      await server.close();
    }
  }, 60_000);

  it("keeps a caller's PGlite open after close(), and skips migration when asked", async () => {
    const pglite = await sharedPgliteInstance();
    const schema = `t_nomigrate_${randomUUID().slice(0, 8)}`;
    const store = await createTelemetryStore({ pglite, schema, migrate: false });
    const tables = await store.database.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
    expect(tables).toEqual([]);
    await store.close();
    expect(pglite.closed).toBe(false);
  });
});

describe("decimalText", () => {
  it("writes numbers as plain decimals without binary noise", () => {
    expect(decimalText(0.1)).toBe("0.1");
    expect(decimalText(1e-7)).toBe("0.0000001");
    expect(decimalText(3)).toBe("3");
    expect(decimalText("0.000000000001")).toBe("0.000000000001");
  });
});
