import { LedgerError } from "../errors.js";
import type { LlmCostRecord, NewLlmCostRecord } from "./cost-record.js";
import { toCostRecord } from "./cost-record-rows.js";
import type { Database } from "./database.js";
import type { LedgerLogger } from "../logger.js";
import { migrateUp } from "./migrator.js";
import {
  connectionLimit,
  openDatabase,
  type PgliteLike,
  type PgliteThread,
  type PgPoolLike,
  type PostgresJsSqlLike,
} from "./engines/index.js";
import { purgeEvents, type PurgeOptions } from "./purge-events.js";
import { eventsByIdSql } from "./ledger/stored-events.js";
import { createCostWriter, recordCosts, type RecordCostsResult } from "./record-costs.js";
import { quoteSchema } from "./schema-name.js";

/**
 * Options of `createTelemetryStore`: at most one of `databaseUrl`, `pool`, `sql`, `pglite` and
 * `database`.
 */
export interface TelemetryStoreOptions {
  /** `postgres://…`, `pglite:<dir>` or `memory:`; default `pglite:<home>/db`. */
  databaseUrl?: string | undefined;
  /** A node-postgres (`pg`) Pool the caller owns: `close()` leaves it open. */
  pool?: PgPoolLike | undefined;
  /**
   * A postgres.js client the caller owns (the original design's form): `close()` leaves it open. Its
   * driver is the caller's choice: postgres.js 3.4.x can end the process when a connection drops with
   * a write buffered, which node-postgres (`databaseUrl`, `pool`) does not.
   */
  sql?: PostgresJsSqlLike | undefined;
  /** A PGlite instance the caller owns: `close()` leaves it open. */
  pglite?: PgliteLike | undefined;
  /** An already opened llm-ledger `Database` the caller owns: `close()` leaves it open. */
  database?: Database | undefined;
  /**
   * A read replica of the same database (`postgres://…`): the query functions (`queryCosts`,
   * `listEvents`, `getEvent`, `reconcileCosts`) read there, writes, migrations, purges and reprices go
   * to the primary. Figures then trail the primary by the replication lag. `docs/scaling.md`.
   */
  readDatabaseUrl?: string | undefined;
  /** The schema holding the tables; default `public`. */
  schema?: string | undefined;
  logger?: LedgerLogger | undefined;
  /**
   * Where PGlite opened from `databaseUrl` runs: `"worker"` (default: a worker thread, so its WASM
   * never holds the application's event loop) or `"caller"` (this thread, with short batches).
   */
  pgliteThread?: PgliteThread | undefined;
  /** Migrate the schema to the latest version first (default true). */
  migrate?: boolean | undefined;
  /** Base for relative `pglite:` paths; default the current directory. */
  cwd?: string | undefined;
  /** The llm-ledger home (the CLI passes `LLM_LEDGER_HOME`); default `<cwd>/.llm-ledger`. */
  home?: string | undefined;
}

/** The ledger's storage: writes priced events, reads them back, purges old ones. */
export interface TelemetryStore {
  /** The database the store writes to (queries run their SQL over it). */
  readonly database: Database;
  /** The schema holding `llm_cost_events`. */
  readonly schema: string;
  /** The read replica the query functions read, when `readDatabaseUrl` was given. */
  readonly readDatabase?: Database | undefined;
  /**
   * The largest batch the tracker should hand to `recordLlmCosts`. On PGlite it keeps one statement
   * short: on the caller's thread not to stall the event loop, in the worker thread not to hold
   * other statements (a dashboard's queries) back for long.
   */
  readonly maxBatchSize: number;
  /**
   * The batch the store writes fastest, the tracker's default: 2,000 on a Postgres server (with two
   * writes in flight larger batches fill the pipeline later; `docs/tracker.md` has the measurement),
   * 1,000 on PGlite in its worker thread, 250 on its caller's.
   */
  readonly preferredBatchSize: number;
  /**
   * How many `recordLlmCosts` calls the tracker may have in flight at once: 2 on a Postgres server
   * whose pool has at least two connections (one batch is copied and inserted by one backend while
   * the next is priced, encoded and sent on another) and on PGlite in its worker thread, 1 on PGlite
   * in the caller's thread (a second write would only wait for the first). Writes are idempotent by
   * `eventId`, so the order in which concurrent batches commit does not matter.
   */
  readonly maxConcurrentWrites: number;
  /** Writes one event; an `eventId` already stored is skipped (`duplicates: 1`). */
  recordLlmCost(record: NewLlmCostRecord): Promise<RecordCostsResult>;
  /** Writes many events in one transaction, skipping `eventId`s already stored. */
  recordLlmCosts(records: readonly NewLlmCostRecord[]): Promise<RecordCostsResult>;
  /** Reads the stored events with these ids (in no particular order). */
  getLlmCosts(eventIds: readonly string[]): Promise<LlmCostRecord[]>;
  /**
   * Deletes events created more than `days` whole days ago (`0`: every event created before now) in
   * short batches, and returns how many. A negative, fractional or non-number `days` throws
   * `E_PURGE_DAYS`. The rollups stay unless `includeRollups` is set.
   */
  purgeOlderThan(days: number, options?: PurgeOptions): Promise<number>;
  /** Closes what the store opened (never a client the caller handed in). Safe to call twice. */
  close(): Promise<void>;
}

