// Writes on the Postgres server that once hung or deadlocked: a batch Postgres refuses mid-COPY must
// give its connection back (rolled back), and writers inserting overlapping ids in opposite orders
// must not deadlock.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { describeServer, serverUrl, uniqueSchema } from "../support/databases.js";
import { costRecord } from "../support/records.js";

const poisoned = () => costRecord({ metadata: JSON.parse(`{"note":"\\ud800"}`) as Record<string, unknown> });

describeServer("server writes under refused content and concurrency", () => {
  const schema = uniqueSchema("writes");
  let pool: pg.Pool;
  let store: TelemetryStore;

  beforeAll(async () => {
    // One connection: a connection left in an aborted transaction would hang every later write.
    pool = new pg.Pool({ connectionString: serverUrl, max: 1, application_name: "llm-ledger-test-writes" });
    store = await createTelemetryStore({ pool, schema });
  });

  afterAll(async () => {
    await store.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  it("answers a batch whose COPY fails at once, then writes again on the same single connection", async () => {
    for (let round = 0; round < 5; round++) {
      const good = costRecord();
      const bad = poisoned();
      const result = await store.recordLlmCosts([good, bad]);
      expect(result.inserted).toBe(1);
      expect(result.rejected?.map((rejection) => rejection.eventId)).toEqual([bad.eventId]);
    }
    const { rows } = await pool.query<{ state: string }>(
      `SELECT state FROM pg_stat_activity WHERE application_name = 'llm-ledger-test-writes'`,
    );
    expect(rows.map((row) => row.state)).not.toContain("idle in transaction (aborted)");
  });

  it("does not deadlock when concurrent writers insert overlapping ids in opposite orders", async () => {
    const wide = new pg.Pool({ connectionString: serverUrl, max: 8 });
    wide.on("error", () => {});
    const writers = await createTelemetryStore({ pool: wide, schema, migrate: false });
    try {
      for (let round = 0; round < 5; round++) {
        const shared = Array.from({ length: 400 }, () => costRecord());
        const batches = Array.from({ length: 8 }, (_, index) => {
          const mine = Array.from({ length: 50 }, () => costRecord());
          const order = index % 2 === 0 ? shared : [...shared].reverse();
          return [...order, ...mine];
        });
        const results = await Promise.all(batches.map((batch) => writers.recordLlmCosts(batch)));
        expect(results.reduce((sum, result) => sum + result.inserted, 0)).toBe(400 + 8 * 50);
        for (const result of results) expect(result.rejected).toBeUndefined();
      }
    } finally {
      await writers.close();
      await wide.end();
    }
  });
});
