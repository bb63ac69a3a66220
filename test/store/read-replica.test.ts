// A store with a read replica: the query functions read the replica, writes go to the primary. The
// "replica" here is the Postgres server holding other figures than the primary (an in-memory PGlite),
// which shows which database each call used.
import { expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { getEvent, listEvents, queryCosts } from "../../src/query/index.js";
import { pgliteDatabase } from "../../src/store/engines/index.js";
import { createTelemetryStore } from "../../src/store/telemetry-store.js";
import { describeServer, serverUrl, sharedPgliteInstance, uniqueSchema } from "../support/databases.js";
import { costRecord } from "../support/records.js";

describeServer("a store with a read replica", () => {
  it("reads figures, events and event details from the replica and writes to the primary", async () => {
    const schema = uniqueSchema("replica");
    const replicaOnly = costRecord({ repo: "on-the-replica", estimatedCostUsd: "2" });
    const replica = await createTelemetryStore({ databaseUrl: serverUrl, schema });
    await replica.recordLlmCosts([replicaOnly]);
    const primary = pgliteDatabase(await sharedPgliteInstance(), { owned: false, description: "primary" });
    const store = await createTelemetryStore({ database: primary, schema, readDatabaseUrl: serverUrl });
    try {
      const written = costRecord({ repo: "on-the-primary", estimatedCostUsd: "5" });
      expect((await store.recordLlmCosts([written])).inserted).toBe(1);
      const report = await queryCosts(store, { groupBy: ["repo"] });
      expect(report.rows.map((row) => [row.repo, row.costUsd])).toEqual([["on-the-replica", "2"]]);
      const { events } = await listEvents(store, {});
      expect(events.map((event) => event.eventId)).toEqual([replicaOnly.eventId]);
      expect(await getEvent(store, written.eventId)).toBeUndefined();
      expect((await getEvent(store, replicaOnly.eventId))?.repo).toBe("on-the-replica");
      // The write went to the primary.
      expect((await store.getLlmCosts([written.eventId])).map((event) => event.repo)).toEqual([
        "on-the-primary",
      ]);
    } finally {
      await store.close();
      await replica.database.exec(`DROP SCHEMA "${schema}" CASCADE`);
      await replica.close();
      await primary.exec(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });

  it("refuses a replica that is not a Postgres server", async () => {
    const error = await createTelemetryStore({
      databaseUrl: "memory:",
      readDatabaseUrl: "pglite:/tmp/replica",
    }).catch((caught: unknown) => caught);
    expect(isLedgerError(error, "E_OPTIONS")).toBe(true);
    expect((error as Error).message).toMatch(/postgres:\/\/ URL of a read replica/);
  });
});
