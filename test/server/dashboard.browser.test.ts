// The dashboard in a real browser: Debian's Chromium (playwright-core) against the real server on a
// seeded ledger. Known events — 30 calls of 1M gpt-4o-mini input tokens ($0.15/M) = $4.50 today — must
// show as $4.50; filters, sorting, the unpriced warning and the empty ledger's instructions must work;
// the page must run under the strict CSP without a single violation. The overview's screenshot is
// saved to test-output/dashboard-overview.png.
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { createApiKeyStore } from "../../src/server/api-keys.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import type { Database } from "../../src/store/database.js";
import type { NewLlmCostRecord } from "../../src/store/index.js";
import { quoteSchema } from "../../src/store/schema-name.js";
import { launchChromium, missingBrowserReason } from "../support/browser.js";
import { engineDatabase, uniqueSchema } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const outputDirectory = path.resolve(import.meta.dirname, "../../test-output");
const inCi = process.env.CI === "true";
const DAY = 86_400_000;

interface Served {
  server: RunningServer;
  readKey: string;
  schema: string;
}

/** Starts the real server on a free port over its own schema of the shared PGlite, with a read key. */
async function serve(database: Database, events: NewLlmCostRecord[]): Promise<Served> {
  const schema = uniqueSchema("dash");
  const server = await startServer({ database, schema, port: 0, logger: silentLogger });
  if (events.length > 0) await server.store.recordLlmCosts(events);
  const keys = createApiKeyStore({ database, schema });
  const { key } = await keys.create({ name: "dashboard test", scopes: ["read"] });
  return { server, readKey: key, schema };
}

/**
 * The seeded ledger: acme/api spends $4.50 today (30 × 1M gpt-4o-mini input tokens); acme/web makes
 * more calls (50) for less money three days ago: 10 priced ($0.15, two of them fallbacks) and 40 of an
 * unpriced fine-tune.
 */
/** One OpenAI call with no output, priced by the catalog at its time. */
function pricedEvent(
  pricing: ReturnType<typeof createPricing>,
  fields: { repo: string; taskType: string; model: string; inputTokens: number; createdAt: Date },
  usedFallback = false,
): NewLlmCostRecord {
  const estimate = pricing.estimateCost({
    model: fields.model,
    provider: "openai",
    usage: { inputTokens: fields.inputTokens, outputTokens: 0 },
    at: fields.createdAt,
  });
  return {
    eventId: randomUUID(),
    ...fields,
    provider: "openai",
    sdk: "ai",
    outputTokens: 0,
    resolvedModel: estimate.priced ? estimate.model : null,
    estimatedCostUsd: estimate.costUsd,
    costSource: estimate.priced ? "catalog" : "none",
    priced: estimate.priced,
    pricingVersion: estimate.priced ? estimate.pricingVersion : null,
    usedFallback,
    fallbackReason: usedFallback ? "429" : null,
  };
}

function seedEvents(now: Date): NewLlmCostRecord[] {
  const pricing = createPricing();
  const todayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const event = (
    fields: { repo: string; taskType: string; model: string; inputTokens: number; createdAt: Date },
    usedFallback = false,
  ) => pricedEvent(pricing, fields, usedFallback);
  const events: NewLlmCostRecord[] = [];
  for (let index = 0; index < 30; index++) {
    // Spread over today so far (UTC), never in the future, even just after midnight.
    const createdAt = new Date(todayStart + ((now.getTime() - todayStart) * (index + 0.5)) / 30);
    events.push(
      event({
        repo: "acme/api",
        taskType: "code-review",
        model: "gpt-4o-mini",
        inputTokens: 1_000_000,
        createdAt,
      }),
    );
  }
  const threeDaysAgo = new Date(now.getTime() - 3 * DAY);
  for (let index = 0; index < 10; index++) {
    events.push(
      event(
        {
          repo: "acme/web",
          taskType: "summarize",
          model: "gpt-4o-mini",
          inputTokens: 100_000,
          createdAt: threeDaysAgo,
        },
        index < 2,
      ),
    );
  }
  for (let index = 0; index < 40; index++) {
    events.push(
      event({
        repo: "acme/web",
        taskType: "summarize",
        model: "acme-support-ft-v9",
        inputTokens: 5_000,
        createdAt: threeDaysAgo,
      }),
    );
  }
  return events;
}

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).innerText()).trim();
}

