import { beforeAll, beforeEach, expect, it } from "vitest";
import {
  budgetStatus,
  createBudget,
  deleteBudget,
  getBudget,
  listBudgets,
  updateBudget,
} from "../../src/budgets/index.js";
import { isLedgerError } from "../../src/errors.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { hostileValues, seededRandom } from "../support/hostile-text.js";
import { insertEvents, testEvent } from "../query/support/cost-events.js";
import { emptyTables } from "../query/support/rollup-drift.js";

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (isLedgerError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  return "no error";
}

/** Names with lone surrogates or control characters are refused (budget-spec.test.ts says how). */
function storableName(value: string): boolean {
  try {
    encodeURIComponent(value); // throws on a lone surrogate
  } catch {
    return false;
  }
  return [...value].every((character) => character >= " " && character !== "\u007f");
}

describeEachEngine("budgets", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  const at = (iso: string) => new Date(iso);
  const events = (list: Parameters<typeof testEvent>[0][]) =>
    insertEvents(
      context.database(),
      context.schema,
      list.map((overrides) => testEvent(overrides)),
    );

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
    await context.database().exec(`DELETE FROM "${context.schema}".llm_ledger_budgets`);
  });

  it("creates, lists, finds by id or name, updates and deletes budgets", async () => {
    const created = await createBudget(store(), {
      name: "api-monthly",
      scope: { repo: ["acme/api"] },
      period: "month",
      timeZone: "Europe/Berlin",
      amountUsd: "500.25",
      notify: ["webhook:https://hooks.example.com/ledger"],
    });
    expect(created).toMatchObject({
      name: "api-monthly",
      scope: { repo: ["acme/api"] },
      per: null,
      period: "month",
      timeZone: "Europe/Berlin",
      amountUsd: "500.25",
      thresholds: [50, 80, 100],
      action: null,
      notify: ["webhook:https://hooks.example.com/ledger"],
    });
    expect(created.id).toMatch(/^\d+$/);
    expect(await getBudget(store(), created.id)).toEqual(created);
    expect(await getBudget(store(), "api-monthly")).toEqual(created);
    expect(await getBudget(store(), "nope")).toBeUndefined();

    const updated = await updateBudget(store(), "api-monthly", { amountUsd: "750", action: "block" });
    expect(updated).toEqual({ ...created, amountUsd: "750", action: "block", updatedAt: updated!.updatedAt });
    expect(await listBudgets(store())).toEqual([updated]);
    expect(await updateBudget(store(), "999999", { amountUsd: "1" })).toBeUndefined();

    expect(await deleteBudget(store(), created.id)).toEqual(updated);
    expect(await deleteBudget(store(), created.id)).toBeUndefined();
    expect(await listBudgets(store())).toEqual([]);
  });

  it("refuses a taken name on create and on rename, and a bad change naming its field, changing nothing", async () => {
    await createBudget(store(), { name: "a", period: "day", amountUsd: "1" });
    const b = await createBudget(store(), { name: "b", period: "day", amountUsd: "2" });
    expect(await codeOf(createBudget(store(), { name: "a", period: "week", amountUsd: "3" }))).toBe(
      'E_BUDGET_CONFLICT: name: a budget named "a" exists already',
    );
    expect(await codeOf(updateBudget(store(), "b", { name: "a" }))).toBe(
      'E_BUDGET_CONFLICT: name: a budget named "a" exists already',
    );
    expect(await codeOf(updateBudget(store(), "b", { period: "fortnight" }))).toMatch(
      /^E_BUDGET_SPEC: period: /,
    );
    expect(await getBudget(store(), "b")).toEqual(b);
  });

  it("stores hostile names and scope values exactly", async () => {
    const values = hostileValues(seededRandom(18), 30).filter(
      (value) => storableName(value) && !/^\d+$/.test(value) && value.trim() !== "",
    );
    for (const [index, value] of values.entries()) {
      const created = await createBudget(store(), {
        name: `${value} ${index}`,
        scope: { repo: [value], "metadata.t,e=am": value },
        period: "day",
        amountUsd: "1",
      });
      expect(await getBudget(store(), `${value} ${index}`)).toEqual(created);
      expect(created.scope).toEqual({ repo: [value], "metadata.t,e=am": [value] });
    }
  });

  it("counts a calendar month in the budget's time zone, exactly, with thresholds and state", async () => {
    await events([
      // 23:30 on Feb 29 in Berlin: February's.
      { createdAt: at("2024-02-29T22:30:00Z"), estimatedCostUsd: "100", repo: "acme/api" },
      // 00:30 on Mar 1 in Berlin: March's, though still February in UTC.
      { createdAt: at("2024-02-29T23:30:00Z"), estimatedCostUsd: "0.000000000001", repo: "acme/api" },
      { createdAt: at("2024-03-10T10:00:00Z"), estimatedCostUsd: "400.1", repo: "acme/api" },
      { createdAt: at("2024-03-10T10:00:00Z"), estimatedCostUsd: "999", repo: "acme/web" },
      // After the moment asked about: not counted.
      { createdAt: at("2024-03-15T13:00:00Z"), estimatedCostUsd: "50", repo: "acme/api" },
    ]);
    const budget = await createBudget(store(), {
      name: "api-monthly",
      scope: { repo: ["acme/api"] },
      period: "month",
      timeZone: "Europe/Berlin",
      amountUsd: "500",
    });
    const { at: reportedAt, budgets } = await budgetStatus(store(), { at: "2024-03-15T12:00:00Z" });
    expect(reportedAt).toBe("2024-03-15T12:00:00.000Z");
    expect(budgets).toHaveLength(1);
    expect(budgets[0]).toMatchObject({
      budget,
      periodStart: "2024-02-29T23:00:00.000Z",
      periodEnd: "2024-03-31T22:00:00.000Z", // Berlin moves to summer time on Mar 31
      spentUsd: "400.100000000001",
      remainingUsd: "99.899999999999",
      percent: 80.02,
      thresholdsCrossed: [50, 80],
      state: "warning",
    });
  });

  it("tracks each value of a per budget on its own; the top-level figures are the value nearest its amount", async () => {
    await events([
      { createdAt: at("2024-03-15T08:00:00Z"), estimatedCostUsd: "8", userId: "u1" },
      { createdAt: at("2024-03-15T09:00:00Z"), estimatedCostUsd: "12", userId: "u2" },
      { createdAt: at("2024-03-15T09:30:00Z"), estimatedCostUsd: "1", userId: null },
      { createdAt: at("2024-03-14T09:30:00Z"), estimatedCostUsd: "70", userId: "u1" }, // yesterday
    ]);
    await createBudget(store(), {
      name: "per-user",
      per: "userId",
      period: "day",
      amountUsd: "10",
      action: "block",
    });
    const [status] = (await budgetStatus(store(), { at: "2024-03-15T12:00:00Z" })).budgets;
    expect(status).toMatchObject({
      value: "u2",
      spentUsd: "12",
      percent: 120,
      state: "blocked",
      remainingUsd: "0",
    });
    expect(status!.values!.map((value) => [value.value, value.spentUsd, value.state])).toEqual([
      ["u2", "12", "blocked"],
      ["u1", "8", "warning"],
      [null, "1", "ok"],
    ]);
    // u1's rate: 70 yesterday, weight 7 of 28 → 17.5 a day.
    expect(status!.values![1]!.forecast).toMatchObject({ dailyRateUsd: "17.5", projectedUsd: "16.75" });
  });

  it("counts a rolling window as the N×24 hours before the moment, and weeks from Monday", async () => {
    await events([
      { createdAt: at("2024-03-08T11:59:59Z"), estimatedCostUsd: "1" },
      { createdAt: at("2024-03-08T12:00:00Z"), estimatedCostUsd: "2" },
      { createdAt: at("2024-03-10T23:59:59Z"), estimatedCostUsd: "4" }, // Sunday
      { createdAt: at("2024-03-11T00:00:00Z"), estimatedCostUsd: "8" }, // Monday
    ]);
    await createBudget(store(), { name: "rolling", period: "rolling:7d", amountUsd: "100" });
    await createBudget(store(), { name: "weekly", period: "week", amountUsd: "100" });
    const { budgets } = await budgetStatus(store(), { at: "2024-03-15T12:00:00Z" });
    expect(
      budgets.map((status) => [status.budget.name, status.periodStart, status.periodEnd, status.spentUsd]),
    ).toEqual([
      ["rolling", "2024-03-08T12:00:00.000Z", "2024-03-15T12:00:00.000Z", "14"],
      ["weekly", "2024-03-11T00:00:00.000Z", "2024-03-18T00:00:00.000Z", "8"],
    ]);
  });

  it("forecasts from the weighted daily rate: the projection at the period's end and when the amount is crossed", async () => {
    const daily = [];
    for (let day = 1; day <= 14; day++) {
      const date = `2024-03-${String(day).padStart(2, "0")}T10:00:00Z`;
      daily.push({
        createdAt: at(date),
        estimatedCostUsd: "1",
        repo: "api",
        resolvedModel: "m-flat",
        model: "m-flat",
      });
    }
    // A second model that only started spending in the last two days: the driver.
    daily.push({
      createdAt: at("2024-03-13T10:00:00Z"),
      estimatedCostUsd: "0.5",
      repo: "api",
      resolvedModel: "m-new",
      model: "m-new",
    });
    daily.push({
      createdAt: at("2024-03-14T10:00:00Z"),
      estimatedCostUsd: "0.5",
      repo: "api",
      resolvedModel: "m-new",
      model: "m-new",
    });
    daily.push({
      createdAt: at("2024-03-15T09:00:00Z"),
      estimatedCostUsd: "0.5",
      repo: "api",
      resolvedModel: "m-flat",
      model: "m-flat",
    });
    await events(daily);
    await createBudget(store(), { name: "monthly", period: "month", amountUsd: "25" });
    const [status] = (await budgetStatus(store(), { at: "2024-03-15T12:00:00Z" })).budgets;
    // Spent 14 + 1 + 0.5; rate (7×1.5 + 6×1.5 + 5+4+3+2+1) / 28 = 34.5 / 28 = 1.232142857142…
    expect(status!.spentUsd).toBe("15.5");
    expect(status!.forecast.method).toBe("weighted-7d");
    expect(status!.forecast.dailyRateUsd).toBe("1.232142");
    // 16.5 days left: 15.5 + 1.232142857142 × 16.5 = 35.830357142…
    expect(status!.forecast.projectedUsd).toBe("35.830357");
    // (25 − 15.5) / 1.232142857142… days = 7.7101449… days after the moment asked about.
    expect(status!.forecast.crossesAt).toBe("2024-03-23T05:02:36.521Z");
    expect(status!.topDriver).toMatchObject({ dimension: "model", value: "m-new" });
  });

  it("answers E_NOT_FOUND for a budget named that does not exist", async () => {
    expect(await codeOf(budgetStatus(store(), { budgets: ["ghost"] }))).toBe(
      'E_NOT_FOUND: no budget with id or name "ghost"',
    );
  });
});
