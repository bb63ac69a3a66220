// Alert claims: a rolling budget fires once per N-day span (its window moves at every evaluation),
// and the claims of periods that are over are purged while current ones stay.
import { beforeAll, beforeEach, expect, it } from "vitest";
import { createBudget, evaluateBudgetAlerts, purgeAlertClaims } from "../../src/budgets/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { insertEvents, testEvent } from "../query/support/cost-events.js";
import { emptyTables } from "../query/support/rollup-drift.js";

const dayMs = 86_400_000;

describeEachEngine("alert claims", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  const claims = () =>
    context
      .database()
      .query<{ alert_key: string; budget_id: string | null }>(
        `SELECT alert_key, budget_id::text FROM "${context.schema}".llm_ledger_alert_claims ORDER BY alert_key`,
      );
  const spend = (createdAt: Date, estimatedCostUsd: string) =>
    insertEvents(context.database(), context.schema, [testEvent({ createdAt, estimatedCostUsd })]);

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
    await context
      .database()
      .exec(
        `TRUNCATE "${context.schema}".llm_ledger_alert_outbox, "${context.schema}".llm_ledger_alert_claims, "${context.schema}".llm_ledger_budgets`,
      );
  });

  it("fires a rolling budget's thresholds once per N-day span, not at every evaluation", async () => {
    await createBudget(store(), { name: "weekly", period: "rolling:7d", amountUsd: "10" });
    // 7-day spans since the Unix epoch start on Thursdays: 2024-03-14 and 2024-03-21.
    await spend(new Date("2024-03-15T08:00:00Z"), "8");
    const fired = async (at: string) => (await evaluateBudgetAlerts(store(), { at: new Date(at) })).fired;
    expect(await fired("2024-03-15T12:00:00Z")).toBe(2);
    expect(await fired("2024-03-15T14:00:00Z")).toBe(0);
    expect(await fired("2024-03-20T23:00:00Z")).toBe(0);
    expect(await fired("2024-03-21T06:00:00Z")).toBe(2);
  });

  it("purges the claims of periods that are over and keeps current ones and unpriced models'", async () => {
    const now = new Date();
    for (const period of ["day", "month", "rolling:7d"]) {
      await createBudget(store(), { name: period.replace(":", "-"), period, amountUsd: "10" });
    }
    await spend(new Date(now.getTime() - 60_000), "8");
    expect((await evaluateBudgetAlerts(store(), { at: now })).fired).toBe(6);
    await context
      .database()
      .exec(
        `INSERT INTO "${context.schema}".llm_ledger_alert_claims (alert_key) VALUES ('spike-one-hour'), ('unpriced-mystery')`,
      );
    const later = (days: number) => new Date(now.getTime() + days * dayMs);

    expect(await purgeAlertClaims(store(), { now })).toBe(0);
    expect(await purgeAlertClaims(store(), { now: later(1) })).toBe(0);
    // The day is over (plus the 2-day margin): its two claims and the spike's go.
    expect(await purgeAlertClaims(store(), { now: later(3.5) })).toBe(3);
    expect((await claims()).length).toBe(5);
    expect(await purgeAlertClaims(store(), { now: later(9.5) })).toBe(2);
    expect(await purgeAlertClaims(store(), { now: later(30) })).toBe(0);
    expect(await purgeAlertClaims(store(), { now: later(33.5) })).toBe(2);
    expect(await claims()).toEqual([{ alert_key: "unpriced-mystery", budget_id: null }]);
  });

  it("keeps every claim of the current periods, so evaluating again fires nothing", async () => {
    const now = new Date();
    await createBudget(store(), { name: "monthly", period: "month", amountUsd: "10" });
    await spend(new Date(now.getTime() - 60_000), "8");
    expect((await evaluateBudgetAlerts(store(), { at: now })).fired).toBe(2);
    expect(await purgeAlertClaims(store())).toBe(0);
    expect((await evaluateBudgetAlerts(store(), { at: new Date() })).fired).toBe(0);
    for (const marginDays of [-1, 1.5, Number.NaN]) {
      await expect(purgeAlertClaims(store(), { marginDays })).rejects.toThrow(
        /^marginDays: expected a whole number of days, 0 or more/,
      );
    }
  });
});
