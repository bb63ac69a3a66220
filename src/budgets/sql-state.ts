/**
 * Whether Postgres refused a statement with this SQLSTATE (`23505` unique, `23503` foreign key),
 * looking through the causes the engines wrap errors in.
 */
export function hasSqlState(error: unknown, state: string): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if ((current as { code?: unknown }).code === state) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
