// `report` and `top` with --read-database-url: the figures come from the replica, while the store
// (and its migrations) stay on --database-url. The "replica" is the Postgres server holding other
// figures than the primary (an embedded PGlite directory), which shows which database was read.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { createTelemetryStore } from "../../src/store/telemetry-store.js";
import { runLedger } from "../support/cli.js";
import { describeServer, serverUrl, uniqueSchema } from "../support/databases.js";
import { costRecord } from "../support/records.js";

describeServer("the reporting commands with a read replica", () => {
  it("read report and top figures from --read-database-url, not from --database-url", async () => {
    const schema = uniqueSchema("cli_replica");
    const directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-replica-"));
    const primaryUrl = `pglite:${directory}`;
    const replica = await createTelemetryStore({ databaseUrl: serverUrl, schema });
    const createdAt = new Date(Date.now() - 3_600_000);
    try {
      await replica.recordLlmCosts([
        costRecord({ repo: "on-the-replica", estimatedCostUsd: "2", createdAt }),
      ]);
      const primary = await createTelemetryStore({ databaseUrl: primaryUrl, schema });
      await primary.recordLlmCosts([
        costRecord({ repo: "on-the-primary", estimatedCostUsd: "5", createdAt }),
      ]);
      await primary.close();

      const common = ["--database-url", primaryUrl, "--schema", schema, "--format", "json"];
      const both = ["--read-database-url", serverUrl!];
      const report = await runLedger(["report", ...common, ...both, "--by", "repo"]);
      expect(report.stderr).toBe("");
      const rows = (JSON.parse(report.stdout) as { rows: Array<{ repo: string; costUsd: string }> }).rows;
      expect(rows.map((row) => [row.repo, row.costUsd])).toEqual([["on-the-replica", "2"]]);

      const top = await runLedger(["top", "--by", "repo", ...common, ...both]);
      expect(top.stderr).toBe("");
      expect(top.stdout).toContain("on-the-replica");
      expect(top.stdout).not.toContain("on-the-primary");

      // Without the flag the same command reads the primary.
      const plain = await runLedger(["report", ...common, "--by", "repo"]);
      expect(plain.stdout).toContain("on-the-primary");
      expect(plain.stdout).not.toContain("on-the-replica");

      const refused = await runLedger(["report", ...common, "--read-database-url", "pglite:/tmp/x"]);
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toMatch(/postgres:\/\/ URL of a read replica/);
    } finally {
      await replica.database.exec(`DROP SCHEMA "${schema}" CASCADE`);
      await replica.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
