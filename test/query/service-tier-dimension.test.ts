// Issue #17: reports group and filter by the service tier that served each call. The rollups do not
// carry the tier yet (migration 0009 added it to the events), so it is read from the raw events, as
// users and sessions are; the other dimensions keep their rollups.
import { beforeAll, beforeEach, expect, it } from "vitest";
import { queryCosts } from "../../src/query/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { listEvents } from "../../src/query/index.js";
import { describeEachEngine } from "../support/databases.js";
import { insertEvents, testEvent } from "./support/cost-events.js";
import { emptyTables } from "./support/rollup-drift.js";

describeEachEngine("the serviceTier dimension", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
  });

  it("groups and filters by tier from raw events, a call without one under null", async () => {
    await insertEvents(context.database(), context.schema, [
      testEvent({ serviceTier: "batch", estimatedCostUsd: "1", webSearchRequests: 3 }),
      testEvent({ serviceTier: "batch", estimatedCostUsd: "2" }),
      testEvent({ serviceTier: "priority", estimatedCostUsd: "4" }),
      testEvent({ estimatedCostUsd: "8" }),
    ]);
    const byTier = await queryCosts(store(), { groupBy: ["serviceTier"], orderBy: "costUsd:asc" });
    expect(byTier.source).toBe("raw");
    expect(byTier.rows.map((row) => [row.serviceTier, row.costUsd, row.events])).toEqual([
      ["batch", "3", 2],
      ["priority", "4", 1],
      [null, "8", 1],
    ]);
    const batch = await queryCosts(store(), { filters: { serviceTier: ["batch"] } });
    expect(batch.totals.costUsd).toBe("3");
    const page = await listEvents(store(), { filters: { serviceTier: ["batch"] } });
    expect(page.events.map((event) => [event.serviceTier, event.webSearchRequests]).sort()).toEqual([
      ["batch", 0],
      ["batch", 3],
    ]);
  });

  it("refuses a tier the column cannot hold, and a negative count, naming the row", async () => {
    for (const bad of [{ serviceTier: "Flex Tier" }, { webSearchRequests: -1 }]) {
      await expect(insertEvents(context.database(), context.schema, [testEvent(bad)])).rejects.toThrow("test events refused");
    }
  });
});
