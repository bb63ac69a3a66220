// The dashboard's "Why this cost" for a call priced with a negotiated discount (issue 17), in a real
// browser against the real server: the lines (the list price), the discount line with its rule, the
// charged total, and the stored cost they add up to exactly.
import { randomUUID } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { createApiKeyStore } from "../../src/server/api-keys.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { launchChromium, missingBrowserReason } from "../support/browser.js";
import { engineDatabase, uniqueSchema } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const missing = missingBrowserReason();

describe.skipIf(missing !== undefined && process.env.CI !== "true")("Why this cost with a discount", () => {
  let browser: Browser;
  let server: RunningServer;
  let readKey = "";
  const pricing = createPricing({
    overrides: {
      discounts: [
        { provider: "anthropic", model: "^claude-sonnet-", percent: "12.5", notes: "=MSA <b>2026</b>" },
      ],
    },
  });
  const usage = { inputTokens: 123_457, outputTokens: 3_331, cacheReadTokens: 7_777 };
  const estimate = pricing.estimateCost({ model: "claude-sonnet-4-5", provider: "anthropic", usage });

  beforeAll(async () => {
    if (!estimate.priced) throw new Error(estimate.reason);
    const database = await engineDatabase("pglite");
    const schema = uniqueSchema("dash_discount");
    server = await startServer({ database, schema, port: 0, logger: silentLogger, pricing });
    await server.store.recordLlmCosts([
      {
        eventId: randomUUID(),
        createdAt: new Date(Date.now() - 60_000),
        repo: "acme/api",
        taskType: "review",
        model: "claude-sonnet-4-5",
        provider: "anthropic",
        sdk: "raw",
        ...usage,
        estimatedCostUsd: estimate.costUsd,
        listCostUsd: estimate.listCostUsd,
        resolvedModel: estimate.model,
        pricingVersion: estimate.pricingVersion,
        priceRates: estimate.rates,
      },
    ]);
    readKey = (await createApiKeyStore({ database, schema }).create({ name: "read", scopes: ["read"] })).key;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the list price, the discount and the charged total, adding up to the stored cost", async () => {
    if (!estimate.priced) return;
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url + "/");
    await page.getByTestId("login-key").fill(readKey);
    await page.getByTestId("login-submit").click();
    const rows = page.getByTestId("table-recent").locator("tbody tr");
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    await rows.first().click();
    const explanation = page.getByTestId("explain-cost");
    await expect.poll(() => explanation.getAttribute("data-basis"), { timeout: 15_000 }).toBe("rates");
    const totals = await page.getByTestId("explain-totals").innerText();
    expect(totals).toContain(`Catalog total: $${estimate.listCostUsd}`);
    expect(totals).toContain(
      `Negotiated discount 12.5% (anthropic, models ^claude-sonnet-): −$${estimate.discount!.amountUsd}`,
    );
    expect(totals).toContain(`Charged: $${estimate.costUsd}`);
    expect(totals).toContain("the lines add up to it exactly");
    expect(await page.getByTestId("explain-summary").innerText()).toContain("negotiated 12.5% discount");
  });
});
