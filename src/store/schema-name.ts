import { LedgerError } from "../errors.js";

const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Validates a Postgres schema name and returns it quoted for use in SQL. Schema names cannot be
 * bound as parameters, so only plain lower-case identifiers are accepted.
 */
export function quoteSchema(schema: string): string {
  if (!schemaPattern.test(schema)) {
    throw new LedgerError(
      "E_SCHEMA_NAME",
      `invalid schema name ${JSON.stringify(schema)}: use lower-case letters, digits and underscores, starting with a letter or underscore (at most 63 characters)`,
    );
  }
  return `"${schema}"`;
}
