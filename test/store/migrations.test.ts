import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile, cp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadMigrations, defaultMigrationsDirectory } from "../../src/store/migration-files.js";
import { migrateDown, migrateUp, migrationStatus } from "../../src/store/migrator.js";
import { describeEachEngine, describeServer, sharedServerPool, uniqueSchema } from "../support/databases.js";

/** The columns the migrations must create (0001, and 0010's price_ref), with their Postgres types (information_schema names). */
const expectedColumns: Record<string, string> = {
  id: "bigint",
  project: "text",
  event_id: "uuid",
  created_at: "timestamp with time zone",
  ingested_at: "timestamp with time zone",
  // Migration 0010: the rate set the event was priced with.
  price_ref: "text",
  delivery_id: "text",
  repo: "text",
  task_type: "text",
  model: "text",
  resolved_model: "text",
  provider: "text",
  sdk: "text",
  input_tokens: "bigint",
  output_tokens: "bigint",
  cache_read_tokens: "bigint",
  cache_write_tokens: "bigint",
  cache_write_1h_tokens: "bigint",
  reasoning_tokens: "bigint",
  estimated_cost_usd: "numeric(20,12)",
  provider_cost_usd: "numeric(20,12)",
  cost_source: "text",
  priced: "boolean",
  pricing_version: "text",
  duration_ms: "integer",
  used_fallback: "boolean",
  fallback_reason: "text",
  error: "text",
  user_id: "text",
  session_id: "text",
  trace_id: "text",
  span_id: "text",
  environment: "text",
  metadata: "jsonb",
  // Charges beyond tokens (migration 0009).
  service_tier: "text",
  web_search_requests: "bigint",
  // Modality tokens priced apart from text (migration 0013).
  audio_input_tokens: "bigint",
  audio_output_tokens: "bigint",
  image_output_tokens: "bigint",
  // The list price before a negotiated discount (migration 0014).
  list_cost_usd: "numeric(20,12)",
  // Cached audio priced apart from cached text (migration 0016).
  cache_read_audio_tokens: "bigint",
};

