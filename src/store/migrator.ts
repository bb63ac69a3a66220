import { LedgerError } from "../errors.js";
import type { Database, Queryable } from "./database.js";
import { loadMigrations, type Migration } from "./migration-files.js";
import { advisoryLockKey } from "./advisory-lock.js";
import { quoteSchema } from "./schema-name.js";

export interface MigrationOptions {
  /** Schema holding the tables and the migrations table; default `public`. */
  schema?: string | undefined;
  /** Migrations to use instead of the package's own `migrations/` folder (tests). */
  migrations?: readonly Migration[] | undefined;
}

export interface MigrationStep {
  version: number;
  name: string;
}

/** What a migration run did: the steps it applied (up) or reverted (down), and where it left the schema. */
export interface MigrationReport {
  direction: "up" | "down";
  steps: MigrationStep[];
  /** Version in force afterwards (0 = nothing applied). */
  current: number;
  /** Highest version this package knows. */
  latest: number;
}

export interface MigrationStatus {
  current: number;
  latest: number;
  migrations: Array<MigrationStep & { applied: boolean; appliedAt: Date | null }>;
}

/** A failed run: which steps had already completed (each committed) before `cause` stopped it. */
export class MigrationError extends LedgerError {
  readonly completed: MigrationStep[];

  constructor(message: string, completed: MigrationStep[], cause: unknown) {
    super(isCodeError(cause) ? cause.code : "E_MIGRATION", message, { cause });
    this.name = "MigrationError";
    this.completed = completed;
  }
}

const migrationsTable = "llm_ledger_migrations";

/**
 * Applies pending migrations, all of them or up to version `to`. Each runs in its own transaction under
 * a transaction-scoped advisory lock, and is skipped if another process applied it meanwhile, so
 * processes migrating one database at once apply each migration exactly once and all succeed.
 */
export async function migrateUp(
  database: Database,
  options: MigrationOptions & { to?: number | undefined } = {},
): Promise<MigrationReport> {
  const { schema, migrations } = await prepare(database, options);
  const latest = migrations.at(-1)?.version ?? 0;
  const target = checkTarget(options.to ?? latest, latest);
  const steps: MigrationStep[] = [];
  const applied = await verifyApplied(database, schema, migrations);
  for (const migration of migrations) {
    if (migration.version > target || applied.has(migration.version)) continue;
    try {
      const ran = await database.transaction(async (transaction) => {
        await lock(transaction, schema);
        const current = await appliedVersions(transaction, schema);
        if (current.has(migration.version)) return false;
        await transaction.exec(`SET LOCAL search_path TO ${quoteSchema(schema)};\n${migration.up}`);
        await transaction.query(
          `INSERT INTO ${quoteSchema(schema)}.${migrationsTable} (version, name, checksum) VALUES ($1, $2, $3)`,
          [migration.version, migration.name, migration.checksum],
        );
        return true;
      });
      if (ran) steps.push({ version: migration.version, name: migration.name });
    } catch (error) {
      throw new MigrationError(
        `migration ${migration.upFile} failed: ${(error as Error).message}`,
        steps,
        error,
      );
    }
  }
  return {
    direction: "up",
    steps,
    current: Math.max(0, ...(await appliedVersions(database, schema))),
    latest,
  };
}

/** Reverts applied migrations: one step by default, or every one above version `to` (0 reverts all). */
export async function migrateDown(
  database: Database,
  options: MigrationOptions & { to?: number | undefined } = {},
): Promise<MigrationReport> {
  const { schema, migrations } = await prepare(database, options);
  const latest = migrations.at(-1)?.version ?? 0;
  const applied = await verifyApplied(database, schema, migrations);
  const current = Math.max(0, ...applied.keys());
  const target = options.to === undefined ? Math.max(0, current - 1) : checkTarget(options.to, latest);
  const steps: MigrationStep[] = [];
  for (const migration of [...migrations].reverse()) {
    if (migration.version <= target || !applied.has(migration.version)) continue;
    try {
      const ran = await database.transaction(async (transaction) => {
        await lock(transaction, schema);
        const now = await appliedVersions(transaction, schema);
        if (!now.has(migration.version)) return false;
        await transaction.exec(`SET LOCAL search_path TO ${quoteSchema(schema)};\n${migration.down}`);
        await transaction.query(`DELETE FROM ${quoteSchema(schema)}.${migrationsTable} WHERE version = $1`, [
          migration.version,
        ]);
        return true;
      });
      if (ran) steps.push({ version: migration.version, name: migration.name });
    } catch (error) {
      throw new MigrationError(
        `migration ${migration.downFile} failed: ${(error as Error).message}`,
        steps,
        error,
      );
    }
  }
  return {
    direction: "down",
    steps,
    current: Math.max(0, ...(await appliedVersions(database, schema))),
    latest,
  };
}

