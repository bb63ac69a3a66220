// `llm-ledger pricing explain` on an embedded database and through a running service, and the promise
// behind it: the explanation stays the same after `pricing update` brings a catalog with other
// prices and after the overrides file changes (only the "today" line follows the catalog in force).
// Also `pricing list`: the price in force today, never one announced for later.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import type { CostExplanation } from "../../src/query/index.js";
import { startServer } from "../../src/server/start-server.js";
import { createTelemetryStore } from "../../src/store/index.js";
import { createCostTracker } from "../../src/tracker/index.js";
import { catalogBundle } from "../support/catalog-server.js";
import { runLedger } from "../support/cli.js";
import { silentLogger } from "../support/loggers.js";

const adminKey = "cli-explain-admin-key-0123456789abcdef";
let directory: string;
let home: string;
let databaseUrl: string;
let eventId: string;

function explain(extra: string[] = [], env: Record<string, string> = {}) {
  return runLedger(["pricing", "explain", eventId, "--database-url", databaseUrl, ...extra], {
    env: { LLM_LEDGER_HOME: home, ...env },
  });
}

async function explainJson(env: Record<string, string> = {}): Promise<CostExplanation> {
  const run = await explain(["--format", "json"], env);
  expect(run.exitCode, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as CostExplanation;
}

const withoutToday = ({ today: _today, ...rest }: CostExplanation) => rest;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "llm-ledger-cli-explain-"));
  home = join(directory, "home");
  databaseUrl = `pglite:${join(directory, "db")}`;
  const store = await createTelemetryStore({ databaseUrl, pgliteThread: "caller" });
  const tracker = createCostTracker({ sink: store, pricing: createPricing(), logger: silentLogger });
  const result = await tracker.track({
    repo: "acme/api",
    taskType: "review",
    model: "claude-sonnet-4-5",
    inputTokens: 100_000,
    outputTokens: 1_000,
    cacheReadTokens: 2_000,
    providerCostUsd: "0.3",
  });
  await tracker.close();
  await store.close();
  expect(result.outcome).toBe("stored");
  eventId = result.eventId;
}, 60_000);
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("llm-ledger pricing explain", () => {
  it("explains a stored cost in JSON and as a table, and stays the same after the catalog and overrides change", async () => {
    const before = await explainJson();
    expect(before).toMatchObject({
      eventId,
      basis: "rates",
      storedCostUsd: "0.3156",
      totalUsd: "0.3156",
      addsUp: true,
      providerCostUsd: "0.3",
      catalog: { entry: "claude-sonnet-4-5", provider: "anthropic" },
      today: { priced: true, costUsd: "0.3156" },
    });

    const table = await explain();
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/input\s+100000\s+3\/M\s+0\.3/);
    expect(table.stdout).toMatch(/cache_read\s+2000\s+0\.3\/M\s+0\.0006/);
    expect(table.stdout).toContain("stored   $0.3156 (cost source catalog), adds up");
    expect(table.stdout).toContain("provider $0.3");

    // A newer catalog with another Sonnet 4.5 price, through `pricing update`.
    const file = join(directory, "catalog.json");
    writeFileSync(file, JSON.stringify(catalogBundle("2099-01-01", "9")));
    const update = await runLedger(["pricing", "update", "--from", file], { env: { LLM_LEDGER_HOME: home } });
    expect(update.exitCode, update.stderr).toBe(0);
    const updated = await explainJson();
    expect(withoutToday(updated)).toEqual(withoutToday(before));
    // 9/M input, 15/M output, no cache-read price of its own (billed as input): 0.9 + 0.015 + 0.018.
    expect(updated.today).toMatchObject({ priced: true, costUsd: "0.933", pricingVersion: "2099-01-01" });

    // An overrides file that prices the model differently.
    const overrides = join(directory, "overrides.json");
    writeFileSync(
      overrides,
      JSON.stringify({
        models: [{ provider: "anthropic", id: "claude-sonnet-4-5", prices: [{ input: "1", output: "1" }] }],
      }),
    );
    const overridden = await explainJson({ LLM_LEDGER_PRICING_FILE: overrides });
    expect(withoutToday(overridden)).toEqual(withoutToday(before));
    expect(overridden.today).toMatchObject({ priced: true, costUsd: "0.103" });
  }, 120_000);

  it("answers the same through a running service (--url), and says when no event has the id", async () => {
    const local = await explainJson();
    const server = await startServer({ databaseUrl, port: 0, adminKey, logger: silentLogger, home });
    try {
      const env = { LLM_LEDGER_HOME: home, LLM_LEDGER_ADMIN_KEY: adminKey };
      const remote = await runLedger(["pricing", "explain", eventId, "--url", server.url, "--json"], { env });
      expect(remote.exitCode, remote.stderr).toBe(0);
      expect(withoutToday(JSON.parse(remote.stdout) as CostExplanation)).toEqual(withoutToday(local));
      const missing = await runLedger(["pricing", "explain", randomUUID(), "--url", server.url], { env });
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr).toMatch(/no event with id/);
      const elsewhere = await runLedger(
        ["pricing", "explain", eventId, "--url", server.url, "--project", "nobody"],
        { env },
      );
      expect(elsewhere.exitCode).toBe(1);
      const bad = await runLedger(["pricing", "explain", "not-a-uuid", "--url", server.url], { env });
      expect(bad.exitCode).toBe(1);
      expect(bad.stderr).toContain("an event id is a UUID");
    } finally {
      await server.close();
    }
    // The service released the embedded database: the CLI opens it again.
    expect((await explain()).exitCode).toBe(0);
    const noArgument = await runLedger(["pricing", "explain"], { env: { LLM_LEDGER_HOME: home } });
    expect(noArgument.exitCode).toBe(2);
  }, 120_000);
});

describe("llm-ledger pricing list", () => {
  it("shows the price in force today and names a change announced for later apart", async () => {
    const run = await runLedger(["pricing", "list", "--provider", "google", "--format", "json"]);
    expect(run.exitCode).toBe(0);
    const models = JSON.parse(run.stdout) as {
      id: string;
      current: { input: string } | null;
      upcoming: { from: string; input: string }[];
    }[];
    const flash = models.find((model) => model.id === "gemini-3.6-flash")!;
    // Today's price (the same as `estimate` charges), not the 2027-01-01 one.
    const today = createPricing().estimateCost({
      model: "gemini-3.6-flash",
      usage: { inputTokens: 1_000_000, outputTokens: 0 },
    });
    expect(flash.current!.input).toBe(today.costUsd);
    expect(flash.upcoming).toEqual([expect.objectContaining({ from: "2027-01-01", input: "1.5" })]);
    const table = await runLedger(["pricing", "list", "--provider", "google"]);
    const line = table.stdout.split("\n").find((text) => /\sgemini-3\.6-flash\s/.test(text))!;
    expect(line).toMatch(/gemini-3\.6-flash\s+0\.75\s+3\.75\s+0\.075/);
    expect(line).toContain("from 2027-01-01: input 1.5");
  });
});
