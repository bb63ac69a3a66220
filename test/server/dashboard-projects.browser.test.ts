// The dashboard's project switcher, in Chromium against the real server: a key of every project sees
// the switcher with both projects and "All projects" totals, and switching narrows the cards, the
// chart, the tables, the calls and the address to one project; a key bound to one project sees no
// switcher and nothing of the other project anywhere — not in the page's text or markup (options
// included), not in the chart's series, not in any response the page fetched.
import { randomUUID } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import type { Database } from "../../src/store/database.js";
import type { NewLlmCostRecord } from "../../src/store/index.js";
import { quoteSchema } from "../../src/store/schema-name.js";
import { createKeyVia } from "../support/admin-keys.js";
import { launchChromium, missingBrowserReason } from "../support/browser.js";
import { engineDatabase, uniqueSchema } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const DAY = 86_400_000;
const adminKey = "dashboard-projects-admin-key-0123456789";
const pricing = createPricing();

/** Each project's values: every one of them appears in that project only. */
const projects = {
  alpha: {
    name: "Team Alpha",
    repo: "alpha-repo",
    model: "gpt-4o-mini",
    provider: "openai",
    userId: "alpha-user",
    environment: "alpha-env",
    metadataKey: "alpha-key",
  },
  beta: {
    name: "Team Beta",
    repo: "beta-repo",
    model: "claude-haiku-4-5",
    provider: "anthropic",
    userId: "beta-user",
    environment: "beta-env",
    metadataKey: "beta-key",
  },
};
type Slug = keyof typeof projects;

/** One call of `millions` × 1M input tokens in `slug`, priced by the catalog. */
function call(slug: Slug, millions: number, createdAt: Date): NewLlmCostRecord {
  const values = projects[slug];
  const estimate = pricing.estimateCost({
    model: values.model,
    provider: values.provider,
    usage: { inputTokens: millions * 1_000_000, outputTokens: 0 },
    at: createdAt,
  });
  if (!estimate.priced) throw new Error(`${values.model} should be priced`);
  return {
    project: slug,
    eventId: randomUUID(),
    createdAt,
    repo: values.repo,
    taskType: `${slug}-task`,
    model: values.model,
    provider: values.provider,
    sdk: "ai",
    inputTokens: millions * 1_000_000,
    outputTokens: 0,
    resolvedModel: estimate.model,
    estimatedCostUsd: estimate.costUsd,
    costSource: "catalog",
    priced: true,
    pricingVersion: estimate.pricingVersion,
    userId: values.userId,
    environment: values.environment,
    sessionId: `${slug}-session`,
    metadata: { [values.metadataKey]: `${slug}-value` },
  };
}

const reason = missingBrowserReason();

