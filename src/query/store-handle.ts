import type { Database } from "../store/database.js";

/**
 * What the query functions need of a store: its database and the schema its tables live in. The
 * `TelemetryStore` satisfies it, and so does anything else that holds a migrated schema.
 */
export interface QueryStore {
  readonly database: Database;
  readonly schema: string;
}
