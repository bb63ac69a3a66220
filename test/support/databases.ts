// One test definition, every engine: PGlite always, the Postgres server whenever TEST_DATABASE_URL is
// set. Each suite gets a schema of its own, dropped afterwards, so suites never see each other's rows.
// Engines are shared within a test process: an in-memory PGlite takes seconds to start.
import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { Database } from "../../src/store/database.js";
import { pgliteDatabase, pgPoolDatabase } from "../../src/store/engines/index.js";

export type EngineName = "pglite" | "postgres";

export const serverUrl = process.env.TEST_DATABASE_URL;
const inCi = process.env.CI === "true";

let sharedPglite: Promise<PGlite> | undefined;
let sharedPool: pg.Pool | undefined;
let sharedSql: Sql | undefined;

/** The process-wide in-memory PGlite (the caller must not close it). */
export function sharedPgliteInstance(): Promise<PGlite> {
  sharedPglite ??= PGlite.create();
  return sharedPglite;
}

/** The process-wide node-postgres pool for TEST_DATABASE_URL (the caller must not close it). */
export function sharedServerPool(): pg.Pool {
  if (!serverUrl) throw new Error("TEST_DATABASE_URL is not set");
  if (!sharedPool) {
    sharedPool = new pg.Pool({ connectionString: serverUrl, max: 4, allowExitOnIdle: true });
    sharedPool.on("error", () => {});
  }
  return sharedPool;
}

/**
 * A process-wide postgres.js client for TEST_DATABASE_URL, for the tests of the `{ sql }` option (the
 * caller must not close it).
 */
export function sharedServerSql(): Sql {
  if (!serverUrl) throw new Error("TEST_DATABASE_URL is not set");
  sharedSql ??= postgres(serverUrl, { max: 4, onnotice: () => {} });
  return sharedSql;
}

/** A database on the named engine that the test may use but not close. */
export async function engineDatabase(engine: EngineName): Promise<Database> {
  if (engine === "pglite") {
    return pgliteDatabase(await sharedPgliteInstance(), {
      owned: false,
      description: "memory: (shared test instance)",
    });
  }
  return pgPoolDatabase(sharedServerPool(), { owned: false, description: "test server" });
}

/** A fresh schema name, unique across processes and runs. */
export function uniqueSchema(prefix = "t"): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

export interface EngineContext {
  engine: EngineName;
  /** The engine's database, valid inside tests and hooks. */
  database(): Database;
  /** This suite's own schema (created by whatever migrates it, dropped after the suite). */
  schema: string;
}

/**
 * Defines `body` once per engine. Without TEST_DATABASE_URL the server suite is reported as skipped,
 * with the reason in its name; in CI (CI=true) that is a failure, since .ci/run guarantees the server.
 */
export function describeEachEngine(title: string, body: (context: EngineContext) => void): void {
  for (const engine of ["pglite", "postgres"] as const) {
    if (engine === "postgres" && !serverUrl) {
      if (inCi) {
        describe(`${title} [postgres]`, () => {
          it("needs the Postgres server", () => {
            throw new Error(
              "TEST_DATABASE_URL is not set, but CI=true: .ci/run should have started the server",
            );
          });
        });
      } else {
        describe.skip(`${title} [postgres: skipped, TEST_DATABASE_URL not set]`, () => {
          it("runs against the Postgres server", () => {});
        });
      }
      continue;
    }
    describe(`${title} [${engine}]`, () => {
      let database: Database | undefined;
      const context: EngineContext = {
        engine,
        schema: uniqueSchema(),
        database() {
          if (!database) throw new Error("database used outside a test or hook");
          return database;
        },
      };
      beforeAll(async () => {
        database = await engineDatabase(engine);
      });
      afterAll(async () => {
        await database?.exec(`DROP SCHEMA IF EXISTS "${context.schema}" CASCADE`);
      });
      body(context);
    });
  }
}

/** Runs `body` only when the Postgres server is available (skipped with a reason otherwise; failing in CI). */
export function describeServer(title: string, body: () => void): void {
  if (serverUrl) describe(`${title} [postgres]`, body);
  else if (inCi) {
    describe(`${title} [postgres]`, () => {
      it("needs the Postgres server", () => {
        throw new Error("TEST_DATABASE_URL is not set, but CI=true: .ci/run should have started the server");
      });
    });
  } else {
    describe.skip(`${title} [postgres: skipped, TEST_DATABASE_URL not set]`, () => {
      it("runs against the Postgres server", () => {});
    });
  }
}
