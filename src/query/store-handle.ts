import type { Database } from "../store/database.js";

/**
 * What the query functions need of a store: its database and the schema its tables live in. The
 * `TelemetryStore` satisfies it, and so does anything else that holds a migrated schema.
 */
export interface QueryStore {
  readonly database: Database;
  readonly schema: string;
  /**
   * Where reads go instead of `database`, when set: a read replica (`createTelemetryStore`'s
   * `readDatabaseUrl`). Reports, event lists and reconciliations read there; reprice writes to
   * `database`.
   */
  readonly readDatabase?: Database | undefined;
}

/** The database a query reads: the store's replica when it has one, else its database. */
export function readerOf(store: QueryStore): Database {
  return store.readDatabase ?? store.database;
}
