// The dashboard's budgets panel in Chromium against the real server: a bar per budget with the exact
// spend of the seeded events, thresholds and the forecast; the alerts list with delivery state (a real
// local receiver); an admin session creates and edits budgets through the form (keyboard included);
// a read session sees the bars without edit controls and its writes are refused; a cross-site write
// with the admin session's cookie is refused; 390 px wide without sideways scrolling.
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BudgetStatus } from "../../src/budgets/index.js";
import { createPricing } from "../../src/pricing/index.js";
import { createProjectStore } from "../../src/projects/index.js";
import { createApiKeyStore } from "../../src/server/api-keys.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import type { Database } from "../../src/store/database.js";
import type { NewLlmCostRecord } from "../../src/store/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "../budgets/support/webhook-receiver.js";
import { launchChromium, missingBrowserReason } from "../support/browser.js";
import { engineDatabase, uniqueSchema } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const pricing = createPricing();
const outputDirectory = path.resolve(import.meta.dirname, "../../test-output");

/** A gpt-4o-mini call of 1M input tokens a minute ago: $0.15 by the catalog. */
function call(repo: string): NewLlmCostRecord {
  const createdAt = new Date(Date.now() - 60_000);
  const estimate = pricing.estimateCost({
    model: "gpt-4o-mini",
    provider: "openai",
    usage: { inputTokens: 1_000_000, outputTokens: 0 },
    at: createdAt,
  });
  return {
    eventId: randomUUID(),
    createdAt,
    repo,
    taskType: "review",
    model: "gpt-4o-mini",
    provider: "openai",
    sdk: "ai",
    inputTokens: 1_000_000,
    outputTokens: 0,
    resolvedModel: "gpt-4o-mini",
    estimatedCostUsd: estimate.costUsd,
    costSource: "catalog",
    priced: true,
    pricingVersion: estimate.priced ? estimate.pricingVersion : null,
    usedFallback: false,
    fallbackReason: null,
  };
}

/** A decimal string without trailing zeros ("0.600000" → "0.6"). */
const canonical = (text: string) => (text.includes(".") ? text.replace(/\.?0+$/, "") : text);

