/** Collects the values of a parameterised statement and hands out their `$n` placeholders. */
export interface SqlParameters {
  readonly values: unknown[];
  /** Binds `value` and returns its placeholder. */
  add(value: unknown): string;
}

/** A fresh, empty list of parameters. */
export function createSqlParameters(): SqlParameters {
  const values: unknown[] = [];
  return {
    values,
    add(value) {
      values.push(value);
      return `$${values.length}`;
    },
  };
}
