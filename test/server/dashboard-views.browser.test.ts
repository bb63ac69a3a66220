// The dashboard's shareable views, downloads and reach, in Chromium against the real server: typed
// days and filters kept in the address (a reloaded link shows the same figures), CSV downloads of the
// tables, the chart and the calls (fetched with the session cookie under the strict CSP), filters and
// tables for user, environment, session, provider and a metadata key, a 390 px wide screen, the
// keyboard, and a chart that animates briefly (not at all with reduced motion).
import { randomUUID } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { removeCsvPrefix } from "../../src/query/index.js";
import { createApiKeyStore } from "../../src/server/api-keys.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import type { Database } from "../../src/store/database.js";
import type { NewLlmCostRecord } from "../../src/store/index.js";
import { quoteSchema } from "../../src/store/schema-name.js";
import { launchChromium, missingBrowserReason } from "../support/browser.js";
import { csvRecords } from "../support/csv.js";
import { engineDatabase, uniqueSchema } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const outputDirectory = path.resolve(import.meta.dirname, "../../test-output");
const DAY = 86_400_000;
const pricing = createPricing();

interface Call {
  repo: string;
  daysAgo: number;
  millions: number;
  userId: string;
  environment: string;
  sessionId: string;
  provider: string;
  metadata: Record<string, string>;
}

/** One gpt-4o-mini call of `millions` × 1M input tokens ($0.15 each), priced by the catalog. */
function event(call: Call, todayStart: number): NewLlmCostRecord {
  // Midday of its day, or a minute ago today (never in the future).
  const createdAt = new Date(
    call.daysAgo === 0 ? Date.now() - 60_000 : todayStart - call.daysAgo * DAY + DAY / 2,
  );
  const estimate = pricing.estimateCost({
    model: "gpt-4o-mini",
    provider: "openai",
    usage: { inputTokens: call.millions * 1_000_000, outputTokens: 0 },
    at: createdAt,
  });
  return {
    eventId: randomUUID(),
    createdAt,
    repo: call.repo,
    taskType: "review",
    model: "gpt-4o-mini",
    provider: call.provider,
    sdk: "ai",
    inputTokens: call.millions * 1_000_000,
    outputTokens: 0,
    resolvedModel: "gpt-4o-mini",
    estimatedCostUsd: estimate.costUsd,
    costSource: "catalog",
    priced: true,
    pricingVersion: estimate.priced ? estimate.pricingVersion : null,
    usedFallback: false,
    fallbackReason: null,
    userId: call.userId,
    environment: call.environment,
    sessionId: call.sessionId,
    metadata: call.metadata,
  };
}

/** The ledger: calls today and 3, 10 and 40 days ago, by two users, two environments and teams. */
function seedCalls(): Call[] {
  const calls: Call[] = [];
  const add = (count: number, call: Call) => {
    for (let index = 0; index < count; index++) calls.push(call);
  };
  const base = { provider: "openai", environment: "production" };
  add(4, {
    ...base,
    repo: "acme/api",
    daysAgo: 0,
    millions: 1,
    userId: "ada",
    sessionId: "s-1",
    metadata: { team: "growth" },
  });
  add(3, {
    ...base,
    repo: "acme/web",
    daysAgo: 3,
    millions: 2,
    userId: "bob",
    sessionId: "s-2",
    metadata: { team: "=core" },
  });
  add(2, {
    ...base,
    repo: "acme/api",
    daysAgo: 10,
    millions: 10,
    userId: "ada",
    sessionId: "s-3",
    metadata: { team: "growth", tier: "gold" },
  });
  add(5, {
    repo: "acme/web",
    daysAgo: 40,
    millions: 4,
    userId: "bob",
    sessionId: "s-4",
    provider: "azure",
    environment: "staging",
    metadata: {},
  });
  return calls;
}

/** Dollars of a set of calls, as the page prints them. */
function usd(calls: Call[]): string {
  const cents = calls.reduce((sum, call) => sum + call.millions * 15, 0);
  return `$${(cents / 100).toFixed(2)}`;
}

