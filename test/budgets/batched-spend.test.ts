import { beforeAll, expect, it } from "vitest";
import { budgetStatus, createBudget, listBudgets, type BudgetSpec } from "../../src/budgets/index.js";
import { statusesOf, statusFromSpend } from "../../src/budgets/budget-status.js";
import { periodBounds } from "../../src/budgets/period-bounds.js";
import { migrateUp } from "../../src/store/migrator.js";
import { createCostWriter } from "../../src/store/record-costs.js";
import { createPricing } from "../../src/pricing/index.js";
import { queryCosts, repriceEvents, type CostFilters } from "../../src/query/index.js";
import { topContributors } from "../../src/budgets/alert-contributors.js";
import { reopenDays } from "../query/support/rollup-drift.js";
import { describeEachEngine } from "../support/databases.js";
import { hostileValues, storedForm } from "../support/hostile-text.js";
import { insertEvents, pick, randomEvents, seededRandom } from "../query/support/cost-events.js";
import { perBudgetSpend } from "./support/per-budget-spend.js";
import { countingDatabase } from "../support/counting-database.js";

// Batched evaluation must answer exactly what one set of reports per budget answered: randomized
// budgets (every scope dimension, `per`, calendar and rolling periods, time zones with whole- and
// half-hour offsets, hostile values) over a seeded ledger (repriced, days closed only through March
// 14, late events after that), compared with the per-budget path, and in a bounded number of
// statements whatever the number of budgets.

const at = new Date("2024-03-20T15:37:12.345Z");
const repos = ["api", "web", "worker", "etl", "docs-bot"];
const scopeChoices: Record<string, readonly (string | null)[]> = {
  repo: repos,
  taskType: ["review", "summarize", "triage", "chat", "nope"],
  model: ["claude-sonnet-4-5", "gpt-4o", "gpt-4o-mini", "mystery-model-1", "gemini-2.5-flash"],
  provider: ["anthropic", "openai", "google", "unknown"],
  environment: ["production", "staging", null],
  project: ["default", "acme"],
  userId: ["u1", "u2", "u3", null],
  sessionId: ["s1", "s2", null],
  "metadata.team": ["payments", "search", "infra", "42", null],
};
const periods = ["day", "week", "month", "rolling:1d", "rolling:7d", "rolling:30d"];
const timeZones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"];
const perChoices = [null, null, null, "userId", "repo", "model", "metadata.team", "environment"] as const;

function randomSpec(random: () => number, index: number, hostile: readonly string[]): BudgetSpec {
  const scope: Record<string, Array<string | null>> = {};
  const dimensions = Object.keys(scopeChoices).filter(() => random() < 0.25);
  for (const dimension of dimensions) {
    const choices = dimension === "repo" ? [...scopeChoices.repo!, ...hostile] : scopeChoices[dimension]!;
    const count = 1 + Math.floor(random() * 3);
    scope[dimension] = [...new Set(Array.from({ length: count }, () => pick(random, choices)))];
  }
  return {
    name: `budget-${index}`,
    scope,
    per: pick(random, perChoices),
    period: pick(random, periods),
    timeZone: pick(random, timeZones),
    amountUsd: pick(random, ["1", "25.5", "300", "10000"]),
  };
}

/**
 * The list, the period bounds, the closed days from the day groups and the rest of every report: what
 * a cycle sends whatever the number of budgets, once the day groups of its closed days are built.
 */
const statementsPerCycle = 4;
/** A cycle that builds day groups first: one statement per time zone (four here) and a read again. */
const statementsBuilding = statementsPerCycle + timeZones.length + 1;