if (reason && process.env.CI === "true") {
  describe("dashboard projects in Chromium", () => {
    it("needs Chromium", () => {
      throw new Error(`${reason}, but CI=true: .ci/run should have installed it`);
    });
  });
} else if (reason) {
  describe.skip(`dashboard projects in Chromium [skipped: ${reason}]`, () => {
    it("runs in Chromium", () => {});
  });
} else {
  describe("dashboard projects in Chromium", () => {
    let database: Database;
    let browser: Browser;
    let server: RunningServer;
    let schema: string;
    const keys: Record<string, string> = {};
    const problems: string[] = [];
    const recent = new Date(Date.now() - 60_000);
    const threeDaysAgo = new Date(Date.now() - 3 * DAY);
    // alpha: 2 × 1M gpt-4o-mini today ($0.30) + 10M three days ago ($1.50) = $1.80;
    // beta: 1M claude-haiku-4-5 today ($1.00) + 1M three days ago ($1.00) = $2.00. Together $3.80.
    const events = [
      call("alpha", 1, recent),
      call("alpha", 1, recent),
      call("alpha", 10, threeDaysAgo),
      call("beta", 1, recent),
      call("beta", 1, threeDaysAgo),
    ];

    /** Signs in with `key`; `responses` collects the text of every API answer the page fetched. */
    async function signedInPage(key: string, responses: string[]): Promise<Page> {
      const context = await browser.newContext({
        viewport: { width: 1360, height: 900 },
        reducedMotion: "reduce",
      });
      const page = await context.newPage();
      page.on("console", (message) => {
        if (/Content[- ]Security[- ]Policy/i.test(message.text())) problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));
      // The API's answers (the page's own scripts are the same for every key).
      page.on("response", (response) => {
        if (!new URL(response.url()).pathname.startsWith("/v1/")) return;
        responses.push(`${response.url()} ${response.status()}`);
        void response
          .text()
          .then((body) => responses.push(body))
          .catch(() => {});
      });
      await page.goto(server.url + "/");
      await page.getByTestId("login-key").fill(key);
      await page.getByTestId("login-submit").click();
      await page.getByTestId("trend-total").waitFor();
      await page.getByTestId("range").locator('button[data-range="7"]').click();
      return page;
    }

    const text = async (page: Page, testId: string) => (await page.getByTestId(testId).innerText()).trim();
    const names = async (page: Page, dimension: string) =>
      Promise.all(
        (await page.getByTestId(`table-${dimension}`).locator("tbody tr[data-key]").all()).map(
          async (row) => (await row.getAttribute("data-key")) ?? "",
        ),
      );
    const recentRepos = async (page: Page) =>
      new Set(await page.getByTestId("table-recent").locator("tbody tr td:nth-child(2)").allInnerTexts());
    const chartSeries = (page: Page) =>
      page.evaluate(() => {
        const chart = (
          globalThis as unknown as {
            Chart: { instances: Record<string, { data: { datasets: { label: string }[] } }> };
          }
        ).Chart;
        return Object.values(chart.instances)
          .flatMap((instance) => instance.data.datasets.map((dataset) => dataset.label))
          .sort();
      });

    beforeAll(async () => {
      database = await engineDatabase("pglite");
      schema = uniqueSchema("projects");
      server = await startServer({ database, schema, port: 0, adminKey, logger: silentLogger });
      for (const [slug, values] of Object.entries(projects)) {
        const created = await fetch(`${server.url}/v1/projects`, {
          method: "POST",
          headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
          body: JSON.stringify({ slug, name: values.name }),
        });
        expect(created.status).toBe(201);
        keys[slug] = await createKeyVia(server.url, adminKey, {
          name: `${slug} dashboard`,
          scopes: ["read"],
          project: slug,
        });
      }
      keys.cross = await createKeyVia(server.url, adminKey, {
        name: "finance",
        scopes: ["read"],
        project: null,
      });
      await server.store.recordLlmCosts(events);
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await database?.exec(`DROP SCHEMA IF EXISTS ${quoteSchema(schema)} CASCADE`);
    });

    it("shows a key of every project the switcher, every project's totals, and one project when chosen", async () => {
      const page = await signedInPage(keys.cross!, []);
      const switcher = page.getByTestId("filter-project");
      await expect.poll(() => switcher.isVisible()).toBe(true);
      await expect
        .poll(() => switcher.locator("option").allInnerTexts())
        .toEqual(["All projects", "beta", "alpha"]); // most spend first
      // "All projects": every project's figures together.
      await expect.poll(() => text(page, "spend-7d-value")).toBe("$3.80");
      await expect.poll(() => text(page, "trend-total")).toBe("$3.80 in the last 7 days");
      await expect.poll(() => text(page, "spend-today-value")).toBe("$1.30");
      await expect.poll(() => names(page, "repo")).toEqual(["beta-repo", "alpha-repo"]);
      await expect.poll(() => chartSeries(page)).toEqual(["anthropic", "openai"]);

      await switcher.selectOption("alpha");
      await expect.poll(() => text(page, "spend-7d-value")).toBe("$1.80");
      await expect.poll(() => text(page, "spend-today-value")).toBe("$0.30");
      await expect.poll(() => text(page, "trend-total")).toBe("$1.80 in the last 7 days");
      await expect.poll(() => names(page, "repo")).toEqual(["alpha-repo"]);
      await expect.poll(() => names(page, "model")).toEqual(["gpt-4o-mini"]);
      await expect.poll(() => recentRepos(page)).toEqual(new Set(["alpha-repo"]));
      await expect.poll(() => text(page, "scope")).toContain("project alpha");
      expect(new URL(page.url()).searchParams.get("project")).toBe("alpha");
      await page.getByTestId("stack-model").click();
      await expect.poll(() => chartSeries(page)).toEqual(["gpt-4o-mini"]);

      await switcher.selectOption("beta");
      await expect.poll(() => text(page, "spend-7d-value")).toBe("$2.00");
      await expect.poll(() => names(page, "repo")).toEqual(["beta-repo"]);
      await expect.poll(() => chartSeries(page)).toEqual(["claude-haiku-4-5"]);
      expect(new URL(page.url()).searchParams.get("project")).toBe("beta");

      // The address restores the view.
      await page.reload();
      await expect.poll(() => text(page, "spend-7d-value")).toBe("$2.00");
      expect(await switcher.inputValue()).toBe("beta");
      await switcher.selectOption("");
      await expect.poll(() => text(page, "spend-7d-value")).toBe("$3.80");
      expect(new URL(page.url()).searchParams.has("project")).toBe(false);
    });

    for (const slug of ["alpha", "beta"] as const) {
      const hidden: Slug = slug === "alpha" ? "beta" : "alpha";
      it(`shows a key of ${slug} no switcher and nothing of ${hidden}, in the page or what it fetched`, async () => {
        const responses: string[] = [];
        const page = await signedInPage(keys[slug]!, responses);
        const own = events.filter((event) => event.project === slug);
        const ownTotal = slug === "alpha" ? "$1.80" : "$2.00";
        await expect.poll(() => text(page, "spend-7d-value")).toBe(ownTotal);
        await expect.poll(() => text(page, "trend-total")).toBe(`${ownTotal} in the last 7 days`);
        await expect.poll(() => names(page, "repo")).toEqual([projects[slug].repo]);
        await expect
          .poll(() => page.getByTestId("table-recent").locator("tbody tr").count())
          .toBe(own.length);
        // Options of every filter are filled (the metadata keys too) before the page is searched.
        await expect
          .poll(() => page.getByTestId("filter-metadata-key").locator("option").allInnerTexts())
          .toEqual(["Any key", projects[slug].metadataKey]);
        await expect.poll(() => page.getByTestId("filter-repo").locator("option").count()).toBe(2);
        expect(await page.getByTestId("filter-project").isVisible()).toBe(false);
        await page.getByTestId("stack-model").click();
        await expect.poll(() => chartSeries(page)).toEqual([projects[slug].model]);
        // Open a call, so the detail view and its session list are searched too.
        await page.getByTestId("table-recent").locator("tbody tr").first().click();
        await expect.poll(() => page.getByTestId("event-detail").isVisible()).toBe(true);
        await expect
          .poll(() => page.getByTestId("detail-session-calls").locator("li").count())
          .toBeGreaterThan(0);

        const markers = [hidden, ...Object.values(projects[hidden]), `${hidden}-task`, `${hidden}-value`];
        markers.push(...events.filter((event) => event.project === hidden).map((event) => event.eventId));
        const pageText = await page.evaluate<string>("document.body.innerText");
        const markup = await page.content();
        const series = (await chartSeries(page)).join("\n");
        // Wait for the answers still being read, then search them all.
        await page.waitForLoadState("networkidle");
        await expect.poll(() => responses.length).toBeGreaterThan(10);
        const fetched = responses.join("\n");
        for (const marker of markers) {
          expect(pageText.includes(marker), `page text shows ${marker}`).toBe(false);
          expect(markup.includes(marker), `markup shows ${marker}`).toBe(false);
          expect(series.includes(marker), `chart shows ${marker}`).toBe(false);
          expect(fetched.includes(marker), `a response shows ${marker}`).toBe(false);
        }
        // Its own values are there (the search above looked in the right places).
        for (const value of [projects[slug].repo, projects[slug].userId]) expect(fetched).toContain(value);
        expect(fetched).toContain("/v1/metadata-keys");
        await page.context().close();
      });
    }

    it("ran without a Content-Security-Policy violation or a script error", () => {
      expect(problems).toEqual([]);
    });
  });
}