/** Which migrations are applied, without changing anything (the migrations table is created if missing). */
export async function migrationStatus(
  database: Database,
  options: MigrationOptions = {},
): Promise<MigrationStatus> {
  const { schema, migrations } = await prepare(database, options);
  const rows = await database.query<{ version: number; applied_at: Date }>(
    `SELECT version, applied_at FROM ${quoteSchema(schema)}.${migrationsTable}`,
  );
  const appliedAt = new Map(rows.map((row) => [Number(row.version), row.applied_at]));
  return {
    current: Math.max(0, ...appliedAt.keys()),
    latest: migrations.at(-1)?.version ?? 0,
    migrations: migrations.map((migration) => ({
      version: migration.version,
      name: migration.name,
      applied: appliedAt.has(migration.version),
      appliedAt: appliedAt.get(migration.version) ?? null,
    })),
  };
}

async function prepare(database: Database, options: MigrationOptions) {
  const schema = options.schema ?? "public";
  const quoted = quoteSchema(schema);
  const migrations = options.migrations ?? (await loadMigrations());
  await database.transaction(async (transaction) => {
    await lock(transaction, schema);
    const exists = await transaction.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
    if (exists.length === 0) await transaction.exec(`CREATE SCHEMA ${quoted}`);
    await transaction.exec(
      `CREATE TABLE IF NOT EXISTS ${quoted}.${migrationsTable} (
        version    INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        checksum   TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`,
    );
  });
  return { schema, migrations };
}

/** Refuses to go on when an applied migration's file changed, or the database is newer than this package. */
async function verifyApplied(database: Queryable, schema: string, migrations: readonly Migration[]) {
  const rows = await database.query<{ version: number; checksum: string; name: string }>(
    `SELECT version, checksum, name FROM ${quoteSchema(schema)}.${migrationsTable} ORDER BY version`,
  );
  const retired = rows.find((row) => isRetired(Number(row.version), row.checksum, row.name));
  if (retired) {
    throw new LedgerError(
      "E_MIGRATION_RETIRED",
      `this database's schema "${schema}" was made by a development version of llm-ledger whose migrations were ` +
        `replaced before the first release (it has migration ${retired.version} "${retired.name}" applied). ` +
        `Recreate it (delete the PGlite directory, or drop the schema on a server) and let llm-ledger migrate ` +
        `it afresh; to keep its events, export them first with the version that made it ` +
        `(\`llm-ledger export > events.jsonl\`) and \`llm-ledger import events.jsonl\` afterwards.`,
    );
  }
  const applied = new Map<number, string>();
  for (const row of rows) {
    const version = Number(row.version);
    const migration = migrations.find((candidate) => candidate.version === version);
    if (!migration) {
      throw new LedgerError(
        "E_MIGRATION_UNKNOWN",
        `the database has migration ${version} applied, which this version of llm-ledger does not know; upgrade llm-ledger`,
      );
    }
    if (migration.checksum !== row.checksum) {
      throw new LedgerError(
        "E_MIGRATION_CHECKSUM",
        `migration file ${migration.upFile} changed after it was applied (checksum differs); restore it, or write a new migration instead of editing an applied one`,
      );
    }
    applied.set(version, row.checksum);
  }
  return applied;
}

/**
 * The migrations of development versions, squashed into one migration per concept before the first
 * release: a database that has any of them applied cannot be upgraded in place.
 */
const retiredMigrations = new Map<number, string>([
  [2, "hourly-rollups"],
  [3, "api-keys"],
  [4, "summary-rollups"],
  [5, "cheaper-rollup-maintenance"],
  [6, "merge-custom-plans"],
  [7, "packed-rollup-deltas"],
  [8, "closed-day-rollups"],
]);
/**
 * Checksums of retired versions of today's migrations (same numbers and names): the 0001 of the eight
 * development migrations, and the 0001 and 0003 whose key columns used the database's collation
 * (before they took "C").
 */
const retiredChecksums = new Map<number, readonly string[]>([
  [
    1,
    [
      "0207cbe6f5c269a454e7efb6c320c4c734c9473c9d2c242af28221ed7d2f5dbc",
      "b21f95b59f8d81125659db7a23fd24e3a42b7d03a83a3f0b896abfbfb32fd8e4",
    ],
  ],
  [3, ["eda818c09bd5002b566175fae00ffb67c1ec9063fddf9403da5bac2f3faf3a2c"]],
]);

function isRetired(version: number, checksum: string, name: string): boolean {
  return retiredMigrations.get(version) === name || (retiredChecksums.get(version) ?? []).includes(checksum);
}

async function appliedVersions(database: Queryable, schema: string): Promise<Set<number>> {
  const rows = await database.query<{ version: number }>(
    `SELECT version FROM ${quoteSchema(schema)}.${migrationsTable}`,
  );
  return new Set(rows.map((row) => Number(row.version)));
}

/** A transaction-scoped advisory lock keyed by schema, so concurrent migrators take turns. */
async function lock(transaction: Queryable, schema: string): Promise<void> {
  await transaction.query(
    `SELECT pg_advisory_xact_lock($1::int, $2::int)`,
    advisoryLockKey("migrations", schema),
  );
}

function checkTarget(target: number, latest: number): number {
  if (!Number.isSafeInteger(target) || target < 0 || target > latest) {
    throw new LedgerError(
      "E_MIGRATION_TARGET",
      `migration target ${target} is not a version between 0 and ${latest}`,
    );
  }
  return target;
}

function isCodeError(error: unknown): error is LedgerError {
  return error instanceof LedgerError;
}