/** Waits up to 20 s for `done` (expect.poll is for tests, not beforeAll). */
async function until(done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const reason = missingBrowserReason();

if (reason && process.env.CI === "true") {
  describe("dashboard budgets panel in Chromium", () => {
    it("needs Chromium", () => {
      throw new Error(`${reason}, but CI=true: .ci/run should have installed it`);
    });
  });
} else if (reason) {
  describe.skip(`dashboard budgets panel in Chromium [skipped: ${reason}]`, () => {
    it("runs in Chromium", () => {});
  });
} else {
  describe("dashboard budgets panel in Chromium", () => {
    let database: Database;
    let browser: Browser;
    let server: RunningServer;
    let receiver: WebhookReceiver;
    let readKey: string;
    let adminKey: string;
    const problems: string[] = [];
    const contexts: BrowserContext[] = [];

    const api = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(server.url + path, {
        ...init,
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    async function signedInPage(key: string, width = 1360): Promise<Page> {
      const context = await browser.newContext({ viewport: { width, height: 900 }, reducedMotion: "reduce" });
      contexts.push(context);
      const page = await context.newPage();
      page.on("console", (message) => {
        if (/Content[- ]Security[- ]Policy/i.test(message.text())) problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));
      await page.goto(server.url + "/");
      await page.getByTestId("login-key").fill(key);
      await page.getByTestId("login-submit").click();
      await page.getByTestId("budget").first().waitFor();
      return page;
    }

    const bar = (page: Page, name: string) => page.getByTestId("budget").filter({ hasText: name });

    beforeAll(async () => {
      database = await engineDatabase("pglite");
      receiver = await startWebhookReceiver();
      server = await startServer({
        database,
        schema: uniqueSchema("budgets_panel"),
        port: 0,
        logger: silentLogger,
        alerts: { intervalMs: 300, allowPrivateWebhooks: true },
      });
      // Four calls of acme/api ($0.60) and two of acme/web ($0.30), all today.
      await server.store.recordLlmCosts([
        ...Array.from({ length: 4 }, () => call("acme/api")),
        ...Array.from({ length: 2 }, () => call("acme/web")),
      ]);
      // Keys of every project: the budgets here are the organization's (a project's key sees its own).
      const keys = createApiKeyStore({ database, schema: server.store.schema });
      ({ key: readKey } = await keys.create({ name: "panel reader", scopes: ["read"], project: null }));
      ({ key: adminKey } = await keys.create({ name: "panel admin", scopes: ["admin"] }));
      expect(
        (
          await api("/v1/alert-targets", {
            method: "POST",
            body: JSON.stringify({ target: `webhook:${receiver.url}/hook` }),
          })
        ).status,
      ).toBe(201);
      const created = await api("/v1/budgets", {
        method: "POST",
        body: JSON.stringify({
          name: "api-monthly",
          scope: { repo: ["acme/api"] },
          period: "month",
          amountUsd: "2",
          thresholds: [25, 50, 100],
        }),
      });
      expect(created.status).toBe(201);
      // 30 % of $2 is past 25 %: one alert, delivered to the receiver.
      await until(
        async () =>
          ((await api("/v1/alerts")).body.alerts as Array<{ state: string }>)[0]?.state === "delivered",
      );
      browser = await launchChromium();
    });

    afterAll(async () => {
      for (const context of contexts) await context.close();
      await browser?.close();
      await server?.close();
      await receiver?.close();
    });

    it("shows a bar per budget with the exact spend, thresholds, forecast and state, and the alerts sent", async () => {
      const page = await signedInPage(readKey);
      const api = bar(page, "api-monthly");
      const spent = api.getByTestId("budget-spent");
      expect((await spent.innerText()).trim()).toBe("$0.60 of $2.00");
      const status = (await (
        await fetch(`${server.url}/v1/budget-status`, { headers: { authorization: `Bearer ${readKey}` } })
      ).json()) as { budgets: BudgetStatus[] };
      expect(await spent.getAttribute("data-spent")).toBe(status.budgets[0]!.spentUsd);
      expect(canonical((await spent.getAttribute("data-spent"))!)).toBe("0.6");
      expect(await spent.getAttribute("data-amount")).toBe("2");
      const ticks = await api.locator("[data-threshold]").all();
      expect(await Promise.all(ticks.map((tick) => tick.getAttribute("data-threshold")))).toEqual([
        "25",
        "50",
        "100",
      ]);
      expect((await api.getByTestId("budget-state").innerText()).trim()).toBe("Warning");
      expect(await api.getByTestId("budget-forecast").count()).toBe(1);
      expect((await page.getByTestId("alert-state").first().innerText()).trim()).toBe("delivered");
      expect(await page.getByTestId("alert-row").first().innerText()).toContain("api-monthly at 25 %");
      // A read session has no edit controls, and the service refuses its writes.
      expect(await page.getByTestId("budget-new").count()).toBe(0);
      expect(await page.getByTestId("budget-edit").count()).toBe(0);
      const refused = await page.evaluate<number>(`fetch("/v1/budgets", {
        method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "sneaky", period: "day", amountUsd: "1" }),
      }).then((response) => response.status)`);
      expect(refused).toBe(403);
      expect(problems).toEqual([]);
    });

    it("lets an admin session create a budget by keyboard, see the service's error, and edit a budget", async () => {
      const page = await signedInPage(adminKey);
      await page.getByTestId("budget-new").focus();
      await page.keyboard.press("Enter");
      await expect.poll(() => page.getByTestId("budget-form").isVisible()).toBe(true);
      // The form focuses its first field: the rest is typing and Tab.
      await page.keyboard.type("web-daily");
      await page.keyboard.press("Tab");
      await page.keyboard.type("-1");
      await page.getByTestId("budget-scope").fill("repo=acme/web");
      await page.getByTestId("budget-save").click();
      await expect.poll(() => page.getByTestId("budget-form-error").innerText()).toMatch(/^amountUsd: /);
      await page.getByTestId("budget-amount").fill("1");
      await page.getByTestId("budget-period").selectOption("day");
      await page.getByTestId("budget-amount").press("Enter");
      await bar(page, "web-daily").waitFor();
      expect((await bar(page, "web-daily").getByTestId("budget-spent").innerText()).trim()).toBe(
        "$0.30 of $1.00",
      );
      expect(await page.getByTestId("budget-form").isVisible()).toBe(false);

      await bar(page, "api-monthly").getByTestId("budget-edit").click();
      expect(await page.getByTestId("budget-name").inputValue()).toBe("api-monthly");
      expect(await page.getByTestId("budget-scope").inputValue()).toBe("repo=acme/api");
      await page.getByTestId("budget-amount").fill("3");
      await page.getByTestId("budget-save").click();
      await expect
        .poll(() => bar(page, "api-monthly").getByTestId("budget-spent").innerText())
        .toBe("$0.60 of $3.00");
      const stored = (await api("/v1/budgets/api-monthly")).body.budget as {
        amountUsd: string;
        scope: unknown;
      };
      expect(stored).toMatchObject({ amountUsd: "3", scope: { repo: ["acme/api"] } });
      await mkdir(outputDirectory, { recursive: true });
      await page
        .getByTestId("budgets")
        .screenshot({ path: path.join(outputDirectory, "dashboard-budgets.png") });
      expect(problems).toEqual([]);
    });

    it("refuses a cross-site write made with the admin session's cookie", async () => {
      const page = await signedInPage(adminKey);
      const [session] = await page.context().cookies();
      const cookie = `${session!.name}=${session!.value}`;
      const spec = JSON.stringify({ name: "cross-site", period: "day", amountUsd: "1" });
      for (const [headers, status, code] of [
        [
          { cookie, origin: "https://evil.example", "content-type": "application/json" },
          403,
          "E_CROSS_ORIGIN",
        ],
        // A form post needs no preflight: text/plain is refused even from the right origin.
        [{ cookie, origin: server.url, "content-type": "text/plain" }, 415, "E_CONTENT_TYPE"],
      ] as const) {
        const response = await fetch(`${server.url}/v1/budgets`, { method: "POST", headers, body: spec });
        expect(response.status).toBe(status);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
      }
      // The same session, same-origin JSON, is let through: the refusals were for the origin and type.
      const allowed = await fetch(`${server.url}/v1/budgets`, {
        method: "POST",
        headers: { cookie, origin: server.url, "content-type": "application/json" },
        body: JSON.stringify({ name: "same-site", period: "day", amountUsd: "1" }),
      });
      expect(allowed.status).toBe(201);
      const names = ((await api("/v1/budgets")).body.budgets as Array<{ name: string }>).map(
        (budget) => budget.name,
      );
      expect(names).not.toContain("cross-site");
    });

    it("fits a 390 px wide screen", async () => {
      const page = await signedInPage(adminKey, 390);
      await page.getByTestId("budget-new").click();
      const widths = await page.evaluate<{ scroll: number; client: number }>(
        "({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })",
      );
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      expect(await bar(page, "api-monthly").isVisible()).toBe(true);
      await mkdir(outputDirectory, { recursive: true });
      await page
        .getByTestId("budgets")
        .screenshot({ path: path.join(outputDirectory, "dashboard-budgets-390.png") });
    });

    it("follows the project switcher: that project's budgets, then every budget again", async () => {
      await createProjectStore({ database, schema: server.store.schema }).create({ slug: "beta" });
      await server.store.recordLlmCosts([{ ...call("beta/api"), project: "beta" }]);
      const beta = await api("/v1/budgets", {
        method: "POST",
        body: JSON.stringify({ name: "beta-daily", period: "day", amountUsd: "1", project: "beta" }),
      });
      expect(beta.status).toBe(201);
      const page = await signedInPage(readKey);
      const names = async () => {
        const texts = await page.getByTestId("budget").allTextContents();
        return ["api-monthly", "beta-daily"].filter((name) => texts.some((text) => text.includes(name)));
      };
      await expect.poll(names).toEqual(["api-monthly", "beta-daily"]);
      const panel = page.getByTestId("budgets");
      const switcher = page.getByTestId("filter-project");
      await switcher.selectOption("beta");
      await expect.poll(() => panel.getAttribute("data-project")).toBe("beta");
      expect(await names()).toEqual(["beta-daily"]);
      // $0.15 of $1 today, the one beta call.
      expect(await bar(page, "beta-daily").textContent()).toContain("15");
      // The organization's budget is no project's: none under default.
      await switcher.selectOption("default");
      await expect.poll(() => panel.getAttribute("data-project")).toBe("default");
      expect(await names()).toEqual([]);
      await switcher.selectOption("");
      await expect.poll(() => panel.getAttribute("data-project")).toBe("");
      await expect.poll(names).toEqual(["api-monthly", "beta-daily"]);
      expect(problems).toEqual([]);
      expect(
        (await api(`/v1/budgets/${(beta.body.budget as { id: string }).id}`, { method: "DELETE" })).status,
      ).toBe(200);
    });
  });
}
