// Negotiated rates in the ledger, on both engines (issue 17): the charged cost is estimated_cost_usd
// (what the rollups sum), the list price is kept beside it in list_cost_usd, through every ingest path
// — the library (tracker and recordLlmCosts), HTTP ingest (the key's project selects the discount),
// export and import — and the explanation shows the discount and adds up to the stored cost exactly.
// A reprice applies the discounts in force now.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { costExplanationTable } from "../../src/cli/cost-explanation-table.js";
import { createPricing, type Pricing } from "../../src/pricing/index.js";
import { explainEventCost, getEvent, queryCosts, repriceEvents } from "../../src/query/index.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { createTelemetryStore, type LlmCostRecordInput, type TelemetryStore } from "../../src/store/index.js";
import { createCostTracker } from "../../src/tracker/index.js";
import { createKeyVia } from "../support/admin-keys.js";
import { runLedger } from "../support/cli.js";
import { describeEachEngine, engineDatabase, serverUrl, uniqueSchema } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const adminKey = "negotiated-rates-admin-key-0123456789";
const discounts = {
  discounts: [
    { provider: "anthropic", percent: "12.5", source: "MSA 2026" },
    { provider: "anthropic", project: "alpha", percent: "20" },
    { provider: "openai", model: "^gpt-4o$", percent: "7.3333" },
  ],
};

/** A canonical decimal in 10^-12 dollars (the column's scale), parsed by the test itself. */
function pico(value: string): bigint {
  const [whole, fraction = ""] = value.split(".");
  return BigInt(whole! + fraction.replace(/0+$/, "").padEnd(12, "0"));
}

/** The usage counters of a call, as `estimateCost` takes them. */
const usageOf = (input: LlmCostRecordInput) => ({
  inputTokens: input.inputTokens,
  outputTokens: input.outputTokens,
  cacheReadTokens: input.cacheReadTokens,
  cacheWriteTokens: input.cacheWriteTokens,
  cacheWrite1hTokens: input.cacheWrite1hTokens,
  webSearchRequests: input.webSearchRequests,
});

const call = (overrides: Partial<LlmCostRecordInput> = {}): LlmCostRecordInput => ({
  eventId: randomUUID(),
  repo: "acme/api",
  taskType: "review",
  model: "claude-sonnet-4-5",
  provider: "anthropic",
  inputTokens: 123_457,
  outputTokens: 3_331,
  cacheReadTokens: 77_777,
  cacheWriteTokens: 1_001,
  cacheWrite1hTokens: 333,
  ...overrides,
});