describeEachEngine("migrations", (context) => {
  const tables = async () =>
    (
      await context
        .database()
        .query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
          [context.schema],
        )
    ).map((row) => row.table_name);

  it("goes up, down and up again, reporting each step", async () => {
    const database = context.database();
    const latest = (await loadMigrations()).length;

    const first = await migrateUp(database, { schema: context.schema });
    expect(first.steps.map((step) => step.version)).toEqual(
      Array.from({ length: latest }, (_, index) => index + 1),
    );
    expect(first.current).toBe(latest);
    expect(await tables()).toContain("llm_cost_events");

    const again = await migrateUp(database, { schema: context.schema });
    expect(again.steps).toEqual([]);

    const down = await migrateDown(database, { schema: context.schema, to: 0 });
    expect(down.steps.map((step) => step.version)).toEqual(first.steps.map((step) => step.version).reverse());
    expect(down.current).toBe(0);
    expect(await tables()).toEqual(["llm_ledger_migrations"]);

    const up = await migrateUp(database, { schema: context.schema });
    expect(up.steps).toHaveLength(latest);
    const status = await migrationStatus(database, { schema: context.schema });
    expect(status.current).toBe(latest);
    expect(
      status.migrations.every((migration) => migration.applied && migration.appliedAt instanceof Date),
    ).toBe(true);
  });

  it("creates every column of llm_cost_events with its type", async () => {
    await migrateUp(context.database(), { schema: context.schema });
    const rows = await context.database().query<{
      column_name: string;
      data_type: string;
      numeric_precision: number | null;
      numeric_scale: number | null;
    }>(
      `SELECT column_name, data_type, numeric_precision, numeric_scale
         FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'llm_cost_events'`,
      [context.schema],
    );
    const actual = Object.fromEntries(
      rows.map((row) => [
        row.column_name,
        row.data_type === "numeric"
          ? `numeric(${row.numeric_precision},${row.numeric_scale})`
          : row.data_type,
      ]),
    );
    expect(actual).toEqual(expectedColumns);
  });

  it("keeps a one-token call of a cheap model and a large cost exactly", async () => {
    await migrateUp(context.database(), { schema: context.schema });
    const table = `"${context.schema}".llm_cost_events`;
    await context.database().query(
      `INSERT INTO ${table} (event_id, repo, task_type, model, provider, sdk, output_tokens, estimated_cost_usd)
       VALUES (gen_random_uuid(), 'r', 't', 'm', 'p', 'ai', 1, $1), (gen_random_uuid(), 'r', 't', 'm', 'p', 'ai', 1, $2)`,
      ["0.0000001", "12345678.123456789012"],
    );
    const rows = await context
      .database()
      .query<{ cost: string }>(`SELECT estimated_cost_usd::text AS cost FROM ${table} ORDER BY id`);
    expect(rows.map((row) => row.cost)).toEqual(["0.000000100000", "12345678.123456789012"]);
  });

  it("rejects negative tokens and costs, and a second claim of an event id within its project", async () => {
    await migrateUp(context.database(), { schema: context.schema });
    const table = `"${context.schema}".llm_cost_events`;
    const insert = (tokens: number, cost: string, eventId: string) =>
      context.database().query(
        `INSERT INTO ${table} (event_id, repo, task_type, model, provider, sdk, input_tokens, estimated_cost_usd)
         VALUES ($1, 'r', 't', 'm', 'p', 'ai', $2, $3)`,
        [eventId, tokens, cost],
      );
    await expect(insert(-1, "0", "00000000-0000-4000-8000-000000000001")).rejects.toThrow(/check constraint/);
    await expect(insert(1, "-0.1", "00000000-0000-4000-8000-000000000002")).rejects.toThrow(
      /check constraint/,
    );
    const claim = (project: string) =>
      context.database().query(
        `INSERT INTO "${context.schema}".llm_cost_event_ids (project, event_id, created_at)
         VALUES ($1, '00000000-0000-4000-8000-000000000003', now())`,
        [project],
      );
    await claim("default");
    await expect(claim("default")).rejects.toThrow(/unique|duplicate/i);
    // An id is unique within its project: another team's event may carry the same one.
    await claim("alpha");
  });

  it("keeps no triggers on any table: the writer keeps the rollups (what Citus supports)", async () => {
    await migrateUp(context.database(), { schema: context.schema });
    const triggers = await context.database().query(
      `SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND NOT t.tgisinternal`,
      [context.schema],
    );
    expect(triggers).toEqual([]);
  });

  it("refuses a database made by the development migrations squashed before the first release, saying what to do", async () => {
    const schema = uniqueSchema();
    const database = context.database();
    try {
      await migrationStatus(database, { schema });
      await database.query(
        `INSERT INTO "${schema}".llm_ledger_migrations (version, name, checksum)
         VALUES (1, 'cost-events', '0207cbe6f5c269a454e7efb6c320c4c734c9473c9d2c242af28221ed7d2f5dbc'),
                (2, 'hourly-rollups', 'x')`,
      );
      const error = await migrateUp(database, { schema }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        code: "E_MIGRATION_RETIRED",
        message: expect.stringMatching(/development version.*Recreate it.*llm-ledger export/s) as unknown,
      });
      // Only the first migration applied (an early database) is recognised too.
      await database.query(`DELETE FROM "${schema}".llm_ledger_migrations WHERE version = 2`);
      await expect(migrateUp(database, { schema })).rejects.toMatchObject({ code: "E_MIGRATION_RETIRED" });
      // So is a squashed schema from before the key columns took the "C" collation.
      const current = await loadMigrations();
      await database.query(`DELETE FROM "${schema}".llm_ledger_migrations`);
      await database.query(
        `INSERT INTO "${schema}".llm_ledger_migrations (version, name, checksum)
         VALUES (1, 'cost-events', $1), (2, 'api-keys', $2),
                (3, 'rollups', 'eda818c09bd5002b566175fae00ffb67c1ec9063fddf9403da5bac2f3faf3a2c')`,
        [current[0]!.checksum, current[1]!.checksum],
      );
      await expect(migrateUp(database, { schema })).rejects.toMatchObject({ code: "E_MIGRATION_RETIRED" });
    } finally {
      await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it("refuses to go on when an applied migration file changed, naming the file", async () => {
    const schema = context.schema;
    await migrateUp(context.database(), { schema });
    const edited = (await loadMigrations()).map((migration, index) =>
      index === 0 ? { ...migration, checksum: "edited" } : migration,
    );
    await expect(migrateUp(context.database(), { schema, migrations: edited })).rejects.toMatchObject({
      code: "E_MIGRATION_CHECKSUM",
      message: expect.stringContaining("0001-cost-events.sql") as unknown,
    });
  });

  it("rejects a target outside the known versions", async () => {
    await expect(migrateUp(context.database(), { schema: context.schema, to: 99 })).rejects.toMatchObject({
      code: "E_MIGRATION_TARGET",
    });
  });

  it("rolls back a failing migration as a whole and reports what had completed", async () => {
    const schema = uniqueSchema();
    const good = (await loadMigrations())[0]!;
    const broken = {
      ...good,
      version: 2,
      name: "broken",
      upFile: "0002-broken.sql",
      up: "CREATE TABLE half_done (id int); SELECT no_such_function();",
      checksum: "x",
    };
    const error = await migrateUp(context.database(), { schema, migrations: [good, broken] }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      message: expect.stringContaining("0002-broken.sql") as unknown,
      completed: [{ version: 1 }],
    });
    const halfDone = await context
      .database()
      .query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'half_done'`, [
        schema,
      ]);
    expect(halfDone).toEqual([]);
    await context.database().exec(`DROP SCHEMA "${schema}" CASCADE`);
  });
});

describe("migration files", () => {
  const temporary: string[] = [];
  afterAll(async () => {
    for (const directory of temporary) await rm(directory, { recursive: true, force: true });
  });

  it("pairs every up file with its down file", async () => {
    const migrations = await loadMigrations();
    expect(migrations[0]).toMatchObject({
      version: 1,
      name: "cost-events",
      downFile: "0001-cost-events.down.sql",
    });
    for (const migration of migrations) expect(migration.down.trim()).not.toBe("");
  });

  it("names a missing down file", async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-migrations-"));
    temporary.push(directory);
    await cp(
      path.join(defaultMigrationsDirectory, "0001-cost-events.sql"),
      path.join(directory, "0001-cost-events.sql"),
    );
    await expect(loadMigrations(directory)).rejects.toThrow("0001-cost-events.down.sql is missing");
  });

  it("rejects a misnamed file and a gap in versions", async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-migrations-"));
    temporary.push(directory);
    await writeFile(path.join(directory, "1-x.sql"), "");
    await expect(loadMigrations(directory)).rejects.toThrow("1-x.sql is not named NNNN-name.sql");
    await rm(path.join(directory, "1-x.sql"));
    await writeFile(path.join(directory, "0002-x.sql"), "");
    await writeFile(path.join(directory, "0002-x.down.sql"), "");
    await expect(loadMigrations(directory)).rejects.toThrow("found 2 where 1 was expected");
  });
});

describeServer("concurrent migrators", () => {
  it("two processes migrating one schema at once apply each migration exactly once and both succeed", async () => {
    const schema = uniqueSchema("conc");
    const runChild = () =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/migrate-child.ts", schema], {
          env: { ...process.env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.on("close", (code) => resolve({ code, output }));
      });
    try {
      const results = await Promise.all([runChild(), runChild()]);
      for (const result of results) expect(result.code, result.output).toBe(0);
      const applied = results.flatMap(
        (result) => (JSON.parse(result.output) as { steps: { version: number }[] }).steps,
      );
      const latest = (await loadMigrations()).length;
      expect(applied.map((step) => step.version).sort((a, b) => a - b)).toEqual(
        Array.from({ length: latest }, (_, index) => index + 1),
      );
      const { rows } = await sharedServerPool().query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".llm_ledger_migrations`,
      );
      expect(rows[0]?.n).toBe(latest);
    } finally {
      await sharedServerPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
