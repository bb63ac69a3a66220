// The library and the CLI take `project` like any other dimension (issue 21): filters (one project,
// several, none at all), grouping, from the rollups and from raw events alike; the events list; and
// getEvent when two projects hold the same event id; export and import keep each event's project.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { getEvent, listEvents, queryCosts } from "../../src/query/index.js";
import { queryCostsUsing } from "../../src/query/query-costs.js";
import { migrateUp } from "../../src/store/migrator.js";
import { runLedger } from "../support/cli.js";
import { describeEachEngine, serverUrl, uniqueSchema } from "../support/databases.js";
import { insertEvents, testEvent } from "./support/cost-events.js";

const day = 86_400_000;

describeEachEngine("project as a query dimension", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  const sharedId = randomUUID();

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
    const now = Date.now();
    const events = ["alpha", "beta", "default"].flatMap((project, index) =>
      [0, 2, 5].map((days) =>
        testEvent({
          project,
          createdAt: new Date(now - days * day - 1000),
          repo: `${project}-repo`,
          estimatedCostUsd: `${index + 1}.5`,
          eventId: days === 2 ? sharedId : randomUUID(),
        }),
      ),
    );
    await insertEvents(context.database(), context.schema, events);
  });

  it("filters and groups by project, the same from the rollups as from raw events", async () => {
    const cases = [
      { filters: { project: "alpha" } },
      { filters: { project: ["alpha", "beta", "nope"] }, groupBy: ["project" as const] },
      { filters: { project: [] }, groupBy: ["repo" as const] },
      { groupBy: ["project" as const], grain: "day" as const },
      { groupBy: ["project" as const, "repo" as const], filters: { repo: "beta-repo" } },
      { groupBy: ["project" as const, "userId" as const] },
    ];
    for (const options of cases) {
      const automatic = await queryCosts(store(), options);
      const raw = await queryCostsUsing(store(), options, "raw");
      expect(automatic.rows, JSON.stringify(options)).toEqual(raw.rows);
      expect(automatic.totals, JSON.stringify(options)).toEqual(raw.totals);
    }
    const alpha = await queryCosts(store(), { filters: { project: "alpha" } });
    expect(alpha.totals).toMatchObject({ events: 3, costUsd: "4.5" });
    expect(alpha.source).toBe("rollup");
    const byProject = await queryCosts(store(), {
      groupBy: ["project"],
      filters: { project: ["alpha", "beta"] },
    });
    expect(byProject.rows.map((row) => [row.project, row.costUsd])).toEqual([
      ["beta", "7.5"],
      ["alpha", "4.5"],
    ]);
    expect((await queryCosts(store(), { filters: { project: [] } })).totals.events).toBe(0);
  });

  it("lists one project's events, and finds an event id within the projects asked", async () => {
    const page = await listEvents(store(), { filters: { project: "beta" } });
    expect(page.events.map((event) => [event.project, event.repo])).toEqual([
      ["beta", "beta-repo"],
      ["beta", "beta-repo"],
      ["beta", "beta-repo"],
    ]);
    expect((await listEvents(store(), { filters: { project: [] } })).events).toEqual([]);
    expect((await getEvent(store(), sharedId, { project: "beta" }))?.repo).toBe("beta-repo");
    expect((await getEvent(store(), sharedId, { project: ["default", "alpha"] }))?.repo).toBe("alpha-repo");
    expect((await getEvent(store(), sharedId))?.repo).toBe("alpha-repo");
    expect(await getEvent(store(), sharedId, { project: "nope" })).toBeUndefined();
    expect(await getEvent(store(), sharedId, { project: [] })).toBeUndefined();
  });

  it.runIf(context.engine === "postgres" && serverUrl)(
    "takes --filter project=… and --by project in the CLI",
    async () => {
      const flags = ["--database-url", serverUrl!, "--schema", context.schema];
      const report = await runLedger([
        "report",
        "--by",
        "project",
        "--filter",
        "project=alpha,beta",
        "--json",
        ...flags,
      ]);
      expect(report.exitCode, report.stderr).toBe(0);
      const parsed = JSON.parse(report.stdout) as { rows: Array<{ project: string }> };
      expect(parsed.rows.map((row) => row.project)).toEqual(["beta", "alpha"]);
    },
  );

  it.runIf(context.engine === "pglite")(
    "takes --filter project=… and --by project in the CLI on an embedded database",
    async () => {
      // The same events, imported into a PGlite directory as `export` writes them (one JSON a line).
      const directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-projects-pglite-"));
      try {
        const page = await listEvents(store(), { limit: 1000 });
        const file = path.join(directory, "events.jsonl");
        await writeFile(file, page.events.map((event) => JSON.stringify(event)).join("\n") + "\n");
        const flags = ["--database-url", `pglite:${path.join(directory, "db")}`];
        const imported = await runLedger(["import", file, ...flags]);
        expect(imported.exitCode, imported.stderr).toBe(0);
        const report = await runLedger([
          "report",
          "--by",
          "project",
          "--filter",
          "project=alpha,beta",
          "--json",
          ...flags,
        ]);
        expect(report.exitCode, report.stderr).toBe(0);
        const parsed = JSON.parse(report.stdout) as { rows: Array<{ project: string; costUsd: string }> };
        expect(parsed.rows.map((row) => row.project)).toEqual(["beta", "alpha"]);
        const library = await queryCosts(store(), {
          groupBy: ["project"],
          filters: { project: ["alpha", "beta"] },
          from: new Date(Date.now() - 30 * day),
        });
        expect(parsed.rows.map((row) => row.costUsd)).toEqual(library.rows.map((row) => row.costUsd));
        const one = await runLedger(["report", "--filter", "project=default", "--json", ...flags]);
        expect((JSON.parse(one.stdout) as { totals: { events: number } }).totals.events).toBe(3);
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    },
  );

  it.runIf(context.engine === "postgres" && serverUrl)(
    "exports each event's project and imports it back into that project",
    async () => {
      const exported = await runLedger(["export", "--database-url", serverUrl!, "--schema", context.schema]);
      const lines = exported.stdout.trim().split("\n");
      expect(lines.map((line) => (JSON.parse(line) as { project: string }).project).sort()).toEqual([
        "alpha",
        "alpha",
        "alpha",
        "beta",
        "beta",
        "beta",
        "default",
        "default",
        "default",
      ]);
      const directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-projects-"));
      const other = uniqueSchema();
      try {
        const file = path.join(directory, "events.jsonl");
        await writeFile(file, exported.stdout);
        const imported = await runLedger(["import", file, "--database-url", serverUrl!, "--schema", other]);
        expect(imported.stdout).toBe("imported 9 event(s); 0 already stored; 0 bad line(s) of 9\n");
        const copy = { database: context.database(), schema: other };
        const options = { groupBy: ["project" as const, "repo" as const] };
        expect(await queryCosts(copy, options)).toEqual(await queryCosts(store(), options));
      } finally {
        await context.database().exec(`DROP SCHEMA IF EXISTS "${other}" CASCADE`);
        await rm(directory, { recursive: true, force: true });
      }
    },
  );
});
