// GET /v1/costs and GET /v1/events over a real HTTP server with hostile dimension values: filter
// values with commas and backslashes (escaped as the dashboard sends them), CSV that a spreadsheet
// cannot run, and cursors Postgres could not read answered with 400s.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { joinFilterValues, metricNames, removeCsvPrefix } from "../../src/query/index.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { csvRecords, startsFormula } from "../support/csv.js";
import { createKeyVia } from "../support/admin-keys.js";
import { describeEachEngine } from "../support/databases.js";
import { expectStoredValues, hostileValues, seededRandom } from "../support/hostile-text.js";
import { silentLogger } from "../support/loggers.js";

const adminKey = "cost-routes-test-admin-key-0123456789";

interface Report {
  rows: Array<Record<string, string | number | null>>;
  totals: { events: number; costUsd: string };
}

describeEachEngine("GET /v1/costs and /v1/events with hostile text", (context) => {
  let server: RunningServer;
  let key = "";
  const repos = [...hostileValues(seededRandom(1414), 40), "acme", "inc", "acme,inc"];

  const get = (path: string, params: Record<string, string>, accept = "application/json") =>
    fetch(`${server.url}${path}?${new URLSearchParams(params).toString()}`, {
      headers: { authorization: `Bearer ${key}`, accept },
    });
  const costs = async (params: Record<string, string>) => {
    const response = await get("/v1/costs", params);
    expect(response.status, JSON.stringify(params)).toBe(200);
    return (await response.json()) as Report;
  };

  beforeAll(async () => {
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
    });
    key = await createKeyVia(server.url, adminKey, { name: "hostile", scopes: ["read", "ingest"] });
    // Each repo gets its index + 1 events, so a filter that matches the wrong repos shows in the count.
    const events = repos.flatMap((repo, index) =>
      Array.from({ length: (index % 4) + 1 }, () => ({
        eventId: randomUUID(),
        repo,
        taskType: "review",
        model: "gpt-4o-mini",
        provider: "openai",
        inputTokens: 1000 * (index + 1),
        outputTokens: 10,
      })),
    );
    const posted = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({ events }),
    });
    expect(posted.status, await posted.clone().text()).toBe(200);
  });
  afterAll(async () => {
    await server.close();
  });

  it("filters by any value, commas and backslashes included, escaped as `\\,` and `\\\\`", async () => {
    const report = await costs({ groupBy: "repo" });
    expectStoredValues(
      report.rows.map((row) => String(row.repo)),
      repos,
    );
    for (const row of report.rows) {
      const repo = String(row.repo);
      const one = await costs({ repo: joinFilterValues([repo]) });
      expect(one.totals.events, JSON.stringify(repo)).toBe(row.events);
      const page = (await (await get("/v1/events", { repo: joinFilterValues([repo]) })).json()) as {
        events: Array<{ repo: string }>;
      };
      expect(page.events.map((event) => event.repo)).toEqual(Array(row.events).fill(repo));
    }
    const byRepo = new Map(report.rows.map((row) => [row.repo, Number(row.events)]));
    const some = report.rows.slice(0, 7).map((row) => String(row.repo));
    const several = await costs({ repo: joinFilterValues(some) });
    expect(several.totals.events).toBe(some.reduce((sum, repo) => sum + byRepo.get(repo)!, 0));

    // A bare comma still separates values; an escaped one is part of the value.
    const listed = await costs({ repo: "acme,inc" });
    expect(listed.totals.events).toBe(byRepo.get("acme")! + byRepo.get("inc")!);
    const single = await costs({ repo: "acme\\,inc" });
    expect(single.totals.events).toBe(byRepo.get("acme,inc"));

    // A lone surrogate cannot travel in a URL: it arrives as U+FFFD, which no stored repo is.
    expect((await costs({ repo: "\uD800,\uDFFFx" })).totals.events).toBe(0);

    const stray = await get("/v1/costs", { repo: "acme\\inc" });
    expect(stray.status).toBe(400);
    expect(await stray.json()).toMatchObject({
      error: { code: "E_QUERY_FILTER", message: expect.stringMatching(/^repo: a backslash/) as unknown },
    });
  });

  it("serves CSV whose text cells no spreadsheet runs, with the figures as in JSON", async () => {
    const queries: Array<Record<string, string>> = [
      { groupBy: "repo" },
      { groupBy: "repo,model", grain: "day" },
    ];
    for (const params of queries) {
      const json = await costs(params);
      const response = await get("/v1/costs", params, "text/csv");
      expect(response.headers.get("content-type")).toContain("text/csv");
      const records = csvRecords(await response.text());
      expect(records).toHaveLength(json.rows.length);
      for (const [index, record] of records.entries()) {
        const row = json.rows[index]!;
        for (const [name, cell] of Object.entries(record)) {
          if ((metricNames as readonly string[]).includes(name)) expect(cell).toMatch(/^-?\d+(\.\d+)?$/);
          else expect(startsFormula(cell), `${name}: ${JSON.stringify(cell)}`).toBe(false);
          expect(removeCsvPrefix(cell), name).toBe(row[name] === null ? "" : String(row[name]));
        }
      }
    }
  });

  it("answers a cursor Postgres could not read with 400 and what is wrong with it", async () => {
    const cursor = (position: string) => Buffer.from(position, "utf8").toString("base64url");
    for (const [value, message] of [
      [cursor("2024-03-01T00:00:00.000000Z|9223372036854775808"), /event id 9223372036854775808 is beyond/],
      [cursor("2024-02-30T10:00:00.000000Z|5"), /time 2024-02-30T10:00:00\.000000Z is not a real date/],
      [cursor("2024-03-01T25:00:00.000000Z|5"), /not a real date/],
      ["", /not a cursor returned by listEvents/],
    ] as const) {
      const response = await get("/v1/events", { cursor: value });
      expect(response.status, value).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("E_QUERY_CURSOR");
      expect(body.error.message).toMatch(message);
    }
  });
});