/** Rows per statement on PGlite in this thread: short enough that a batch barely stalls the caller. */
const callerThreadBatchSize = 250;
/**
 * Rows per statement on PGlite in its worker thread: larger batches insert faster and add to fewer
 * rollup rows per event, but a statement holds back other queries (a dashboard's) while it runs.
 */
const pgliteWorkerBatchSize = 1_000;
const serverBatchSize = 5_000;
const serverPreferredBatchSize = 2_000;

function batchSizeFor(database: Database): number {
  if (database.onCallerThread) return callerThreadBatchSize;
  return database.engine === "pglite" ? pgliteWorkerBatchSize : serverBatchSize;
}

/** The batch the tracker writes by default: the most a statement may hold, but 2,000 on a server. */
function preferredBatchSizeFor(database: Database): number {
  return database.engine === "postgres" ? serverPreferredBatchSize : batchSizeFor(database);
}

/**
 * Writes in flight at once: 2 where the next batch can be priced and sent while one is written (a
 * server pool with two connections, or PGlite in its worker thread, which queues the second behind
 * the first), 1 where a second would only wait (PGlite on this thread, a single connection).
 */
function concurrentWritesFor(database: Database): number {
  if (database.onCallerThread) return 1;
  if (database.engine === "pglite") return 2;
  return connectionLimit(database) >= 2 ? 2 : 1;
}

/**
 * Opens (and by default migrates) the ledger store.
 *
 * @example
 * const store = await createTelemetryStore({ databaseUrl: "postgres://localhost/ledger" });
 * await store.recordLlmCosts(records);
 * await store.close();
 */
export async function createTelemetryStore(options: TelemetryStoreOptions = {}): Promise<TelemetryStore> {
  const schema = options.schema ?? "public";
  quoteSchema(schema);
  const given = [options.databaseUrl, options.pool, options.sql, options.pglite, options.database].filter(
    (value) => value !== undefined,
  );
  if (given.length > 1) {
    throw new LedgerError("E_OPTIONS", "pass only one of databaseUrl, pool, sql, pglite and database");
  }
  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: options.databaseUrl,
      pool: options.pool,
      sql: options.sql,
      pglite: options.pglite,
      cwd: options.cwd,
      home: options.home,
      pgliteThread: options.pgliteThread,
    }));
  // A database handed in stays open: only what openDatabase opened (and owns) is closed.
  const closeDatabase = options.database ? async () => {} : () => database.close();
  if (options.migrate !== false) {
    try {
      const report = await migrateUp(database, { schema });
      if (report.steps.length > 0) {
        const log = options.logger?.info?.bind(options.logger);
        log?.({ schema, steps: report.steps, current: report.current }, "llm-ledger: migrated the store");
      }
    } catch (error) {
      await closeDatabase();
      throw error;
    }
  }
  let readDatabase: Database | undefined;
  if (options.readDatabaseUrl !== undefined) {
    readDatabase = await openReplica(options.readDatabaseUrl).catch(async (error: unknown) => {
      await closeDatabase();
      throw error;
    });
  }
  const writer = createCostWriter(database, schema);
  const byId = eventsByIdSql(schema);
  let closed: Promise<void> | undefined;
  return {
    database,
    schema,
    readDatabase,
    maxBatchSize: batchSizeFor(database),
    preferredBatchSize: preferredBatchSizeFor(database),
    maxConcurrentWrites: concurrentWritesFor(database),
    recordLlmCost: (record) => recordCosts(writer, [record]),
    recordLlmCosts: (records) => recordCosts(writer, records),
    async getLlmCosts(eventIds) {
      const rows = await database.query(byId, [eventIds]);
      return rows.map(toCostRecord);
    },
    purgeOlderThan: (days, purgeOptions) => purgeEvents(database, schema, days, purgeOptions),
    close() {
      closed ??= Promise.all([closeDatabase(), readDatabase?.close()]).then(() => undefined);
      return closed;
    },
  };
}

/** Opens the read replica: a Postgres server only (a PGlite directory admits one process). */
async function openReplica(url: string): Promise<Database> {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new LedgerError("E_OPTIONS", "readDatabaseUrl must be a postgres:// URL of a read replica");
  }
  return openDatabase({ databaseUrl: url });
}
