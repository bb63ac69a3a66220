import { beforeAll, beforeEach, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { describeEachEngine } from "../support/databases.js";

describeEachEngine("purgeOlderThan", (context) => {
  let store: TelemetryStore;
  const table = () => `"${context.schema}".llm_cost_events`;
  const rollups = () => `"${context.schema}".llm_cost_hourly`;

  /** Inserts `count` events created `ago` before the database's now() (a Postgres interval). */
  async function insertAgo(ago: string, count = 1): Promise<void> {
    await store.database.query(
      `INSERT INTO ${table()} (event_id, created_at, repo, task_type, model, provider, sdk,
         input_tokens, output_tokens, estimated_cost_usd)
       SELECT gen_random_uuid(), now() - $1::interval - (n % 1000) * interval '1 millisecond',
              'acme/api', 'review', 'm', 'anthropic', 'ai', 10, 5, 0.001
         FROM generate_series(1, $2::int) AS n`,
      [ago, count],
    );
  }
  const remaining = async () =>
    Number((await store.database.query<{ n: string }>(`SELECT count(*) AS n FROM ${table()}`))[0]?.n);
  const rollupEvents = async () => {
    await store.database.query(`SELECT "${context.schema}".llm_cost_rollups_compact(NULL)`);
    const [row] = await store.database.query<{ n: string | null }>(
      `SELECT sum(events)::text AS n FROM ${rollups()}`,
    );
    return row?.n ?? null;
  };

  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });
  beforeEach(async () => {
    await store.database.exec(`TRUNCATE ${table()}; TRUNCATE ${rollups()}`);
  });

  it("deletes exactly the events older than the cutoff, and everything before now for 0", async () => {
    await insertAgo("2 days 1 minute", 3);
    await insertAgo("1 day 23 hours 59 minutes", 2);
    await insertAgo("1 hour", 4);
    await insertAgo("-1 hour", 5); // stamped in the future
    expect(await store.purgeOlderThan(2)).toBe(3);
    expect(await remaining()).toBe(11);
    expect(await store.purgeOlderThan(2)).toBe(0);
    expect(await store.purgeOlderThan(0)).toBe(6);
    expect(await remaining()).toBe(5);
  });

  it("rejects negative, fractional, NaN and non-number days with E_PURGE_DAYS", async () => {
    for (const days of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "3" as unknown as number]) {
      const error = await store.purgeOlderThan(days).catch((caught: unknown) => caught);
      expect(isLedgerError(error, "E_PURGE_DAYS"), String(days)).toBe(true);
    }
  });

  it("leaves the hourly rollups in place unless asked, then drops only whole hours before the cutoff", async () => {
    await insertAgo("10 days", 7);
    await insertAgo("1 minute", 2);
    expect(await rollupEvents()).toBe("9");
    expect(await store.purgeOlderThan(5)).toBe(7);
    expect(await rollupEvents()).toBe("9");
    await insertAgo("10 days", 1);
    expect(await store.purgeOlderThan(5, { includeRollups: true })).toBe(1);
    expect(await rollupEvents()).toBe("2");
  });

  it("purges 200,000 rows in bounded batches", async () => {
    await insertAgo("40 days", 200_000);
    await insertAgo("1 day", 10);
    const progress: number[] = [];
    const deleted = await store.purgeOlderThan(30, {
      batchSize: 50_000,
      onProgress: (count) => progress.push(count),
    });
    expect(deleted).toBe(200_000);
    expect(progress).toEqual([50_000, 100_000, 150_000, 200_000]);
    expect(await remaining()).toBe(10);
  });
});
