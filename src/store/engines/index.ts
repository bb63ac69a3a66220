// The engines the store runs on, each behind the one `Database` interface (`../database.ts`): PGlite
// (embedded, in a worker thread or on the caller's), a Postgres server through node-postgres or a
// caller's postgres.js client, and `openDatabase`, which picks one from a URL. The directory lock
// that keeps a PGlite directory to one process lives here too: only PGlite needs it.
export { openDatabase } from "./open-database.js";
export type { OpenDatabaseOptions } from "./open-database.js";
export { defaultDatabaseUrl, parseDatabaseUrl, redactUrl } from "./database-url.js";
export type { DatabaseLocation } from "./database-url.js";
export { openPglite, pgliteDatabase } from "./pglite-database.js";
export type { PgliteLike, PgliteThread } from "./pglite-database.js";
export { connectionLimit, openPostgres, pgPoolDatabase } from "./postgres-database.js";
export type { PgPoolLike, PostgresDatabase } from "./postgres-database.js";
export type { PostgresJsSqlLike } from "./postgres-js-database.js";
export { lockDirectory } from "./directory-lock.js";
export type { DirectoryLock, DirectoryLockTimings } from "./directory-lock.js";
