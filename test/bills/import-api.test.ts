// Bills from the providers' cost report APIs, against the fake provider server speaking both
// documented APIs from fixtures: exact imports on every engine, idempotent re-import, retries,
// refused keys, runaway pagination and internal addresses, each leaving the table as it was.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { importProviderBill, listBillLines, type BillingProvider } from "../../src/bills/index.js";
import { resolveModel } from "../../src/pricing/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { fakeKeys, startFakeBillingServer, type FakeBillingServer } from "../support/fake-billing-server.js";
import { openaiLines, anthropicLines } from "./support/expected-lines.js";

const window = { from: new Date("2026-10-01T00:00:00Z"), to: new Date("2026-12-01T00:00:00Z") };
const resolve = (model: string, provider: string) => resolveModel(model, provider)?.model;

describeEachEngine("bills import from the providers' APIs", (context) => {
  let fake: FakeBillingServer;
  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
    fake = await startFakeBillingServer();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(async () => {
    fake.faults = {};
    fake.requests.length = 0;
    await context.database().query(`DELETE FROM "${context.schema}".llm_ledger_bills`);
  });

  function run(provider: BillingProvider, overrides: Record<string, unknown> = {}) {
    return importProviderBill({
      database: context.database(),
      schema: context.schema,
      provider,
      key: fakeKeys[provider],
      apiBase: fake.url,
      allowInternalUrls: true,
      retryBaseMs: 1,
      resolveModel: resolve,
      ...window,
      ...overrides,
    });
  }
  const stored = () => listBillLines(context.database(), context.schema);

  it("imports OpenAI's costs exactly (dollars as numbers, models from line items, every page)", async () => {
    expect(await run("openai")).toEqual({ provider: "openai", pages: 2, days: 3, lines: 5, removed: 0 });
    expect(await stored()).toEqual(openaiLines);
    const first = fake.requests[0]!;
    expect(first.path).toBe("/v1/organization/costs");
    expect(first.query.get("start_time")).toBe(String(window.from.getTime() / 1000));
    expect(first.query.get("end_time")).toBe(String(window.to.getTime() / 1000));
    expect(first.query.getAll("group_by")).toEqual(["line_item", "project_id"]);
    expect(first.query.get("bucket_width")).toBe("1d");
    expect(fake.requests[1]!.query.get("page")).toBe("page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=");
  });

  it("imports Anthropic's cost report exactly (cents as decimal strings become dollars)", async () => {
    expect(await run("anthropic")).toEqual({
      provider: "anthropic",
      pages: 2,
      days: 2,
      lines: 3,
      removed: 0,
    });
    expect(await stored()).toEqual(anthropicLines);
    const first = fake.requests[0]!;
    expect(first.path).toBe("/v1/organizations/cost_report");
    expect(first.query.get("starting_at")).toBe("2026-10-01T00:00:00.000Z");
    expect(first.query.getAll("group_by[]")).toEqual(["description", "workspace_id"]);
  });

  it("re-importing the same days replaces them: the table is the same", async () => {
    await run("openai");
    await run("anthropic");
    const before = await stored();
    expect(await run("openai")).toMatchObject({ lines: 5, removed: 5 });
    expect(await run("anthropic")).toMatchObject({ lines: 3, removed: 3 });
    expect(await stored()).toEqual(before);
  });

  it("retries 429 and 5xx answers, honouring Retry-After", async () => {
    fake.faults = { failures: 2, status: 429 };
    expect(await run("openai")).toMatchObject({ lines: 5 });
    fake.faults = { failures: 1, status: 503 };
    expect(await run("anthropic")).toMatchObject({ lines: 3 });
    expect(fake.requests.filter((request) => request.path.endsWith("costs"))).toHaveLength(4);
  });

  describe("faults leave the stored bill as it was", () => {
    beforeEach(async () => {
      fake.faults = {};
      await run("openai");
      fake.requests.length = 0;
    });

    it("a page that keeps failing aborts the import", async () => {
      fake.faults = { failures: 100, status: 503 };
      await expect(run("openai", { attempts: 3 })).rejects.toMatchObject({
        code: "E_BILLS_FETCH",
        message: expect.stringMatching(
          /\/v1\/organization\/costs: HTTP 503, 3 attempt\(s\); nothing was imported/,
        ) as unknown,
      });
      expect(fake.requests).toHaveLength(3);
      expect(await stored()).toEqual(openaiLines);
    });

    it("a wrong key is named by its variable, never printed", async () => {
      for (const provider of ["openai", "anthropic"] as const) {
        const error = await run(provider, { key: "sk-wrong-secret-123" }).catch((caught: unknown) => caught);
        expect(error).toMatchObject({ code: "E_BILLS_KEY" });
        const message = (error as Error).message;
        expect(message).toMatch(
          provider === "openai" ? /^OPENAI_ADMIN_KEY was refused/ : /^ANTHROPIC_ADMIN_KEY was refused/,
        );
        expect(message).toMatch(/HTTP 401: (Incorrect API key provided|invalid x-api-key)/);
        expect(message).not.toContain("sk-wrong-secret-123");
      }
      await expect(run("anthropic", { key: " " })).rejects.toMatchObject({
        code: "E_BILLS_KEY",
        message: expect.stringMatching(/^ANTHROPIC_ADMIN_KEY is not set/) as unknown,
      });
      expect(await stored()).toEqual(openaiLines);
    });

    it("pagination that goes round, repeats days or never ends is stopped", async () => {
      fake.faults = { loop: true };
      await expect(run("openai")).rejects.toMatchObject({
        code: "E_BILLS_PAGINATION",
        message: expect.stringMatching(/page 2 points back to a page already read/) as unknown,
      });
      fake.faults = { repeat: true };
      await expect(run("anthropic")).rejects.toMatchObject({
        code: "E_BILLS_PAGINATION",
        message: expect.stringMatching(/page 2 repeats the day 2026-11-01/) as unknown,
      });
      fake.faults = { endless: true };
      await expect(run("openai", { maxPages: 5 })).rejects.toMatchObject({
        code: "E_BILLS_PAGINATION",
        message: expect.stringMatching(/more than 5 pages .* the pagination does not end/) as unknown,
      });
      expect(await stored()).toEqual(openaiLines);
    });

    it("an internal address is refused unless allowed, before any request", async () => {
      await expect(run("openai", { allowInternalUrls: false })).rejects.toMatchObject({
        code: "E_BILLS_URL_INTERNAL",
        message: expect.stringMatching(/internal address 127\.0\.0\.1/) as unknown,
      });
      expect(fake.requests).toHaveLength(0);
      expect(await stored()).toEqual(openaiLines);
    });
  });
});