describeEachEngine("negotiated rates in the ledger", (context) => {
  let store: TelemetryStore;
  let pricing: Pricing;
  const query = () => ({ database: context.database(), schema: context.schema });

  async function track(calls: LlmCostRecordInput[], project?: string) {
    const tracker = createCostTracker({ sink: store, pricing, logger: silentLogger, project });
    const results = await Promise.all(calls.map((input) => tracker.track(input)));
    await tracker.close();
    for (const result of results) expect(result.outcome, result.reason).toBe("stored");
    return results.map((result) => result.eventId);
  }

  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
    pricing = createPricing({ overrides: discounts });
  });
  afterAll(() => store.close());

  it("stores the charged cost and the list price through the tracker, and explains the discount exactly", async () => {
    const calls = [
      call(),
      call({ model: "gpt-4o", provider: "openai", cacheWriteTokens: 0, cacheWrite1hTokens: 0 }),
      call({ model: "gemini-2.5-pro", provider: "google", cacheWriteTokens: 0, cacheWrite1hTokens: 0 }),
      call({ webSearchRequests: 7 }),
    ];
    const ids = await track(calls);
    for (const [index, eventId] of ids.entries()) {
      const input = calls[index]!;
      const estimate = pricing.estimateCost({
        model: input.model,
        provider: input.provider,
        project: "default",
        usage: usageOf(input),
      });
      if (!estimate.priced) throw new Error(estimate.reason);
      const stored = (await getEvent(query(), eventId))!;
      expect(pico(stored.estimatedCostUsd)).toBe(pico(estimate.costUsd));
      expect(pico(stored.listCostUsd!)).toBe(pico(estimate.listCostUsd));
      const explanation = (await explainEventCost(query(), eventId))!;
      expect(explanation.addsUp, JSON.stringify(explanation)).toBe(true);
      expect(explanation.catalogTotalUsd).toBe(estimate.listCostUsd);
      if (input.model === "gemini-2.5-pro") {
        expect(explanation.discount).toBeNull();
        expect(stored.listCostUsd).toBe(stored.estimatedCostUsd);
        continue;
      }
      expect(explanation.discount).toMatchObject({
        percent: input.provider === "openai" ? "7.3333" : "12.5",
        listUsd: estimate.listCostUsd,
        amountUsd: estimate.discount!.amountUsd,
      });
      expect(pico(explanation.discount!.listUsd) - pico(explanation.discount!.amountUsd)).toBe(
        pico(explanation.storedCostUsd),
      );
      expect(explanation.summary).toContain("negotiated");
      // `pricing explain` prints the discount line and the charged total beside the list.
      const table = costExplanationTable(explanation);
      expect(table).toContain(`catalog  $${estimate.listCostUsd}\n`);
      expect(table).toContain(
        `discount -$${estimate.discount!.amountUsd} (${explanation.discount!.percent}% negotiated on ${input.provider}`,
      );
      expect(table).toContain(`charged  $${explanation.totalUsd}\n`);
      expect(table).toContain(", adds up");
    }
  });

  it("keeps the explanation after the discounts change, and a reprice applies the current ones", async () => {
    const [eventId] = await track([call({ createdAt: "2026-11-02T10:00:00Z" })], "repriced");
    const before = (await explainEventCost(query(), eventId!))!;
    expect(before.discount?.percent).toBe("12.5");
    const newer = createPricing({ overrides: { discounts: [{ provider: "anthropic", percent: "30" }] } });
    const result = await repriceEvents(query(), newer, { since: "2026-11-02T00:00:00Z" });
    expect(result.failed).toBe(0);
    const stored = (await getEvent(query(), eventId!, { project: "repriced" }))!;
    const estimate = newer.estimateCost({
      model: "claude-sonnet-4-5",
      provider: "anthropic",
      at: "2026-11-02T10:00:00Z",
      usage: usageOf(call()),
    });
    if (!estimate.priced) throw new Error(estimate.reason);
    expect(pico(stored.estimatedCostUsd)).toBe(pico(estimate.costUsd));
    expect(pico(stored.listCostUsd!)).toBe(pico(before.catalogTotalUsd!));
    const after = (await explainEventCost(query(), eventId!, { project: "repriced" }))!;
    expect(after).toMatchObject({ addsUp: true, discount: { percent: "30" } });
    // The rollups keep the charged cost.
    const report = await queryCosts(query(), {
      from: "2026-11-02T00:00:00Z",
      to: "2026-11-03T00:00:00Z",
      filters: { project: ["repriced"] },
    });
    expect(pico(report.totals.costUsd)).toBe(pico(estimate.costUsd));
  });

  it("fills the list price of events stored before it was kept, on reprice", async () => {
    const eventId = randomUUID();
    await store.recordLlmCosts([
      {
        eventId,
        createdAt: "2026-11-05T08:00:00Z",
        repo: "r",
        taskType: "t",
        model: "gpt-4o",
        provider: "openai",
        sdk: "raw",
        inputTokens: 1000,
        outputTokens: 1000,
        estimatedCostUsd: "0.0125",
        project: "legacy",
      },
    ]);
    expect((await getEvent(query(), eventId, { project: "legacy" }))!.listCostUsd).toBeNull();
    await repriceEvents(query(), pricing, { since: "2026-11-05T00:00:00Z" });
    const stored = (await getEvent(query(), eventId, { project: "legacy" }))!;
    expect(pico(stored.listCostUsd!)).toBe(pico("0.0125"));
    // 7.3333% of 0.0125 = 0.000916662500 exactly.
    expect(pico(stored.estimatedCostUsd)).toBe(pico("0.0115833375"));
  });

  it("accepts a list price from the library's recordLlmCosts, and refuses a negative one", async () => {
    const eventId = randomUUID();
    const record = {
      eventId,
      createdAt: new Date(),
      repo: "r",
      taskType: "t",
      model: "m",
      provider: "unknown",
      sdk: "raw" as const,
      inputTokens: 1,
      outputTokens: 1,
      estimatedCostUsd: "0.5",
      listCostUsd: "0.625",
    };
    await store.recordLlmCosts([record]);
    expect((await getEvent(query(), eventId))!.listCostUsd).toMatch(/^0\.625/);
    const refused = await store.recordLlmCosts([{ ...record, eventId: randomUUID(), listCostUsd: "-1" }]);
    expect(refused.inserted).toBe(0);
    expect(refused.rejected?.[0]?.reason).toContain("list_cost_usd");
  });

  describe("over HTTP", () => {
    let server: RunningServer;
    const keys: Record<string, string> = {};

    beforeAll(async () => {
      server = await startServer({
        database: context.database(),
        schema: context.schema,
        port: 0,
        adminKey,
        logger: silentLogger,
        pricing,
      });
      const created = await fetch(`${server.url}/v1/projects`, {
        method: "POST",
        headers: { authorization: `Bearer ${adminKey}` },
        body: JSON.stringify({ slug: "alpha", name: "Alpha" }),
      });
      expect(created.status).toBe(201);
      keys.alpha = await createKeyVia(server.url, adminKey, {
        name: "a",
        scopes: ["ingest", "read"],
        project: "alpha",
      });
      keys.all = await createKeyVia(server.url, adminKey, {
        name: "b",
        scopes: ["ingest", "read"],
        project: null,
      });
    });
    afterAll(() => server.close());

    const post = (events: unknown[], key: string) =>
      fetch(`${server.url}/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify({ events }),
      }).then((response) => response.json() as Promise<{ accepted: number; rejected: { error: string }[] }>);

    it("prices with the discount of the key's project, and keeps the list price", async () => {
      const alpha = call();
      const global = call();
      expect((await post([alpha], keys.alpha!)).accepted).toBe(1);
      expect((await post([global], keys.all!)).accepted).toBe(1);
      const read = (eventId: string, key: string) =>
        fetch(`${server.url}/v1/events/${eventId}/cost`, {
          headers: { authorization: `Bearer ${key}` },
        }).then((response) => response.json() as Promise<{ discount: { percent: string }; addsUp: boolean }>);
      expect(await read(alpha.eventId!, keys.alpha!)).toMatchObject({
        discount: { percent: "20" },
        addsUp: true,
      });
      expect(await read(global.eventId!, keys.all!)).toMatchObject({
        discount: { percent: "12.5" },
        addsUp: true,
      });
      const event = (await (
        await fetch(`${server.url}/v1/events/${alpha.eventId}`, {
          headers: { authorization: `Bearer ${keys.alpha}` },
        })
      ).json()) as { estimatedCostUsd: string; listCostUsd: string };
      expect(pico(event.estimatedCostUsd) * 5n).toBe(pico(event.listCostUsd) * 4n);
    });

    it("refuses a list price sent by the caller, naming the field", async () => {
      const answer = await post([{ ...call(), listCostUsd: "0.01" }], keys.all!);
      expect(answer.accepted).toBe(0);
      expect(answer.rejected[0]!.error).toBe(
        "listCostUsd is computed by the server; send providerCostUsd for a cost the provider reported",
      );
    });
  });
});

// export → import with the CLI keeps the list price beside the charged cost (on the server when
// there is one, else an embedded database directory).
const schema = uniqueSchema("nr_export");
let directory = "";
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-negotiated-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
  if (serverUrl) {
    const database = await engineDatabase("postgres");
    for (const name of [schema, `${schema}_in`])
      await database.exec(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  }
});

it("export and import keep listCostUsd (JSONL and the CSV column)", async () => {
  const target = (suffix: string) =>
    serverUrl
      ? ["--database-url", serverUrl, "--schema", `${schema}${suffix}`]
      : ["--database-url", `pglite:${path.join(directory, `db${suffix}`)}`];
  const overrides = path.join(directory, "prices.json");
  await writeFile(overrides, JSON.stringify(discounts));
  const env = { LLM_LEDGER_PRICING_FILE: overrides };
  const event = {
    ...call(),
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    sdk: "raw",
    estimatedCostUsd: "0.875",
    listCostUsd: "1",
    priced: true,
  };
  const events = path.join(directory, "in.jsonl");
  await writeFile(events, JSON.stringify(event) + "\n");
  expect((await runLedger(["import", events, ...target("")], { env })).exitCode).toBe(0);
  const exported = await runLedger(["export", ...target("")], { env });
  expect(exported.exitCode, exported.stderr).toBe(0);
  const line = JSON.parse(exported.stdout.trim()) as { listCostUsd: string; estimatedCostUsd: string };
  expect(pico(line.listCostUsd)).toBe(pico("1"));
  expect(pico(line.estimatedCostUsd)).toBe(pico("0.875"));
  const again = path.join(directory, "again.jsonl");
  await writeFile(again, exported.stdout);
  expect((await runLedger(["import", again, ...target("_in")], { env })).exitCode).toBe(0);
  const second = JSON.parse((await runLedger(["export", ...target("_in")], { env })).stdout.trim()) as {
    listCostUsd: string;
  };
  expect(second.listCostUsd).toBe(line.listCostUsd);
  const csv = await runLedger(["export", "--format", "csv", ...target("")], { env });
  const [header, row] = csv.stdout.trim().split("\n");
  const column = header!.split(",").indexOf("listCostUsd");
  expect(column).toBeGreaterThan(0);
  expect(pico(row!.split(",")[column]!)).toBe(pico("1"));
  // A malformed list price in an import line is refused, naming the field.
  const bad = path.join(directory, "bad.jsonl");
  await writeFile(bad, JSON.stringify({ ...event, eventId: randomUUID(), listCostUsd: "=1+1" }) + "\n");
  const refused = await runLedger(["import", bad, "--json", ...target("")], { env });
  expect(refused.stdout + refused.stderr).toContain("listCostUsd");
});
