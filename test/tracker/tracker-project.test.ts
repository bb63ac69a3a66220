// The tracker's project: `createCostTracker({ project })` names the project of events that name none;
// an event's own `project` wins; a malformed one is refused (the option at construction, an event with
// its reason), and through the HTTP sink a project-bound ingest key decides without the application
// naming a project, refusing (with the service's reason) only the events that name another.
import { describe, expect, it } from "vitest";
import { LedgerError } from "../../src/errors.js";
import { startServer } from "../../src/server/start-server.js";
import { createTelemetryStore } from "../../src/store/index.js";
import { createCostTracker } from "../../src/tracker/cost-tracker.js";
import { createHttpSink } from "../../src/tracker/http-sink.js";
import { createKeyVia } from "../support/admin-keys.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";
import { memorySink } from "./memory-sink.js";

const call = {
  repo: "acme/api",
  taskType: "review",
  model: "gpt-4o-mini",
  inputTokens: 1000,
  outputTokens: 10,
};
const adminKey = "tracker-project-admin-key-0123456789";

describe("createCostTracker({ project })", () => {
  it("refuses a project that is not a slug when the tracker is created", () => {
    for (const project of ["Team A", "", 7]) {
      expect(() =>
        createCostTracker({
          sink: memorySink(),
          spoolDir: false,
          logger: silentLogger,
          project: project as string,
        }),
      ).toThrow(expect.objectContaining({ code: "E_OPTIONS" }) as LedgerError);
    }
  });
});

describeEachEngine("the tracker's project in the ledger", (context) => {
  const projectsOf = async () =>
    (
      await context
        .database()
        .query<{ project: string; repo: string }>(
          `SELECT project, repo FROM "${context.schema}".llm_cost_events ORDER BY repo`,
        )
    ).map((row) => `${row.repo}@${row.project}`);

  it("writes events to the tracker's project, an event's own project first, refusing a malformed one", async () => {
    const store = await createTelemetryStore({ database: context.database(), schema: context.schema });
    const tracker = createCostTracker({
      sink: store,
      spoolDir: false,
      logger: silentLogger,
      project: "alpha",
    });
    const results = await Promise.all([
      tracker.track({ ...call, repo: "a-default" }),
      tracker.trackUsage({
        ...call,
        repo: "b-named",
        project: "beta",
        usage: { inputTokens: 1, outputTokens: 1 },
      }),
      tracker.track({ ...call, repo: "c-bad", project: "Not A Slug" }),
    ]);
    await tracker.close();
    expect(results.map((result) => result.outcome)).toEqual(["stored", "stored", "rejected"]);
    expect(results[2].reason).toBe(
      `project must be a project slug (1 to 63 lower-case letters, digits, '-' or '_'), got "Not A Slug"`,
    );
    expect(await projectsOf()).toEqual(["a-default@alpha", "b-named@beta"]);
    // Without the option, an event that names none is the store's default.
    const plain = createCostTracker({ sink: store, spoolDir: false, logger: silentLogger });
    await plain.track({ ...call, repo: "d-plain" });
    await plain.close();
    expect(await projectsOf()).toContain("d-plain@default");
  });

  it("sends through the HTTP sink to the key's project; an event naming another is refused, the rest kept", async () => {
    const server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
    });
    try {
      for (const slug of ["alpha", "beta"]) {
        const created = await fetch(`${server.url}/v1/projects`, {
          method: "POST",
          headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
          body: JSON.stringify({ slug, name: slug }),
        });
        expect(created.status).toBe(201);
      }
      const apiKey = await createKeyVia(server.url, adminKey, {
        name: "alpha app",
        scopes: ["ingest"],
        project: "alpha",
      });
      const tracker = createCostTracker({
        sink: createHttpSink({ url: server.url, apiKey }),
        spoolDir: false,
        logger: silentLogger,
      });
      const results = await Promise.all([
        tracker.track({ ...call, repo: "http-1" }),
        tracker.track({ ...call, repo: "http-2", project: "beta" }),
        tracker.track({ ...call, repo: "http-3", project: "alpha" }),
        tracker.track({ ...call, repo: "http-4" }),
      ]);
      await tracker.close();
      expect(results.map((result) => result.outcome)).toEqual(["stored", "rejected", "stored", "stored"]);
      expect(results[1].reason).toBe(
        'the service rejected it: this key writes to project "alpha" only; the event names project "beta"',
      );
      const stored = (await projectsOf()).filter((entry) => entry.startsWith("http-"));
      expect(stored).toEqual(["http-1@alpha", "http-3@alpha", "http-4@alpha"]);
    } finally {
      await server.close();
    }
  });
});