describeEachEngine("batched budget evaluation", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  const random = seededRandom(1812);
  const hostile = hostileValues(random, 12).filter((value) => value === storedForm(value));

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
    const events = randomEvents(random, 3000, { start: new Date("2024-02-10T00:00:00Z"), hours: 40 * 24 });
    for (const event of events) {
      if (random() < 0.2) event.project = "acme";
      if (random() < 0.15) event.repo = pick(random, hostile);
    }
    // One writer throughout: it closes the ended days on its first write only.
    const writer = createCostWriter(context.database(), context.schema);
    await insertEvents(context.database(), context.schema, events.slice(0, 2400), writer);
    // Reprice moves events between keys; then the days from March 14 on are open again (read from
    // the hourly rollups) and late events arrive for both sides of that day.
    await repriceEvents(store(), createPricing(), { batchSize: 500 });
    await reopenDays(context.database(), context.schema, new Date("2024-03-14T00:00:00Z"));
    await insertEvents(context.database(), context.schema, events.slice(2400), writer);
    for (let index = 0; index < 120; index++) await createBudget(store(), randomSpec(random, index, hostile));
  }, 180_000);

  it("gives every budget the status its own reports give, exactly", async () => {
    const first = countingDatabase(context.database());
    const built = await budgetStatus({ database: first.database, schema: context.schema }, { at });
    expect(first.calls()).toBeGreaterThan(statementsPerCycle);
    expect(first.calls()).toBeLessThanOrEqual(statementsBuilding);
    const { database, calls } = countingDatabase(context.database());
    const batched = await budgetStatus({ database, schema: context.schema }, { at });
    expect(calls()).toBe(statementsPerCycle);
    expect(batched).toEqual(built);

    const budgets = await listBudgets(store());
    const bounds = await periodBounds(store(), budgets, at);
    const reference = [];
    for (let index = 0; index < budgets.length; index++) {
      const spend = await perBudgetSpend(store(), budgets[index]!, bounds[index]!, at);
      reference.push(statusFromSpend(budgets[index]!, bounds[index]!, at, spend));
    }
    expect(batched.budgets).toEqual(reference);
    // Something was spent and something was not: the comparison is not of empty answers.
    expect(batched.budgets.some((status) => status.spentUsd !== "0")).toBe(true);
    expect(batched.budgets.some((status) => status.topDriver !== null)).toBe(true);
    expect(batched.budgets.some((status) => (status.values?.length ?? 0) > 1)).toBe(true);
  });

  it("answers from raw events alone exactly what it answers from the rollups", async () => {
    const budgets = await listBudgets(store());
    const fromRollups = await statusesOf(store(), budgets, at);
    const fromRaw = await statusesOf(store(), budgets, at, { source: "raw" });
    expect(fromRaw).toEqual(fromRollups);
    // A moment on a whole hour (no raw edge at the end; Berlin's day starts on it): the same rule.
    const onTheHour = new Date("2024-03-19T23:00:00Z");
    const auto = await statusesOf(store(), budgets, onTheHour);
    expect(await statusesOf(store(), budgets, onTheHour, { source: "raw" })).toEqual(auto);
  });

  it("gives every alert the top contributors its own reports give, exactly", async () => {
    const { budgets } = await budgetStatus(store(), { at });
    const requests = budgets.flatMap((status) =>
      (status.values ?? [{ value: undefined, periodStart: status.periodStart }]).map((entry) => ({
        budget: status.budget,
        value: entry.value,
        from: entry.periodStart,
      })),
    );
    // The first call builds the day groups of the contributors' sets (UTC days: no grain).
    const first = countingDatabase(context.database());
    const built = await topContributors({ database: first.database, schema: context.schema }, requests, at);
    expect(first.calls()).toBe(4);
    // Then the closed days from the day groups, the rest from the rollups and raw events.
    const { database, calls } = countingDatabase(context.database());
    const batched = await topContributors({ database, schema: context.schema }, requests, at);
    expect(calls()).toBe(2);
    expect(batched).toEqual(built);
    // The reference: a report per alert and dimension, as alert bodies were built one at a time.
    const reference = [];
    for (const { budget, value, from } of requests) {
      const filters: Record<string, unknown> = { ...budget.scope };
      if (budget.per && value !== undefined) filters[budget.per] = [value];
      const top = async (dimension: "model" | "repo") =>
        (
          await queryCosts(store(), {
            from,
            to: at,
            groupBy: [dimension],
            filters: filters as CostFilters,
            limit: 3,
          })
        ).rows.map((row) => ({ value: (row[dimension] as string | null) ?? null, costUsd: row.costUsd }));
      reference.push({ model: await top("model"), repo: await top("repo") });
    }
    expect(batched).toEqual(reference);
    expect(batched.some((entry) => entry.repo.length === 3)).toBe(true);
  });

  it("answers a budget alone as it answers it among all the others", async () => {
    const all = await budgetStatus(store(), { at });
    for (const status of all.budgets.slice(0, 10)) {
      const alone = await budgetStatus(store(), { at, budgets: [status.budget.id] });
      expect(alone.budgets).toEqual([status]);
    }
  });

  it("reads budgets that share their scope's dimensions in one report per group, not per budget", async () => {
    await context.database().exec(`DELETE FROM "${context.schema}".llm_ledger_budgets`);
    for (let index = 0; index < 30; index++) {
      const repo = index < repos.length ? repos[index]! : `repo-${index}`;
      await createBudget(store(), {
        name: `repo-${index}`,
        scope: { repo },
        period: "month",
        amountUsd: "5",
      });
    }
    for (let index = 0; index < 20; index++) {
      await createBudget(store(), {
        name: `model-${index}`,
        scope: { model: pick(random, scopeChoices.model!) },
        per: "userId",
        period: "week",
        timeZone: "Europe/Berlin",
        amountUsd: "2",
      });
    }
    // The first cycle builds the day groups of the sets not built yet, one statement per zone (UTC
    // and Berlin at most: the UTC sets may be built already), and reads again.
    const first = countingDatabase(context.database());
    const built = await budgetStatus({ database: first.database, schema: context.schema }, { at });
    expect(first.calls()).toBeGreaterThan(statementsPerCycle);
    expect(first.calls()).toBeLessThanOrEqual(statementsPerCycle + 2 + 1);
    // Then four statements, against 50 to 100 one budget at a time.
    const { database, calls } = countingDatabase(context.database());
    const { budgets } = await budgetStatus({ database, schema: context.schema }, { at });
    expect(budgets).toHaveLength(50);
    expect(calls()).toBe(statementsPerCycle);
    expect(budgets).toEqual(built.budgets);
  });
});