/** The first cells (names) of a breakdown table's rows, in the order shown. */
async function tableNames(page: Page, dimension: string): Promise<string[]> {
  const rows = await page.getByTestId(`table-${dimension}`).locator("tbody tr").all();
  return Promise.all(rows.map(async (row) => (await row.getAttribute("data-key")) ?? ""));
}

const reason = missingBrowserReason();

if (reason && inCi) {
  describe("dashboard in Chromium", () => {
    it("needs Chromium", () => {
      throw new Error(`${reason}, but CI=true: .ci/run should have installed it`);
    });
  });
} else if (reason) {
  describe.skip(`dashboard in Chromium [skipped: ${reason}]`, () => {
    it("runs in Chromium", () => {});
  });
} else {
  describe("dashboard in Chromium", () => {
    let database: Database;
    let browser: Browser;
    let seeded: Served;
    let context: BrowserContext;
    let page: Page;
    const served: Served[] = [];
    const cspViolations: string[] = [];
    const pageErrors: string[] = [];

    async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
      const context = await browser.newContext({
        viewport: { width: 1360, height: 900 },
        reducedMotion: "reduce",
      });
      const page = await context.newPage();
      page.on("console", (message) => {
        if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      page.on("pageerror", (error) => pageErrors.push(error.message));
      return { context, page };
    }

    beforeAll(async () => {
      database = await engineDatabase("pglite");
      [browser, seeded] = await Promise.all([launchChromium(), serve(database, seedEvents(new Date()))]);
      served.push(seeded);
      ({ context, page } = await newPage());
    });

    afterAll(async () => {
      await browser?.close();
      for (const { server, schema } of served) {
        await server.close();
        await database.exec(`DROP SCHEMA IF EXISTS ${quoteSchema(schema)} CASCADE`);
      }
    });

    it("serves the page under a strict Content-Security-Policy", async () => {
      const response = await page.goto(seeded.server.url + "/");
      const policy = response?.headers()["content-security-policy"] ?? "";
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("style-src 'self'");
    });

    it("formats money from exact decimal strings", async () => {
      // A string, so that vitest does not rewrite the browser's own import().
      const formatted = await page.evaluate<string[]>(`
        import("/assets/js/format.js").then(({ formatUsd }) =>
          ["4.5", "4.500000000", "0", "0.0456", "0.0032", "1234567.899", "0.995", "0.00000001"].map(formatUsd))`);
      expect(formatted).toEqual([
        "$4.50",
        "$4.50",
        "$0.00",
        "$0.046",
        "$0.0032",
        "$1,234,567.90",
        "$1.00",
        "<$0.000001",
      ]);
    });

    it("asks for a key, and says so when the key is wrong", async () => {
      await page.goto(seeded.server.url + "/");
      await expect.poll(() => page.getByTestId("login-form").isVisible()).toBe(true);
      await page.getByTestId("login-key").fill("llk_thisKeyDoesNotExistAnywhere000000");
      await page.getByTestId("login-submit").click();
      await expect.poll(() => page.locator("#login-error").innerText()).toMatch(/not valid/);
      expect(await page.getByTestId("stats").count()).toBe(0);
    });

    it("signs in with a read key and shows $4.50 spent today", async () => {
      await page.getByTestId("login-key").fill(seeded.readKey);
      await page.getByTestId("login-submit").click();
      await page.getByTestId("spend-today-value").waitFor();
      expect(await text(page, "spend-today-value")).toBe("$4.50");
      expect(await text(page, "spend-7d-value")).toBe("$4.65");
      expect(await text(page, "spend-30d-value")).toBe("$4.65");
      expect(await text(page, "fallback-rate")).toBe("2.5%");
      expect(await tableNames(page, "repo")).toEqual(["acme/api", "acme/web"]);
      const apiRow = page.getByTestId("table-repo").locator('tr[data-key="acme/api"]');
      expect((await apiRow.locator('[data-column="costUsd"]').innerText()).trim()).toBe("$4.50");
      expect((await apiRow.locator('[data-column="tokens"]').innerText()).trim()).toBe("30.0M");
      // The session is an HttpOnly cookie: the page's scripts cannot read it.
      expect(await page.evaluate<string>("document.cookie")).toBe("");
    });

    it("warns about the unpriced model and says how to price it", async () => {
      const warning = page.getByTestId("unpriced-warning");
      await warning.waitFor();
      expect(await warning.innerText()).toContain("40 calls have no price");
      expect(await page.getByTestId("unpriced-models").innerText()).toContain("acme-support-ft-v9");
      await warning.locator("summary").click();
      const howTo = await warning.innerText();
      expect(howTo).toContain("LLM_LEDGER_PRICING_FILE");
      expect(howTo).toContain("llm-ledger reprice --only-unpriced");
      expect(howTo).toContain('"id": "acme-support-ft-v9"');
      await warning.locator("summary").click();
    });

    it("sorts a breakdown table by clicking a column header", async () => {
      const calls = page.getByTestId("table-repo").locator('button[data-sort="events"]');
      await calls.click();
      expect(await tableNames(page, "repo")).toEqual(["acme/web", "acme/api"]);
      expect(await page.getByTestId("table-repo").locator("th[aria-sort=descending]").innerText()).toContain(
        "CALLS",
      );
      await calls.click();
      expect(await tableNames(page, "repo")).toEqual(["acme/api", "acme/web"]);
      await page.getByTestId("table-repo").locator('button[data-sort="costUsd"]').click();
    });

    it("saves a screenshot of the overview", async () => {
      await mkdir(outputDirectory, { recursive: true });
      await page.getByTestId("trend").locator("canvas").waitFor();
      await page.evaluate("window.scrollTo(0, 0)");
      await page.screenshot({ path: path.join(outputDirectory, "dashboard-overview.png"), fullPage: true });
    });

    it("lists the calls behind the figures, a page at a time", async () => {
      const rows = page.getByTestId("table-recent").locator("tbody tr");
      await expect.poll(() => rows.count()).toBe(10);
      // Newest first: today's acme/api calls come before acme/web's of three days ago.
      expect(await rows.first().innerText()).toContain("acme/api");
      await page.getByTestId("recent-more").click();
      await expect.poll(() => rows.count()).toBe(35);
      await page.getByTestId("recent-more").click();
      await expect.poll(() => rows.count()).toBe(60);
      await page.getByTestId("recent-more").click();
      await expect.poll(() => rows.count()).toBe(80);
      expect(await page.getByTestId("recent-more").isVisible()).toBe(false);
      expect(await rows.last().innerText()).toContain("acme/web");
    });

    it("opens a call with all its fields, by click or keyboard, and lists the other calls of its session", async () => {
      const pricing = createPricing();
      const createdAt = new Date(Date.now() - 3_600_000);
      const call = (model: string, minutesLater: number, sessionId: string | null) => ({
        ...pricedEvent(pricing, {
          repo: "acme/chat",
          taskType: "answer",
          model,
          inputTokens: 1_000_000,
          createdAt: new Date(createdAt.getTime() + minutesLater * 60_000),
        }),
        cacheReadTokens: 2_000,
        sessionId,
        userId: "user-7",
        metadata: { page: "=home" },
      });
      const sessionEvents = [
        call("gpt-4o-mini", 0, "session-42"),
        call("gpt-4o-mini", 1, "session-42"),
        call("gpt-4o", 2, "session-42"),
        call("gpt-4o-mini", 3, null),
      ];
      const sessions = await serve(database, sessionEvents);
      served.push(sessions);
      const { page: detailPage } = await newPage();
      await detailPage.goto(sessions.server.url + "/");
      await detailPage.getByTestId("login-key").fill(sessions.readKey);
      await detailPage.getByTestId("login-submit").click();
      const rows = detailPage.getByTestId("table-recent").locator("tbody tr");
      // Signing in and the first load together: longer than a poll's default second on a busy machine.
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(4);
      // Provider, fresh input apart from cache reads, and latency in the row itself.
      const cells = await rows.first().locator("td").allInnerTexts();
      expect(cells.slice(3, 9).map((cell) => cell.trim())).toEqual([
        "gpt-4o-mini",
        "openai",
        "1.0M",
        "2.0K",
        "0",
        "–",
      ]);
      // Newest first: the row of minute 2 (gpt-4o, in the session) is the second.
      await rows.nth(1).click();
      const dialog = detailPage.getByTestId("event-detail");
      await expect.poll(() => dialog.isVisible()).toBe(true);
      expect(await text(detailPage, "detail-event-id")).toBe(sessionEvents[2]!.eventId);
      expect(await text(detailPage, "detail-model")).toBe("gpt-4o");
      expect(await text(detailPage, "detail-resolved-model")).toBe("gpt-4o");
      // gpt-4o input: $2.50 per million, stored as NUMERIC(20,12).
      expect(await text(detailPage, "detail-cost")).toBe("$2.50 (2.500000000000 USD)");
      expect(await text(detailPage, "detail-tokens-Cache reads")).toBe("2,000");
      expect(await text(detailPage, "detail-session")).toBe("session-42");
      expect(JSON.parse(await text(detailPage, "detail-metadata"))).toEqual({ page: "=home" });
      const others = detailPage.getByTestId("detail-session-calls").locator("li");
      await expect.poll(() => others.count()).toBe(2);
      await mkdir(outputDirectory, { recursive: true });
      await detailPage.screenshot({ path: path.join(outputDirectory, "dashboard-call.png") });
      await detailPage.keyboard.press("Escape");
      await expect.poll(() => dialog.isVisible()).toBe(false);
      // From the keyboard: focus the newest row (outside the session) and press Enter.
      await rows.first().focus();
      await detailPage.keyboard.press("Enter");
      await expect.poll(() => dialog.isVisible()).toBe(true);
      await expect.poll(() => text(detailPage, "detail-event-id")).toBe(sessionEvents[3]!.eventId);
      expect(await detailPage.getByTestId("detail-session").count()).toBe(0);
      await detailPage.getByTestId("detail-close").click();
      await expect.poll(() => dialog.isVisible()).toBe(false);
    });

    it("filters every figure by a dimension", async () => {
      await page.getByTestId("filter-repo").selectOption("acme/web");
      await expect.poll(() => text(page, "spend-7d-value")).toBe("$0.15");
      // The page may fetch its parts separately: wait for each to show the filter.
      await expect.poll(() => text(page, "spend-today-value")).toBe("$0.00");
      await expect.poll(() => tableNames(page, "repo")).toEqual(["acme/web"]);
      await expect.poll(() => text(page, "scope")).toContain("repo acme/web");
      const recentRepos = async () =>
        new Set(await page.getByTestId("table-recent").locator("tbody tr td:nth-child(2)").allInnerTexts());
      await expect.poll(recentRepos).toEqual(new Set(["acme/web"]));
      expect(page.url()).toContain("repo=acme%2Fweb");
      // The other repo stays selectable, and clearing the filter brings it back.
      expect(await page.getByTestId("filter-repo").locator("option").allInnerTexts()).toContain("acme/api");
      await page.getByTestId("filters-reset").click();
      await expect.poll(() => text(page, "spend-7d-value")).toBe("$4.65");
    });

    it("changes the time range and the chart's stacking", async () => {
      await page.getByTestId("range").locator('button[data-range="7"]').click();
      await expect.poll(() => text(page, "trend-total")).toBe("$4.65 in the last 7 days");
      await page.getByTestId("stack-model").click();
      expect(page.url()).toContain("stack=model");
      // The chart is redrawn once the page has the figures by model: poll until it has.
      const series = () =>
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
      await expect.poll(series).toEqual(["acme-support-ft-v9", "gpt-4o-mini"]);
    });

    it("shows one total in the cards, the chart and the tables for every range, with calls on the ranges' edges", async () => {
      const pricing = createPricing();
      const now = Date.now();
      const todayStart = Date.UTC(
        new Date(now).getUTCFullYear(),
        new Date(now).getUTCMonth(),
        new Date(now).getUTCDate(),
      );
      const minute = 60_000;
      // A custom range of typed days, both included: 20 to 12 days ago.
      const customFrom = todayStart - 20 * DAY;
      const customEnd = todayStart - 11 * DAY;
      // Each call a distinct power of two of 200,000 gpt-4o-mini input tokens (3 cents), so any
      // wrong set of calls gives a different sum: a minute before and after the first midnight of every
      // range (7, 30 and 90 days: today plus the N−1 days before), around both ends of the typed days,
      // and in today's latest hour.
      const instants = [
        Math.max(todayStart + 1_000, now - minute),
        ...[7, 30, 90].flatMap((days) => {
          const first = todayStart - (days - 1) * DAY;
          return [first - minute, first + minute];
        }),
        customFrom - minute,
        customFrom + minute,
        customEnd - minute,
        customEnd + minute,
      ];
      const events = instants.map((instant, index) =>
        pricedEvent(pricing, {
          repo: `edge-${index}`,
          taskType: "t",
          model: "gpt-4o-mini",
          inputTokens: 2 ** index * 200_000,
          createdAt: new Date(instant),
        }),
      );
      const usdBetween = (from: number, to: number) => {
        const cents = events
          .filter((event) => {
            const at = new Date(event.createdAt).getTime();
            return at >= from && at < to;
          })
          .reduce((sum, event) => sum + (event.inputTokens * 15) / 1_000_000, 0);
        return `$${(cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
      };
      const countBetween = (from: number, to: number) =>
        events.filter((event) => {
          const at = new Date(event.createdAt).getTime();
          return at >= from && at < to;
        }).length;
      const edge = await serve(database, events);
      served.push(edge);
      const { page: edgePage } = await newPage();
      await edgePage.goto(edge.server.url + "/");
      await edgePage.getByTestId("login-key").fill(edge.readKey);
      await edgePage.getByTestId("login-submit").click();
      await edgePage.getByTestId("trend-total").waitFor();

      /** The sum of the chart's bars, in cents (Chart.js holds numbers: rounded per bar). */
      const chartCents = () =>
        edgePage.evaluate(() => {
          const chart = (
            globalThis as unknown as {
              Chart: { instances: Record<string, { data: { datasets: { data: number[] }[] } }> };
            }
          ).Chart;
          return Object.values(chart.instances)
            .flatMap((instance) => instance.data.datasets.flatMap((dataset) => dataset.data))
            .reduce((sum, value) => sum + Math.round(value * 100), 0);
        });
      const tableCents = async () =>
        (
          await edgePage
            .getByTestId("table-repo")
            .locator('tbody tr[data-key] [data-column="costUsd"]')
            .allInnerTexts()
        ).reduce((sum, cell) => sum + Math.round(Number(cell.trim().replace(/[$,]/g, "")) * 100), 0);
      const cents = (usd: string) => Math.round(Number(usd.replace(/[$,]/g, "")) * 100);

      const ranges = [
        { name: "7 days", days: 7, from: todayStart - 6 * DAY, to: now + 5 * minute },
        { name: "30 days", days: 30, from: todayStart - 29 * DAY, to: now + 5 * minute },
        { name: "90 days", days: 90, from: todayStart - 89 * DAY, to: now + 5 * minute },
        { name: "typed days", days: undefined, from: customFrom, to: customEnd },
      ];
      for (const range of ranges) {
        const expected = usdBetween(range.from, range.to);
        const calls = countBetween(range.from, range.to);
        if (range.days) {
          await edgePage.getByTestId("range").locator(`button[data-range="${range.days}"]`).click();
          await expect
            .poll(() => text(edgePage, "trend-total"), { message: range.name, timeout: 20_000 })
            .toBe(`${expected} in the last ${range.days} days`);
        } else {
          const day = (instant: number) => new Date(instant).toISOString().slice(0, 10);
          await edgePage.goto(`${edge.server.url}/?from=${day(customFrom)}&to=${day(customEnd - DAY)}`);
          await expect
            .poll(() => text(edgePage, "trend-total"), { message: range.name, timeout: 20_000 })
            .toMatch(new RegExp(`^\\${expected.replace(/\./g, "\\.")} from `));
        }
        // The chart's bars, the table's total and its rows, and the fallback card's calls: one range.
        await expect
          .poll(chartCents, { message: `${range.name}: chart`, timeout: 10_000 })
          .toBe(cents(expected));
        await expect
          .poll(() => edgePage.getByTestId("breakdown-repo").locator(".card-subtitle").innerText(), {
            message: `${range.name}: table total`,
            timeout: 10_000,
          })
          .toBe(`${calls} values · ${expected}`);
        expect(await tableCents(), `${range.name}: table rows`).toBe(cents(expected));
        expect(await text(edgePage, "fallback-rate")).toBe("0.0%");
        expect(await edgePage.getByTestId("fallback").innerText()).toContain(`0 of ${calls} calls`);
      }
      // The cards count their windows the same way: the 7- and 30-day cards equal those ranges.
      expect(await text(edgePage, "spend-7d-value")).toBe(usdBetween(todayStart - 6 * DAY, now + 5 * minute));
      expect(await text(edgePage, "spend-30d-value")).toBe(
        usdBetween(todayStart - 29 * DAY, now + 5 * minute),
      );
      expect(await text(edgePage, "spend-today-value")).toBe(usdBetween(todayStart, now + 5 * minute));
    });

    it("signs out", async () => {
      await page.getByTestId("logout").click();
      await page.getByTestId("login-form").waitFor();
      await page.reload();
      await page.getByTestId("login-form").waitFor();
      expect(await page.getByTestId("stats").count()).toBe(0);
    });

    it("shows an empty ledger how to send events", async () => {
      const empty = await serve(database, []);
      served.push(empty);
      const { page: emptyPage } = await newPage();
      await emptyPage.goto(empty.server.url + "/");
      await emptyPage.getByTestId("login-key").fill(empty.readKey);
      await emptyPage.getByTestId("login-submit").click();
      await emptyPage.getByTestId("empty-state").waitFor();
      expect(await text(emptyPage, "curl-example")).toContain(`curl -X POST ${empty.server.url}/v1/events`);
      expect(await text(emptyPage, "tracker-example")).toContain("createHttpSink");
      await emptyPage.screenshot({ path: path.join(outputDirectory, "dashboard-empty.png"), fullPage: true });
    });

    it("filters by a repo whose name holds a comma or a backslash (the values are escaped when sent)", async () => {
      // gpt-4o-mini input is $0.15 per million: "acme, inc" $1.50, "acme" $0.15, "a\\b" $3.00, "=1+1" $0.30.
      const pricing = createPricing();
      const createdAt = new Date(Date.now() - 3_600_000);
      const calls = (repo: string, count: number) =>
        Array.from({ length: count }, () =>
          pricedEvent(pricing, {
            repo,
            taskType: "review",
            model: "gpt-4o-mini",
            inputTokens: 1_000_000,
            createdAt,
          }),
        );
      const ledger = await serve(database, [
        ...calls("acme, inc", 10),
        ...calls("acme", 1),
        ...calls("a\\b", 20),
        ...calls("=1+1", 2),
      ]);
      served.push(ledger);
      const { page: namesPage } = await newPage();
      await namesPage.goto(ledger.server.url + "/");
      await namesPage.getByTestId("login-key").fill(ledger.readKey);
      await namesPage.getByTestId("login-submit").click();
      await expect.poll(() => text(namesPage, "spend-7d-value")).toBe("$4.95");
      const recentRepos = async () =>
        new Set(
          await namesPage.getByTestId("table-recent").locator("tbody tr td:nth-child(2)").allInnerTexts(),
        );
      for (const [repo, spend] of [
        ["acme, inc", "$1.50"],
        ["a\\b", "$3.00"],
        ["=1+1", "$0.30"],
      ]) {
        await namesPage.getByTestId("filter-repo").selectOption(repo!);
        await expect.poll(() => text(namesPage, "spend-7d-value"), { message: repo }).toBe(spend);
        await expect.poll(() => tableNames(namesPage, "repo"), { message: repo }).toEqual([repo]);
        await expect.poll(recentRepos, { message: repo }).toEqual(new Set([repo]));
      }
    });

    it("ran without a Content-Security-Policy violation or a script error", () => {
      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
      void context;
    });
  });
}
