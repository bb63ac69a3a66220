// reconcileCosts against the providers' bills: the ledger and the bill differ on known days by known
// amounts, and the answer is checked exactly on every engine (markers, hosts left out, currencies).
import { beforeAll, expect, it } from "vitest";
import { reconcileCosts } from "../../src/query/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import {
  expectedReconciliation,
  scenarioWindow,
  seedReconcileScenario,
} from "../bills/support/reconcile-scenario.js";

describeEachEngine("reconcileCosts against bills", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
    await seedReconcileScenario(context.database(), context.schema);
  });

  it("sets each day's estimate beside the bill, with markers, hosts left out and other currencies apart", async () => {
    expect(await reconcileCosts(store(), { against: "bills", ...scenarioWindow })).toEqual(
      expectedReconciliation,
    );
  });

  it("converts other currencies only at a given rate", async () => {
    const converted = await reconcileCosts(store(), {
      against: "bills",
      ...scenarioWindow,
      rates: { eur: "1.08" },
    });
    expect(converted.rows[2]).toMatchObject({
      provider: "openai",
      billedUsd: "0.932",
      differenceUsd: "-0.068",
      differencePercent: "-6.8",
    });
    expect(converted.totals).toEqual({
      estimatedUsd: "4",
      billedUsd: "5.187",
      differenceUsd: "1.187",
      differencePercent: "29.68",
    });
    expect(converted.unconverted).toEqual([]);
  });

  it("groups by fewer dimensions", async () => {
    const byProvider = await reconcileCosts(store(), {
      against: "bills",
      ...scenarioWindow,
      by: ["provider"],
    });
    expect(byProvider.rows).toEqual([
      {
        provider: "anthropic",
        events: 3,
        estimatedUsd: "3",
        sdkReportedUsd: "0.45",
        billedUsd: "4.255",
        differenceUsd: "1.255",
        differencePercent: "41.83",
        marker: null,
      },
      {
        provider: "openai",
        events: 1,
        estimatedUsd: "1",
        sdkReportedUsd: null,
        billedUsd: "0.5",
        differenceUsd: "-0.5",
        differencePercent: "-50",
        marker: null,
      },
    ]);
    const whole = await reconcileCosts(store(), { against: "bills", ...scenarioWindow, by: [] });
    expect(whole.rows).toEqual([expect.objectContaining({ events: 4, billedUsd: "4.755" })]);
    expect(whole.totals).toEqual(expectedReconciliation.totals);
  });

  it("keeps today's SDK comparison as the default", async () => {
    const rows = await reconcileCosts(store(), scenarioWindow);
    expect(Array.isArray(rows)).toBe(true);
    expect(rows[0]).toMatchObject({ model: "claude-sonnet-4-5", reportedEvents: 1, providerCostUsd: "0.45" });
    expect(await reconcileCosts(store(), { ...scenarioWindow, against: "sdk" })).toEqual(rows);
  });

  it("refuses bad options precisely", async () => {
    const bills = { against: "bills" as const, ...scenarioWindow };
    await expect(reconcileCosts(store(), { ...bills, by: ["repo" as "day"] })).rejects.toMatchObject({
      code: "E_QUERY_DIMENSION",
      message: "by: a bill reconciliation groups by day, provider, model, got 'repo'",
    });
    await expect(reconcileCosts(store(), { ...bills, rates: { EUR: "1,08" } })).rejects.toMatchObject({
      code: "E_QUERY_OPTIONS",
      message:
        'rates: the EUR rate must be a positive decimal of US dollars per EUR such as 1.08, got "1,08"',
    });
    await expect(reconcileCosts(store(), { ...bills, rates: { EURO: "1" } })).rejects.toMatchObject({
      code: "E_QUERY_OPTIONS",
    });
    await expect(reconcileCosts(store(), { ...bills, from: "yesterday" })).rejects.toMatchObject({
      code: "E_QUERY_RANGE",
    });
    await expect(reconcileCosts(store(), { against: "invoice" as "sdk" })).rejects.toMatchObject({
      code: "E_QUERY_OPTIONS",
    });
  });
});
