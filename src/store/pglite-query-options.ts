import { types } from "@electric-sql/pglite";

/**
 * PGlite parses BIGINT to a JS number, which loses precision above 2^53: keep it a decimal string,
 * as postgres.js does.
 */
export const pgliteQueryOptions = { parsers: { [types.INT8]: (value: string) => value } };
