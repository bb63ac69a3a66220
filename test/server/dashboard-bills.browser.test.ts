// The dashboard's "Estimated vs billed" panel in Chromium against the real server: the reconciliation
// scenario (a ledger and bills that differ on known days by known amounts) shows exactly those figures
// to a dashboard signed in with an admin key, under the strict CSP; a worst day's link opens its calls;
// a read-only session never sees the panel, and the route answers it 403. Also on a 390 px screen.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import type { Database } from "../../src/store/database.js";
import { quoteSchema } from "../../src/store/schema-name.js";
import { createKeyVia } from "../support/admin-keys.js";
import { launchChromium, missingBrowserReason } from "../support/browser.js";
import { engineDatabase, uniqueSchema } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";
import { seedReconcileScenario } from "../bills/support/reconcile-scenario.js";

const outputDirectory = path.resolve(import.meta.dirname, "../../test-output");
const adminKey = "dashboard-bills-admin-key-0123456789";
// The scenario's days (test/bills/support/reconcile-scenario.ts), as a link to the dashboard.
const scenarioView = "/?from=2026-11-01&to=2026-11-03";

const reason = missingBrowserReason();

if (reason && process.env.CI === "true") {
  describe("dashboard bills panel in Chromium", () => {
    it("needs Chromium", () => {
      throw new Error(`${reason}, but CI=true: .ci/run should have installed it`);
    });
  });
} else if (reason) {
  describe.skip(`dashboard bills panel in Chromium [skipped: ${reason}]`, () => {
    it("runs in Chromium", () => {});
  });
} else {
  describe("dashboard bills panel in Chromium", () => {
    let database: Database;
    let browser: Browser;
    let server: RunningServer;
    let schema: string;
    let readKey: string;
    const problems: string[] = [];

    async function signedInPage(key: string, options: { width?: number } = {}): Promise<Page> {
      const context = await browser.newContext({
        viewport: { width: options.width ?? 1360, height: 900 },
        reducedMotion: "reduce",
      });
      const page = await context.newPage();
      page.on("console", (message) => {
        if (/Content[- ]Security[- ]Policy/i.test(message.text())) problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));
      await page.goto(server.url + scenarioView);
      await page.getByTestId("login-key").fill(key);
      await page.getByTestId("login-submit").click();
      await page.getByTestId("trend-total").waitFor();
      return page;
    }

    /** The worst days' table as text cells, row by row. */
    const worstRows = (page: Page) =>
      page.evaluate<
        string[][]
      >(`[...document.querySelectorAll('[data-testid="bills-worst-row"]')].map((row) =>
        [...row.querySelectorAll("td")].map((cell) => cell.textContent.trim()))`);

    beforeAll(async () => {
      database = await engineDatabase("pglite");
      schema = uniqueSchema("bills_panel");
      server = await startServer({ database, schema, port: 0, adminKey, logger: silentLogger });
      await seedReconcileScenario(database, schema);
      readKey = await createKeyVia(server.url, adminKey, { name: "reader", scopes: ["read"], project: null });
      browser = await launchChromium();
      await mkdir(outputDirectory, { recursive: true });
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await database?.exec(`DROP SCHEMA IF EXISTS ${quoteSchema(schema)} CASCADE`);
    });

    it("shows an admin the estimate beside the bill with exactly the scenario's figures, worst days first", async () => {
      const page = await signedInPage(adminKey);
      const panel = page.getByTestId("bills-panel");
      await panel.waitFor();
      // Totals: $4 estimated, $4.755 billed (Bedrock's $5 has no bill; the EUR line has no rate).
      await expect
        .poll(() => page.getByTestId("bills-summary").innerText())
        .toBe("Estimated $4.00 · billed $4.76 · difference $0.76 (18.88%), 2026-11-01 to 2026-11-03 UTC");
      expect(await page.getByTestId("bills-difference").innerText()).toBe("$0.76");
      expect(await worstRows(page)).toEqual([
        ["2026-11-03", "anthropic", "$0.00", "$3.00", "$3.00", "—", "no calls in the ledger"],
        ["2026-11-02", "anthropic", "$2.00", "$0.00", "-$2.00", "-100%", "1 call"],
        ["2026-11-01", "openai", "$1.00", "$0.50", "-$0.50", "-50%", "1 call"],
        ["2026-11-01", "anthropic", "$1.00", "$1.26", "$0.26", "25.5%", "2 calls"],
      ]);
      const notes = await page.getByTestId("bills-notes").innerText();
      expect(notes).toContain("aws-bedrock: $5.00 estimated, no bill imported.");
      expect(notes).toContain("0.4 EUR billed, not compared (no rate).");
      // The chart got the exact daily sums (the gap between the lines is shaded).
      const series = await page.evaluate<Array<{ label: string; exact: string[]; shaded: boolean }>>(`
        Chart.getChart(document.querySelector('[data-testid="bills-panel"] canvas')).data.datasets.map((dataset) => ({
          label: dataset.label,
          exact: dataset.exact,
          shaded: dataset.fill !== undefined,
        }))`);
      expect(series).toEqual([
        { label: "Estimated (ledger)", exact: ["2", "2", "0"], shaded: false },
        { label: "Billed (provider)", exact: ["1.755", "0", "3"], shaded: true },
      ]);
      await page.screenshot({ path: path.join(outputDirectory, "dashboard-bills.png"), fullPage: true });
      expect(problems).toEqual([]);
    });

    it("opens a worst day's calls from its link, by keyboard", async () => {
      const page = await signedInPage(adminKey);
      const link = page
        .locator('[data-testid="bills-worst-row"][data-day="2026-11-01"][data-provider="anthropic"]')
        .getByTestId("bills-worst-link");
      await link.focus();
      await page.keyboard.press("Enter");
      await page.waitForURL(/from=2026-11-01&to=2026-11-01&provider=anthropic/);
      await page.getByTestId("trend-total").waitFor();
      // Exactly the calls of that day and provider: the two Sonnet calls, not Bedrock's nor OpenAI's.
      const expected = await fetch(
        `${server.url}/v1/events?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&provider=anthropic`,
        { headers: { authorization: `Bearer ${adminKey}` } },
      );
      const ids = ((await expected.json()) as { events: Array<{ eventId: string }> }).events.map(
        (event) => event.eventId,
      );
      expect(ids).toHaveLength(2);
      await expect
        .poll(() =>
          page.evaluate<string[]>(
            `[...document.querySelectorAll('[data-testid="table-recent"] tbody tr[data-event-id]')].map((row) => row.dataset.eventId)`,
          ),
        )
        .toEqual(ids);
      expect(await page.getByTestId("filter-provider").inputValue()).toBe("anthropic");
    });

    it("never shows the panel to a read-only session (the route answers it 403) nor to a project's admin", async () => {
      const page = await signedInPage(readKey);
      await expect.poll(() => page.getByTestId("recent-calls").isVisible()).toBe(true);
      expect(await page.getByTestId("bills-panel").isHidden()).toBe(true);
      const status = await page.evaluate<{ status: number; body: unknown }>(`(async () => {
        const response = await fetch("/v1/reconciliation?from=2026-11-01T00:00:00Z&to=2026-11-04T00:00:00Z");
        return { status: response.status, body: await response.json() };
      })()`);
      expect(status).toMatchObject({ status: 403, body: { error: { code: "E_SCOPE" } } });
      // An admin key bound to one project does not see the organization's bills either.
      const bound = await createKeyVia(server.url, adminKey, {
        name: "bound admin",
        scopes: ["admin"],
        project: "default",
      });
      const boundPage = await signedInPage(bound);
      await expect.poll(() => boundPage.getByTestId("recent-calls").isVisible()).toBe(true);
      expect(await boundPage.getByTestId("bills-panel").isHidden()).toBe(true);
      expect(problems).toEqual([]);
    });

    it("fits a 390 px wide screen: the worst days scroll sideways inside their card", async () => {
      const page = await signedInPage(adminKey, { width: 390 });
      await page.getByTestId("bills-worst-row").first().waitFor();
      const overflow = await page.evaluate<number>(
        "document.documentElement.scrollWidth - window.innerWidth",
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(outputDirectory, "dashboard-bills-390.png"), fullPage: true });
    });
  });
}
