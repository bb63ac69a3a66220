import { types } from "@electric-sql/pglite";

/**
 * PGlite parses BIGINT to a JS number, which loses precision above 2^53: keep it a decimal string,
 * as postgres.js does.
 */
export const pgliteQueryOptions = { parsers: { [types.INT8]: (value: string) => value } };

/** PGlite reads COPY input from the virtual file /dev/blob (the query's `blob` option). */
export function copyFromBlob(table: string, columns: readonly string[]): string {
  return `COPY ${table} (${columns.join(", ")}) FROM '/dev/blob'`;
}
