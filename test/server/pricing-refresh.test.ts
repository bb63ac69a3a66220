import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rootCommand } from "../../src/cli/root-command.js";
import { runCli } from "../../src/cli/run-cli.js";
import { createCatalogRefresh, createPricingInForce } from "../../src/pricing-updates/index.js";
import type { ServerLogger } from "../../src/server/server-logger.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { catalogBundle, startCatalogServer, type CatalogServer } from "../support/catalog-server.js";
import { runLedger } from "../support/cli.js";
import { describeEachEngine } from "../support/databases.js";

const adminKey = "test-admin-key-0123456789abcdef";
const auth = { authorization: `Bearer ${adminKey}` };

describeEachEngine("serve --pricing-refresh", (context) => {
  let catalogs: CatalogServer;
  let server: RunningServer;
  let home: string;
  const warnings: Array<Record<string, unknown>> = [];
  const logger: ServerLogger = {
    info() {},
    warn: (fields, message) => warnings.push({ ...fields, message }),
    error() {},
  };

  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${server.url}/metrics`, { headers: auth })).text();
    const line = text.split("\n").find((row) => row.startsWith(name));
    return Number(line?.split(" ").at(-1));
  };
  /** Waits until the failure counter passes `count` (one more scheduled refresh has failed). */
  const failuresAbove = async (count: number) => {
    await expect
      .poll(() => metric("llm_ledger_pricing_refresh_failures_total"), { timeout: 10_000 })
      .toBeGreaterThan(count);
    return metric("llm_ledger_pricing_refresh_failures_total");
  };
  const sonnet = async () =>
    (await (await fetch(`${server.url}/v1/pricing?model=claude-sonnet-4-5`, { headers: auth })).json()) as {
      pricingVersion: string;
      entry: { prices: Array<{ input: string }> };
    };
  const publish = (body: unknown) =>
    catalogs.answers.set("/catalog.json", { body: typeof body === "string" ? body : JSON.stringify(body) });

  beforeAll(async () => {
    catalogs = await startCatalogServer();
    home = mkdtempSync(join(tmpdir(), "llm-ledger-refresh-"));
    const environment = { env: { LLM_LEDGER_HOME: home }, cwd: process.cwd() };
    publish(catalogBundle("2099-01-01", "7.5"));
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger,
      pricing: createPricingInForce(environment).pricing,
      pricingRefresh: {
        everyMs: 150,
        refresh: createCatalogRefresh({
          from: `${catalogs.url}/catalog.json`,
          environment,
          allowInternalUrls: true,
          timeoutMs: 300,
        }),
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await catalogs?.close();
  });

  it("takes a newer catalog at start, keeps it through failed refreshes, and takes the next newer one", async () => {
    const date = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 1000;
    await expect
      .poll(() => metric("llm_ledger_pricing_catalog_date_seconds"), { timeout: 10_000 })
      .toBe(date("2099-01-01"));
    expect(await sonnet()).toMatchObject({
      pricingVersion: "2099-01-01",
      entry: { prices: [{ input: "7.5" }] },
    });
    const ingested = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({
        events: [
          {
            eventId: randomUUID(),
            repo: "acme/api",
            taskType: "review",
            model: "claude-sonnet-4-5",
            inputTokens: 1_000_000,
            outputTokens: 0,
          },
        ],
      }),
    });
    const answer = await ingested.text();
    expect(ingested.status, answer).toBeLessThan(300);
    expect(answer).not.toContain("error");
    const [row] = await context
      .database()
      .query<{ cost: string; version: string }>(
        `SELECT estimated_cost_usd::text AS cost, pricing_version AS version FROM "${context.schema}".llm_cost_events`,
      );
    expect(Number(row!.cost)).toBe(7.5);
    expect(row!.version).toBe("2099-01-01");

    const invalid = catalogBundle("2099-02-01", "7.5");
    invalid.providers[0]!.models[0]!.prices = [{ input: "not a price" }];
    let failures = await metric("llm_ledger_pricing_refresh_failures_total");
    for (const spoil of [
      () => catalogs.answers.delete("/catalog.json"), // 404
      () => publish("{ corrupt"),
      () => publish(invalid),
      () => publish(catalogBundle("2098-01-01", "1")), // older than the catalog in force
      () => catalogs.answers.set("/catalog.json", "hang"), // no answer within the 300 ms timeout
    ]) {
      spoil();
      failures = await failuresAbove(failures);
      expect(await sonnet()).toMatchObject({
        pricingVersion: "2099-01-01",
        entry: { prices: [{ input: "7.5" }] },
      });
      expect(await metric("llm_ledger_pricing_catalog_date_seconds")).toBe(date("2099-01-01"));
    }
    expect(warnings.map((warning) => (warning.err as { code?: string }).code)).toEqual(
      expect.arrayContaining(["E_PRICING_FETCH", "E_PRICING_DATA", "E_PRICING_STALE"]),
    );
    expect(warnings.every((warning) => String(warning.message).includes("catalog in force is kept"))).toBe(
      true,
    );

    publish(catalogBundle("2099-02-01", "9"));
    await expect.poll(async () => (await sonnet()).pricingVersion, { timeout: 10_000 }).toBe("2099-02-01");
    expect((await sonnet()).entry.prices[0]!.input).toBe("9");
    expect(await metric("llm_ledger_pricing_refreshes_total")).toBeGreaterThan(0);

    // The next CLI run in the same home prices with the catalog the server cached.
    const status = await runLedger(["pricing", "status", "--json"], { env: { LLM_LEDGER_HOME: home } });
    expect(JSON.parse(status.stdout)).toMatchObject({ origin: "cached", date: "2099-02-01" });
  });

  it("stops without waiting for a catalog host that does not answer", async () => {
    catalogs.answers.set("/hanging.json", "hang");
    const environment = { env: { LLM_LEDGER_HOME: home }, cwd: process.cwd() };
    const hanging = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger,
      pricingRefresh: {
        everyMs: 60_000,
        refresh: createCatalogRefresh({
          from: `${catalogs.url}/hanging.json`,
          environment,
          allowInternalUrls: true,
          timeoutMs: 60_000,
        }),
      },
    });
    await expect.poll(() => catalogs.requests.includes("/hanging.json")).toBe(true);
    const started = Date.now();
    await hanging.close();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

it("serve --pricing-refresh needs a source and a duration (usage errors, before any start)", async () => {
  const home = mkdtempSync(join(tmpdir(), "llm-ledger-refresh-"));
  const noSource = await runLedger(["serve", "--pricing-refresh", "24h"], { env: { LLM_LEDGER_HOME: home } });
  expect(noSource.exitCode).toBe(2);
  expect(noSource.stderr).toContain("LLM_LEDGER_PRICING_URL");
  const badDuration = await runLedger(["serve", "--pricing-refresh", "daily", "--pricing-from", "x.json"], {
    env: { LLM_LEDGER_HOME: home },
  });
  expect(badDuration.exitCode).toBe(2);
  expect(badDuration.stderr).toContain("--pricing-refresh must be a duration");
});

it("serve --pricing-refresh --pricing-from prices with what it fetched, and stops cleanly", async () => {
  const catalogs = await startCatalogServer();
  const home = mkdtempSync(join(tmpdir(), "llm-ledger-refresh-"));
  catalogs.answers.set("/catalog.json", { body: JSON.stringify(catalogBundle("2099-05-01", "6.5")) });
  let stdout = "";
  let stop: (signal: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const exited = runCli(
    rootCommand,
    [
      "serve",
      ...["--database-url", "memory:", "--port", "0", "--pricing-refresh", "1h"],
      ...["--pricing-from", `${catalogs.url}/catalog.json`, "--allow-internal-urls"],
    ],
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      env: { LLM_LEDGER_HOME: home, LLM_LEDGER_ADMIN_KEY: adminKey },
      cwd: process.cwd(),
      waitForStop: () => stopped,
    },
  );
  try {
    await expect.poll(() => /listening on (\S+)/.exec(stdout)?.[1], { timeout: 30_000 }).toBeDefined();
    const url = /listening on (\S+)/.exec(stdout)![1]!;
    await expect
      .poll(
        async () =>
          (
            (await (await fetch(`${url}/v1/pricing?model=claude-sonnet-4-5`, { headers: auth })).json()) as {
              pricingVersion: string;
            }
          ).pricingVersion,
        { timeout: 10_000 },
      )
      .toBe("2099-05-01");
  } finally {
    stop("SIGTERM");
    expect(await exited).toBe(0);
    await catalogs.close();
  }
}, 60_000);
