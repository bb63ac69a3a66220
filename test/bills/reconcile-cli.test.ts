// `llm-ledger reconcile --against bills` on the Postgres server: the scenario's exact answer in JSON,
// and the same figures in CSV and the table, with the notes on missing bills and currencies.
import { beforeAll, afterAll, expect, it } from "vitest";
import { migrateUp } from "../../src/store/migrator.js";
import { runLedger } from "../support/cli.js";
import { describeServer, engineDatabase, serverUrl, uniqueSchema } from "../support/databases.js";
import {
  expectedReconciliation,
  scenarioWindow,
  seedReconcileScenario,
} from "./support/reconcile-scenario.js";

describeServer("reconcile --against bills (CLI)", () => {
  const schema = uniqueSchema("recon");
  const flags = () => [
    "--database-url",
    serverUrl!,
    "--schema",
    schema,
    "--from",
    scenarioWindow.from.slice(0, 10),
    "--to",
    scenarioWindow.to.slice(0, 10),
  ];
  beforeAll(async () => {
    const database = await engineDatabase("postgres");
    await migrateUp(database, { schema });
    await seedReconcileScenario(database, schema);
  });
  afterAll(async () => {
    await (await engineDatabase("postgres")).exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  it("answers exactly in JSON, and the same figures in CSV and the table", async () => {
    const json = await runLedger(["reconcile", "--against", "bills", "--json", ...flags()]);
    expect(json.stderr).toBe("");
    expect(JSON.parse(json.stdout)).toEqual(expectedReconciliation);

    const csv = await runLedger([
      "reconcile",
      "--against",
      "bills",
      "--format",
      "csv",
      "--by",
      "provider",
      ...flags(),
    ]);
    expect(csv.stdout.trim().split(/\r?\n/)).toEqual([
      "provider,events,estimated USD,SDK-reported USD,billed USD,difference USD,difference %,marker",
      "anthropic,3,3,0.45,4.255,1.255,41.83,",
      "openai,1,1,,0.5,-0.5,-50,",
    ]);

    const table = await runLedger(["reconcile", "--against", "bills", "--rate", "EUR=1.08", ...flags()]);
    const lines = table.stdout.split("\n");
    expect(lines[0]).toMatch(/^window: from 2026-11-01 00:00 UTC to 2026-11-04 00:00 UTC/);
    expect(table.stdout).toMatch(
      /^2026-11-02\s+anthropic\s+claude-sonnet-4-5\s+1\s+2\s+-\s+-\s+-2\s+-100\s+events-without-bill$/m,
    );
    expect(table.stdout).toMatch(/^total\s+-\s+-\s+4\s+4\s+-\s+5\.187\s+1\.187\s+29\.68$/m);
    expect(table.stdout).toContain(
      "* no bill imported for aws-bedrock (1 events, $5 estimated): not compared (a provider's own bill covers its own API only)",
    );
    expect(table.stdout).not.toContain("left out: give --rate");
  });

  it("keeps --against sdk the default and refuses bill flags without bills", async () => {
    const sdk = await runLedger(["reconcile", "--json", ...flags()]);
    expect((JSON.parse(sdk.stdout) as { rows: unknown[] }).rows[0]).toMatchObject({
      model: "claude-sonnet-4-5",
    });
    const cases: Array<[string[], RegExp]> = [
      [["reconcile", "--by", "day"], /--by and --rate apply with --against bills/],
      [
        ["reconcile", "--against", "bills", "--by", "repo"],
        /--by accepts day, provider, model with --against bills; got 'repo'/,
      ],
      [
        ["reconcile", "--against", "bills", "--rate", "EUR"],
        /--rate must be CURRENCY=DOLLARS such as EUR=1\.08, got 'EUR'/,
      ],
      [["reconcile", "--against", "invoices"], /--against must be one of sdk, bills/],
    ];
    for (const [argv, message] of cases) {
      const run = await runLedger([...argv, ...flags()]);
      expect(run.stderr).toMatch(message);
      expect(run.exitCode).toBe(2);
    }
  });
});
