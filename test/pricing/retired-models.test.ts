// End dates (issue 17): an entry the provider retired carries `retired: YYYY-MM-DD`. A call at or
// after 00:00 UTC of that day is unpriced and flagged (the provider refuses such calls, so a recorded
// one is mislabelled); before it, the call is priced as it always was. `pricing list` shows the date.
import { describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { createPricing, estimateCost, type ModelEntry } from "../../src/pricing/index.js";
import { runLedger } from "../support/cli.js";

const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };

describe("a retired model", () => {
  it.each([
    // [model, provider, end date, the last price's cost]
    ["deepseek-chat", "deepseek", "2026-07-24", "0.42"],
    ["deepseek-reasoner", "deepseek", "2026-07-24", "0.42"],
    // A million input tokens is above Flash-8B's 128k tier: 0.075 + 0.3.
    ["gemini-1.5-flash-8b", "google", "2025-09-24", "0.375"],
  ])(
    "%s on %s: priced up to the last instant before %s, flagged from 00:00 UTC that day",
    (model, provider, date, cost) => {
      const day = Date.parse(`${date}T00:00:00Z`);
      const before = estimateCost({ model, provider, usage, at: new Date(day - 1) });
      expect(before).toMatchObject({ priced: true, costUsd: cost });
      // The same instant written with an offset is still the day before in UTC.
      expect(estimateCost({ model, provider, usage, at: `${date}T01:59:59+02:00` }).priced).toBe(true);
      for (const at of [new Date(day), `${date}T00:00:00.000Z`, new Date(day + 86_400_000 * 30)]) {
        const after = estimateCost({ model, provider, usage, at });
        expect(after, String(at)).toMatchObject({ priced: false, costUsd: "0", retired: date, model });
        if (after.priced) return;
        expect(after.reason).toContain(`retired by ${provider} on ${date}`);
      }
      // Without a time, the call is now: long after every end date here.
      expect(estimateCost({ model, provider, usage })).toMatchObject({ priced: false, retired: date });
    },
  );

  it("leaves every other spelling and host of the model alone: the end date is the entry's", () => {
    // deepseek-v4-flash was retired as a model but its id is still served (by V4.1 Flash): no end date.
    expect(estimateCost({ model: "deepseek-v4-flash", provider: "deepseek", usage }).priced).toBe(true);
    expect(
      estimateCost({ model: "models/gemini-1.5-flash-8b", provider: "google", usage, at: "2025-09-23" }),
    ).toMatchObject({ priced: true });
  });

  it("can be priced again by an override that restates the entry without an end date", () => {
    const pricing = createPricing({
      overrides: {
        models: [{ provider: "deepseek", id: "deepseek-chat", prices: [{ input: "0.14", output: "0.28" }] }],
      },
    });
    expect(pricing.estimateCost({ model: "deepseek-chat", provider: "deepseek", usage })).toMatchObject({
      priced: true,
      costUsd: "0.42",
    });
  });

  it("lists the shipped end dates, each on an entry whose notes say where it was published", () => {
    const retired = createPricing()
      .listModels()
      .filter(({ entry }) => entry.retired !== undefined)
      .map(({ provider, entry }) => `${provider}/${entry.id} ${entry.retired}`);
    expect(retired.sort()).toEqual([
      "deepseek/deepseek-chat 2026-07-24",
      "deepseek/deepseek-reasoner 2026-07-24",
      "google/gemini-1.5-flash-8b 2025-09-24",
    ]);
    for (const { entry } of createPricing().listModels()) {
      if (entry.retired === undefined) continue;
      expect(entry.source, entry.id).toMatch(/^https:\/\//);
      expect(entry.notes, entry.id).toContain(entry.retired);
    }
  });
});

describe("a bad end date", () => {
  const model = (retired: unknown): ModelEntry & { provider: string } =>
    ({ provider: "openai", id: "ft:old", prices: [{ input: "1" }], retired }) as never;

  it.each([
    ["2026-02-30"],
    ["2026-7-24"],
    ["24/07/2026"],
    [20260724],
    [""],
    [null],
    ["2026-07-24T00:00:00Z"],
  ])("refuses %j naming the field", (retired) => {
    try {
      createPricing({ overrides: { models: [model(retired)] } });
      throw new Error("accepted");
    } catch (error) {
      expect(isLedgerError(error) && error.code).toBe("E_PRICING_OVERRIDES");
      expect((error as Error).message).toContain("$.models[0].retired: expected a date YYYY-MM-DD");
    }
  });

  it("accepts a date in an override and flags calls from that day", () => {
    const pricing = createPricing({ overrides: { models: [model("2026-01-01")] } });
    const call = (at: string) => pricing.estimateCost({ model: "ft:old", provider: "openai", usage, at });
    expect(call("2025-12-31T23:59:59.999Z").priced).toBe(true);
    expect(call("2026-01-01T00:00:00Z")).toMatchObject({ priced: false, retired: "2026-01-01" });
  });
});

describe("llm-ledger pricing list", () => {
  it("shows the end date, and no price in force after it", async () => {
    const run = await runLedger(["pricing", "list", "--provider", "deepseek", "--json"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as { id: string; retired?: string; current: unknown }[];
    const chat = rows.find((row) => row.id === "deepseek-chat")!;
    expect(chat).toMatchObject({ retired: "2026-07-24", current: null });
    expect(rows.find((row) => row.id === "deepseek-flash")).toMatchObject({ current: { input: "0.15" } });
    const table = await runLedger(["pricing", "list", "--provider", "deepseek"]);
    const line = table.stdout.split("\n").find((text) => text.includes("deepseek-chat "))!;
    expect(line).toContain("2026-07-24");
    expect(table.stdout.split("\n")[0]).toContain("retired");
  });

  it("pricing show names the end date", async () => {
    const run = await runLedger(["pricing", "show", "deepseek-reasoner", "--provider", "deepseek"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("retired   2026-07-24 (calls from that day are not priced)");
  });
});