const reason = missingBrowserReason();

if (reason && process.env.CI === "true") {
  describe("dashboard views in Chromium", () => {
    it("needs Chromium", () => {
      throw new Error(`${reason}, but CI=true: .ci/run should have installed it`);
    });
  });
} else if (reason) {
  describe.skip(`dashboard views in Chromium [skipped: ${reason}]`, () => {
    it("runs in Chromium", () => {});
  });
} else {
  describe("dashboard views in Chromium", () => {
    let database: Database;
    let browser: Browser;
    let server: RunningServer;
    let schema: string;
    let readKey: string;
    const calls = seedCalls();
    const todayStart = Math.floor(Date.now() / DAY) * DAY;
    const day = (daysAgo: number) => new Date(todayStart - daysAgo * DAY).toISOString().slice(0, 10);
    const problems: string[] = [];

    async function signedInPage(
      options: { width?: number; reducedMotion?: "reduce" | "no-preference"; path?: string } = {},
    ): Promise<Page> {
      const context = await browser.newContext({
        viewport: { width: options.width ?? 1360, height: 900 },
        reducedMotion: options.reducedMotion ?? "reduce",
        acceptDownloads: true,
      });
      const page = await context.newPage();
      page.on("console", (message) => {
        if (/Content[- ]Security[- ]Policy/i.test(message.text())) problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));
      await page.goto(server.url + (options.path ?? "/"));
      await page.getByTestId("login-key").fill(readKey);
      await page.getByTestId("login-submit").click();
      await page.getByTestId("trend-total").waitFor();
      return page;
    }

    const text = async (page: Page, testId: string) => (await page.getByTestId(testId).innerText()).trim();
    const names = async (page: Page, dimension: string) =>
      Promise.all(
        (await page.getByTestId(`table-${dimension}`).locator("tbody tr[data-key]").all()).map(
          async (row) => (await row.getAttribute("data-key")) ?? "",
        ),
      );

    /** Clicks a CSV button and reads the file it saves. */
    async function download(page: Page, testId: string): Promise<{ name: string; text: string }> {
      const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testId).click()]);
      const saved = await file.path();
      return { name: file.suggestedFilename(), text: await readFile(saved, "utf8") };
    }

    beforeAll(async () => {
      database = await engineDatabase("pglite");
      schema = uniqueSchema("views");
      server = await startServer({
        database,
        schema,
        port: 0,
        logger: silentLogger,
      });
      await server.store.recordLlmCosts(calls.map((call) => event(call, todayStart)));
      ({ key: readKey } = await createApiKeyStore({ database, schema }).create({
        name: "views",
        scopes: ["read"],
      }));
      browser = await launchChromium();
      await mkdir(outputDirectory, { recursive: true });
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await database?.exec(`DROP SCHEMA IF EXISTS ${quoteSchema(schema)} CASCADE`);
    });

    it("takes typed days (both included, UTC) and keeps them with the filters in a link that restores the view", async () => {
      const page = await signedInPage();
      // Days 11 to 2 ago: the calls of 10 and 3 days ago, not today's nor those of 40 days ago.
      await page.getByTestId("range-from").fill(day(11));
      await page.getByTestId("range-to").fill(day(2));
      await page.getByTestId("range-to").dispatchEvent("change");
      const inRange = calls.filter((call) => call.daysAgo === 10 || call.daysAgo === 3);
      await expect.poll(() => text(page, "trend-total")).toMatch(new RegExp(`^\\${usd(inRange)} from`));
      await expect.poll(() => names(page, "repo")).toEqual(["acme/api", "acme/web"]);
      // Inclusive: a range of the one day 3 days ago holds that day's calls.
      await page.getByTestId("range-from").fill(day(3));
      await page.getByTestId("range-from").dispatchEvent("change");
      await page.getByTestId("range-to").fill(day(3));
      await page.getByTestId("range-to").dispatchEvent("change");
      const thatDay = calls.filter((call) => call.daysAgo === 3);
      await expect.poll(() => text(page, "trend-total")).toMatch(new RegExp(`^\\${usd(thatDay)} from`));
      // Days 11 to 3 ago hold the same calls as 11 to 2.
      await page.getByTestId("range-from").fill(day(11));
      await page.getByTestId("range-from").dispatchEvent("change");
      await expect.poll(() => text(page, "trend-total")).toMatch(new RegExp(`^\\${usd(inRange)} from`));
      await page.getByTestId("filter-userId").selectOption("ada");
      const shown = inRange.filter((call) => call.userId === "ada");
      await expect.poll(() => text(page, "trend-total")).toMatch(new RegExp(`^\\${usd(shown)} from`));
      const link = new URL(page.url());
      expect(link.searchParams.get("from")).toBe(day(11));
      expect(link.searchParams.get("to")).toBe(day(3));
      expect(link.searchParams.get("userId")).toBe("ada");
      // The link, opened afresh, shows the same view.
      const opened = await signedInPage({ path: link.pathname + link.search });
      await expect.poll(() => text(opened, "trend-total")).toBe(await text(page, "trend-total"));
      expect(await opened.getByTestId("range-from").inputValue()).toBe(day(11));
      expect(await opened.getByTestId("range-to").inputValue()).toBe(day(3));
      expect(await opened.getByTestId("filter-userId").inputValue()).toBe("ada");
      await expect.poll(() => names(opened, "repo")).toEqual(["acme/api"]);
      await expect.poll(() => text(opened, "scope")).toContain("user ada");
      // A range button replaces the typed days.
      await opened.getByTestId("range").locator('button[data-range="90"]').click();
      await expect.poll(() => opened.url()).toContain("range=90");
      expect(opened.url()).not.toContain("from=");
      await opened.screenshot({
        path: path.join(outputDirectory, "dashboard-custom-range.png"),
        fullPage: true,
      });
    });

    it("downloads any table, the chart and the calls behind the figures as CSV, for the range and filters", async () => {
      const page = await signedInPage({ path: `/?range=30&environment=production` });
      const inView = calls.filter((call) => call.daysAgo < 30 && call.environment === "production");
      await expect.poll(() => text(page, "trend-total")).toBe(`${usd(inView)} in the last 30 days`);

      const byRepo = await download(page, "csv-repo");
      expect(byRepo.name).toMatch(/^llm-ledger-by-repo-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
      const repoRows = csvRecords(byRepo.text);
      expect(repoRows.map((row) => row.repo)).toEqual(await names(page, "repo"));
      for (const row of repoRows) {
        const ofRepo = inView.filter((call) => call.repo === row.repo);
        expect(Number(row.events)).toBe(ofRepo.length);
        expect(`$${Number(row.costUsd).toFixed(2)}`).toBe(usd(ofRepo));
      }

      // The calls: every one in the range and filters, text cells safe from formulas.
      const callsFile = await download(page, "csv-calls");
      expect(callsFile.name).toMatch(/^llm-ledger-calls-/);
      const callRows = csvRecords(callsFile.text);
      expect(callRows).toHaveLength(inView.length);
      expect(new Set(callRows.map((row) => row.environment))).toEqual(new Set(["production"]));
      const teams = callRows.map((row) => JSON.parse(removeCsvPrefix(row.metadata!)) as { team?: string });
      expect(teams.filter((team) => team.team === "=core")).toHaveLength(3);

      // The chart's figures: one row per day and provider, summing to the chart's total.
      const trend = csvRecords((await download(page, "csv-trend")).text);
      expect(trend.every((row) => row.provider === "openai" && /^\d{4}-/.test(row.period!))).toBe(true);
      const cents = trend.reduce((sum, row) => sum + Math.round(Number(row.costUsd) * 100), 0);
      expect(`$${(cents / 100).toFixed(2)}`).toBe(usd(inView));

      // A metadata table downloads its own key.
      await page.getByTestId("filter-metadata-key").selectOption("team");
      await expect.poll(() => names(page, "metadata")).toEqual(["growth", "=core"]);
      const byTeam = csvRecords((await download(page, "csv-metadata")).text);
      expect(byTeam.map((row) => removeCsvPrefix(row["metadata.team"]!))).toEqual(["growth", "=core"]);
    });

    it("filters and breaks down by user, environment, session, provider and a metadata key", async () => {
      const page = await signedInPage({ path: "/?range=90" });
      const all = calls;
      await expect.poll(() => text(page, "trend-total")).toBe(`${usd(all)} in the last 90 days`);
      const spendOf = (dimension: string, value: string) =>
        page
          .getByTestId(`table-${dimension}`)
          .locator(`tr[data-key="${value}"] [data-column="costUsd"]`)
          .innerText();
      // The tables: each value's spend is the sum of its calls.
      for (const [dimension, field] of [
        ["provider", "provider"],
        ["userId", "userId"],
        ["environment", "environment"],
        ["sessionId", "sessionId"],
      ] as const) {
        const values = [...new Set(all.map((call) => call[field]))];
        await expect
          .poll(async () => (await names(page, dimension)).sort(), { message: dimension })
          .toEqual(values.sort());
        for (const value of values) {
          expect(await spendOf(dimension, value), `${dimension} ${value}`).toBe(
            usd(all.filter((call) => call[field] === value)),
          );
        }
      }
      // The metadata keys present are offered, the most frequent first; the table shows the first.
      const keys = await page.getByTestId("filter-metadata-key").locator("option").allInnerTexts();
      expect(keys).toEqual(["Any key", "team", "tier"]);
      await expect.poll(() => names(page, "metadata")).toEqual(["growth", "(none)", "=core"]);
      await expect
        .poll(() => page.getByTestId("breakdown-metadata").locator(".card-title").innerText())
        .toBe("Spend by metadata.team");

      // Each filter narrows every figure, and names the filter in the address.
      const check = async (testId: string, value: string, expected: Call[], parameter: string) => {
        await page.getByTestId(testId).selectOption(value);
        await expect
          .poll(() => text(page, "trend-total"), { message: testId })
          .toBe(`${usd(expected)} in the last 90 days`);
        expect(new URL(page.url()).searchParams.get(parameter)).toBe(value);
        await page.getByTestId("filters-reset").click();
        await expect.poll(() => text(page, "trend-total")).toBe(`${usd(all)} in the last 90 days`);
      };
      await check(
        "filter-userId",
        "bob",
        all.filter((call) => call.userId === "bob"),
        "userId",
      );
      await check(
        "filter-environment",
        "staging",
        all.filter((call) => call.environment === "staging"),
        "environment",
      );
      await check(
        "filter-sessionId",
        "s-3",
        all.filter((call) => call.sessionId === "s-3"),
        "sessionId",
      );
      await check(
        "filter-provider",
        "azure",
        all.filter((call) => call.provider === "azure"),
        "provider",
      );
      await page.getByTestId("filter-metadata-key").selectOption("team");
      await expect
        .poll(() => page.getByTestId("filter-metadata-value").locator("option").allInnerTexts())
        .toEqual(["All team", "growth", "=core"]);
      await check(
        "filter-metadata-value",
        "=core",
        all.filter((call) => call.metadata.team === "=core"),
        "metadata.team",
      );
      // A name in a table filters by it, metadata included.
      await page.getByTestId("filter-metadata-key").selectOption("team");
      await page.getByTestId("table-metadata").getByRole("button", { name: "growth" }).click();
      await expect
        .poll(() => text(page, "trend-total"))
        .toBe(`${usd(all.filter((call) => call.metadata.team === "growth"))} in the last 90 days`);
      expect(await page.getByTestId("filter-metadata-value").inputValue()).toBe("growth");
      await page.getByTestId("filters-reset").click();
    });

    it("fits a 390 px wide screen without sideways scrolling of the page", async () => {
      const page = await signedInPage({ width: 390, path: "/?range=90" });
      await expect.poll(() => names(page, "repo")).toEqual(["acme/web", "acme/api"]);
      await page.getByTestId("table-recent").locator("tbody tr").first().waitFor();
      // A string, so the test needs no DOM types: the page's width, and any element (outside the
      // tables, which scroll on their own) that reaches past the screen's right edge.
      const widths = await page.evaluate<{ page: number; wide: string[] }>(`({
        page: document.documentElement.scrollWidth,
        wide: [...document.querySelectorAll("body *")]
          .filter((element) => element.getBoundingClientRect().right > 391 && !element.closest(".table-scroll"))
          .map((element) => element.tagName + "." + element.className)
          .slice(0, 5),
      })`);
      expect(widths.wide).toEqual([]);
      expect(widths.page).toBeLessThanOrEqual(390);
      await page.screenshot({ path: path.join(outputDirectory, "dashboard-390.png"), fullPage: true });
    });

    it("works from the keyboard: range buttons, filters, sortable headers and CSV by Tab, Enter and Space", async () => {
      const page = await signedInPage();
      /** Presses Tab until the element with `selector` has focus (at most 200 times). */
      const tabTo = async (selector: string) => {
        for (let step = 0; step < 200; step++) {
          await page.keyboard.press("Tab");
          const focused = await page.evaluate<boolean>(
            `document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`,
          );
          if (focused) return;
        }
        throw new Error(`Tab never reached ${selector}`);
      };
      await tabTo('button[data-range="7"]');
      await page.keyboard.press("Enter");
      await expect.poll(() => page.url()).toContain("range=7");
      await tabTo('button[data-range="90"]');
      await page.keyboard.press("Space");
      await expect.poll(() => page.url()).toContain("range=90");
      await tabTo("#filter-userId");
      await page.keyboard.press("ArrowDown");
      await expect.poll(() => page.url()).toMatch(/userId=/);
      await page.getByTestId("filters-reset").focus();
      await page.keyboard.press("Enter");
      await expect.poll(() => page.url()).not.toMatch(/userId=/);
      await page.evaluate("document.activeElement?.blur()");
      await tabTo('[data-testid="table-repo"] button[data-sort="events"]');
      await page.keyboard.press("Enter");
      await expect
        .poll(() => page.getByTestId("table-repo").locator("th[aria-sort=descending]").innerText())
        .toContain("CALLS");
      await page.keyboard.press("Space");
      await expect
        .poll(() => page.getByTestId("table-repo").locator("th[aria-sort=ascending]").innerText())
        .toContain("CALLS");
      await tabTo('[data-testid="csv-repo"]');
      const [file] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
      expect(file.suggestedFilename()).toMatch(/by-repo/);
    });

    it("animates the chart for at most 300 ms, and not at all with reduced motion", async () => {
      const animation = (page: Page) =>
        page.evaluate(() => {
          const chart = (
            globalThis as unknown as {
              Chart: { instances: Record<string, { options: { animation: unknown } }> };
            }
          ).Chart;
          const options = Object.values(chart.instances)[0]?.options.animation as
            false | { duration?: number };
          return options === false ? false : (options?.duration ?? null);
        });
      const moving = await signedInPage({ reducedMotion: "no-preference" });
      await expect.poll(() => animation(moving)).not.toBeNull();
      const duration = await animation(moving);
      expect(typeof duration).toBe("number");
      expect(duration).toBeGreaterThan(0);
      expect(duration).toBeLessThanOrEqual(300);
      const still = await signedInPage({ reducedMotion: "reduce" });
      await expect.poll(() => animation(still)).toBe(false);
    });

    it("ran without a Content-Security-Policy violation or a script error", () => {
      expect(problems).toEqual([]);
    });
  });
}
