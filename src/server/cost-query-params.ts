import { LedgerError } from "../errors.js";
import {
  dimensionNames,
  splitFilterValues,
  type CostFilters,
  type Dimension,
  type QueryCostsOptions,
} from "../query/index.js";

const optionParams = ["from", "to", "groupBy", "grain", "timeZone", "orderBy", "limit"];
const flagParams = ["usedFallback", "priced", "error"];
const pagingParams = ["cursor"];

/**
 * Reads `queryCosts` options from query parameters: `from`, `to`, `groupBy=model,repo`, `grain`,
 * `timeZone`, `orderBy=costUsd:desc`, `limit`; filters as one parameter per dimension with
 * comma-separated values (`repo=a,b`, `metadata.team=x`; a comma inside a value is `\,`, a backslash
 * `\\`, as `splitFilterValues` reads them; a repeated parameter adds values), and
 * `usedFallback|priced|error=true|false`.
 * The query module validates the values; this says which parameters exist.
 */
export function costQueryFromParams(
  params: URLSearchParams,
  extra: readonly string[] = [],
): QueryCostsOptions {
  const options: QueryCostsOptions & Record<string, unknown> = {};
  const filters: Record<string, unknown> = {};
  for (const name of new Set(params.keys())) {
    const value = params.getAll(name).join(",");
    if (name === "groupBy") options.groupBy = splitList(value) as Dimension[];
    else if (name === "orderBy") options.orderBy = splitList(value);
    else if (name === "limit") options.limit = parseWholeNumber(name, value);
    else if (name === "grain") options.grain = value as QueryCostsOptions["grain"];
    else if (name === "from" || name === "to" || name === "timeZone") options[name] = value;
    else if (flagParams.includes(name)) filters[name] = parseBoolean(name, value);
    else if ((dimensionNames as readonly string[]).includes(name) || name.startsWith("metadata.")) {
      filters[name] = params.getAll(name).flatMap((text) => splitFilterValues(name, text));
    } else if (!extra.includes(name) && !pagingParams.includes(name)) {
      throw new LedgerError(
        "E_QUERY_PARAM",
        `unknown query parameter '${name}'; accepted: ${[...optionParams, ...extra, ...dimensionNames, "metadata.<key>", ...flagParams].join(", ")}`,
      );
    }
  }
  if (Object.keys(filters).length > 0) options.filters = filters as CostFilters;
  return options;
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function parseBoolean(name: string, value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw new LedgerError("E_QUERY_PARAM", `${name} must be true or false, got '${value}'`);
}

export function parseWholeNumber(name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value))
    throw new LedgerError("E_QUERY_PARAM", `${name} must be a whole number, got '${value}'`);
  return Number(value);
}
