import { LedgerError } from "../errors.js";
import { resolveDimension, type FixedDimension, type ResolvedDimension } from "./dimensions.js";
import type { SqlParameters } from "./sql-parameters.js";

/** Values to match for one dimension: one value or a list; `null` matches an absent value. */
export type DimensionValues = string | null | readonly (string | null)[];

/**
 * Filters of a query: lists of values of the dimensions (`metadata.<key>` included), and the flags
 * `usedFallback`, `priced` and `error` (true: only events with an error; false: only without).
 */
export type CostFilters = { [name in FixedDimension]?: DimensionValues } & {
  [name: `metadata.${string}`]: DimensionValues | undefined;
} & {
  usedFallback?: boolean | undefined;
  priced?: boolean | undefined;
  error?: boolean | undefined;
};

const flagNames = ["usedFallback", "priced", "error"] as const;
type FlagName = (typeof flagNames)[number];

/** Filters checked and resolved to SQL columns. */
export interface ResolvedFilters {
  dimensions: Array<{ dimension: ResolvedDimension; values: Array<string | null> }>;
  flags: Partial<Record<FlagName, boolean>>;
}

const maxValues = 10_000;

/** Checks `filters`, throwing `E_QUERY_FILTER` or `E_QUERY_DIMENSION` with what is accepted. */
export function checkFilters(filters: unknown): ResolvedFilters {
  const resolved: ResolvedFilters = { dimensions: [], flags: {} };
  if (filters === undefined) return resolved;
  if (typeof filters !== "object" || filters === null || Array.isArray(filters)) {
    throw new LedgerError("E_QUERY_FILTER", "filters: expected an object of dimension → values");
  }
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    if ((flagNames as readonly string[]).includes(name)) {
      if (typeof value !== "boolean") {
        throw new LedgerError(
          "E_QUERY_FILTER",
          `filters.${name}: expected true or false, got ${typeof value}`,
        );
      }
      resolved.flags[name as FlagName] = value;
      continue;
    }
    const dimension = resolveDimension(name, "filters");
    const values: unknown[] = Array.isArray(value) ? value : [value];
    // No project at all is a real question (a key asking only for projects it cannot see): it
    // matches nothing.
    const fewest = dimension.everyTable ? 0 : 1;
    if (values.length < fewest || values.length > maxValues) {
      throw new LedgerError(
        "E_QUERY_FILTER",
        `filters.${name}: expected ${fewest} to ${maxValues} values, got ${values.length}`,
      );
    }
    for (const item of values) {
      if (item !== null && typeof item !== "string") {
        throw new LedgerError(
          "E_QUERY_FILTER",
          `filters.${name}: values must be strings (or null for an absent value), got ${typeof item}`,
        );
      }
    }
    resolved.dimensions.push({ dimension, values: values as Array<string | null> });
  }
  return resolved;
}

/** True when every filter can be answered from the full rollups. */
export function filtersFitRollup(filters: ResolvedFilters): boolean {
  return filters.dimensions.every((filter) => filter.dimension.rollupSql !== null);
}

/** True when every filter can be answered from the summary rollups (no flag filters: they are counts there). */
export function filtersFitSummary(filters: ResolvedFilters): boolean {
  return (
    filters.dimensions.every((filter) => filter.dimension.inSummary) &&
    Object.values(filters.flags).every((flag) => flag === undefined)
  );
}

/**
 * Where a dimension is read: raw events, a rollup keyed by columns named after the dimensions, or the
 * one-dimension rollup (`llm_cost_rollup_by_dimension`), where every dimension is its `value` column.
 */
export type DimensionTarget = "raw" | "rollup" | "byDimension";

/** The SQL of a dimension over raw events or a rollup, with its metadata key bound. */
export function dimensionSql(
  dimension: ResolvedDimension,
  target: DimensionTarget,
  parameters: SqlParameters,
): string {
  if (target === "byDimension") return dimension.everyTable ? dimension.rawSql : "value";
  const sql = target === "raw" ? dimension.rawSql : dimension.rollupSql;
  if (sql === null) throw new Error(`dimension ${dimension.name} is not in the rollup`);
  if (dimension.metadataKey === undefined) return sql;
  const placeholder = parameters.add(dimension.metadataKey);
  return sql.replace("$key", () => placeholder);
}

/**
 * The projects a `project` filter names (none may be named: that matches nothing), or undefined
 * without one. Every rollup key leads with the project, so the rollup reads name these instead of the
 * projects with rows, and the filter needs no condition of its own there.
 */
export function projectFilterValues(filters: ResolvedFilters): string[] | undefined {
  const filter = filters.dimensions.find((entry) => entry.dimension.everyTable);
  return filter?.values.filter((value): value is string => value !== null);
}

/** The WHERE conditions for `filters` over raw events or the rollup. */
export function filterConditions(
  filters: ResolvedFilters,
  target: DimensionTarget,
  parameters: SqlParameters,
): string[] {
  const conditions: string[] = [];
  for (const { dimension, values } of filters.dimensions) {
    // The rollup reads name their projects already (cost-query-sql.ts narrows that list instead).
    if (dimension.everyTable && target !== "raw") continue;
    const column = dimensionSql(dimension, target, parameters);
    const present = values.filter((value): value is string => value !== null);
    const parts: string[] = [];
    if (present.length > 0 || values.length === 0)
      parts.push(`${column} = ANY(${parameters.add(present)}::text[])`);
    if (present.length < values.length) parts.push(`${column} IS NULL`);
    conditions.push(parts.length === 1 ? parts[0]! : `(${parts.join(" OR ")})`);
  }
  const { usedFallback, priced, error } = filters.flags;
  if (usedFallback !== undefined) conditions.push(`used_fallback = ${parameters.add(usedFallback)}::boolean`);
  if (priced !== undefined) conditions.push(`priced = ${parameters.add(priced)}::boolean`);
  if (error !== undefined) {
    const column = target === "raw" ? "(error IS NOT NULL)" : "errored";
    conditions.push(`${column} = ${parameters.add(error)}::boolean`);
  }
  return conditions;
}
