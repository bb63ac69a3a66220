// Alerts are claimed and queued in batches: a first cycle that fires a thousand alerts takes a few
// transactions, not a thousand, and still fires each alert once when two callers claim overlapping
// lists at the same time (in opposite orders: sorted inserts never deadlock).
import { beforeAll, beforeEach, expect, it } from "vitest";
import { addAlertTarget, createBudget, evaluateBudgetAlerts } from "../../src/budgets/index.js";
import { claimAlert, claimAlerts, type AlertToClaim } from "../../src/budgets/claim-alert.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { hostileValues, storedForm } from "../support/hostile-text.js";
import { insertEvents, seededRandom, testEvent } from "../query/support/cost-events.js";
import { emptyTables } from "../query/support/rollup-drift.js";
import { countingDatabase } from "../support/counting-database.js";

describeEachEngine("batched alert claims", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  const table = (name: string) => `"${context.schema}".${name}`;
  const count = async (name: string) =>
    Number((await context.database().query<{ n: string }>(`SELECT count(*) AS n FROM ${table(name)}`))[0]!.n);

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
    await context
      .database()
      .exec(
        `TRUNCATE ${table("llm_ledger_alert_outbox")}, ${table("llm_ledger_alert_claims")}, ${table("llm_ledger_alert_targets")}, ${table("llm_ledger_budgets")}`,
      );
    await addAlertTarget(store(), { target: "webhook:https://hooks.example.com/a" });
    await addAlertTarget(store(), { target: "webhook:https://hooks.example.com/b" });
  });

  const alerts = (count: number, from = 0): AlertToClaim[] =>
    Array.from({ length: count }, (_, index) => ({
      key: `test-${String(from + index).padStart(5, "0")}`,
      budgetId: null,
      notify: [],
      project: null,
      body: { type: "test", index: from + index },
    }));

  it("fires a first cycle of 1,200 crossed thresholds in three transactions, each once", async () => {
    await insertEvents(context.database(), context.schema, [
      testEvent({ createdAt: new Date("2024-03-15T10:00:00Z"), estimatedCostUsd: "100", userId: "u-1" }),
      testEvent({ createdAt: new Date("2024-03-15T10:30:00Z"), estimatedCostUsd: "50", repo: "web" }),
    ]);
    for (let index = 0; index < 400; index++) {
      await createBudget(store(), {
        name: `budget-${index}`,
        scope: index % 2 === 0 ? { repo: ["api", "web"] } : {},
        period: "month",
        amountUsd: String(1 + (index % 7)),
        thresholds: [10, 50, 100],
      });
    }
    const { database, statements, transactions } = countingDatabase(context.database());
    const at = new Date("2024-03-15T12:00:00Z");
    const first = await evaluateBudgetAlerts({ database, schema: context.schema }, { at });
    expect(first).toEqual({ budgets: 400, fired: 1200, queued: 2400 });
    // Three claim batches of 500, 500 and 200; on a server the grouped statements of the spend and of
    // the contributors (what the day groups leave of their reports) also run in a read transaction
    // each (JIT off, query-without-jit.ts).
    expect(transactions()).toBe(context.database().engine === "postgres" ? 5 : 3);
    // The list and the bounds; the spend and the contributors, each the day groups' read, a build of
    // the UTC days and a read again on this first cycle, then the rest (on a server with its
    // `set_config` of JIT); the keys claimed before; per transaction the claims and the outbox rows,
    // and the default targets once (the first transaction resolves them for all three).
    const server = context.database().engine === "postgres" ? 1 : 0;
    expect(statements()).toBe(2 + (4 + server) * 2 + 1 + 3 * 2 + 1);
    expect(await count("llm_ledger_alert_claims")).toBe(1200);
    expect(await count("llm_ledger_alert_outbox")).toBe(2400);
    const [body] = await context
      .database()
      .query<{ body: { topContributors: unknown; threshold: number } }>(
        `SELECT body FROM ${table("llm_ledger_alert_outbox")} ORDER BY id LIMIT 1`,
      );
    // Every budget here scopes both events (repo api and web, or everything): the same contributors.
    expect(body!.body.topContributors).toEqual({
      model: [{ value: "claude-sonnet-4-5", costUsd: "150" }],
      repo: [
        { value: "api", costUsd: "100" },
        { value: "web", costUsd: "50" },
      ],
    });
    expect(await evaluateBudgetAlerts(store(), { at })).toEqual({ budgets: 400, fired: 0, queued: 0 });
  });

  it("claims each key once when two callers claim overlapping lists in opposite orders at once", async () => {
    const first = alerts(900);
    const second = alerts(900, 450).reverse();
    const [a, b] = await Promise.all([claimAlerts(store(), first, 100), claimAlerts(store(), second, 100)]);
    const both = [...a.claimed].filter((key) => b.claimed.has(key));
    expect(both).toEqual([]);
    expect(a.claimed.size + b.claimed.size).toBe(1350);
    expect(a.queued + b.queued).toBe(2700);
    expect(await count("llm_ledger_alert_outbox")).toBe(2700);
    // Claimed before: nothing again, nothing queued.
    expect(await claimAlerts(store(), [...first, ...second])).toEqual({ claimed: new Set(), queued: 0 });
  });

  it("keeps hostile bodies and keys exact, repeats in one list claimed once, and one alert alone", async () => {
    const random = seededRandom(4);
    const hostile = hostileValues(random, 20).filter((value) => value === storedForm(value));
    const list = hostile.map((text, index) => ({
      ...alerts(1, index)[0]!,
      key: `hostile-${index}`,
      body: { text },
    }));
    const outcome = await claimAlerts(store(), [...list, ...list]);
    expect(outcome.claimed.size).toBe(list.length);
    expect(outcome.queued).toBe(2 * list.length);
    const rows = await context
      .database()
      .query<{ alert_key: string; body: { text: string } }>(
        `SELECT DISTINCT alert_key, body FROM ${table("llm_ledger_alert_outbox")} ORDER BY alert_key`,
      );
    const expected = new Map(list.map((alert) => [alert.key, alert.body.text]));
    for (const row of rows) expect(row.body.text).toBe(expected.get(row.alert_key));
    expect(await claimAlert(store(), { key: "spike-1", body: { type: "spike" } })).toBe(2);
    expect(await claimAlert(store(), { key: "spike-1", body: { type: "spike" } })).toBeUndefined();
  });
});
