import { Hono } from "hono";
import { LedgerError } from "../errors.js";
import { listMetadataKeys, type QueryStore } from "../query/index.js";
import type { Guards, LedgerApp } from "./app.js";
import { costQueryFromParams } from "./cost-query-params.js";
import { parseClientInput } from "./http-errors.js";
import { readFiltersOf } from "./project-scope.js";

/**
 * `GET /v1/metadata-keys?from=…[&to=…][&limit=50][&scanLimit=20000][&<filters>]` (scope read): the
 * metadata keys of the range's newest events with how many carry each, most frequent first
 * (`listMetadataKeys`): `{ keys: [{ key, events }], scanned, truncated }`. `from` is required, so the
 * read is bounded in time as well as in events. A key bound to a project reads that project's only.
 */
export function createMetadataKeyRoutes(store: QueryStore, guards: Guards): LedgerApp {
  const routes: LedgerApp = new Hono();
  routes.on("GET", "/", guards.read);
  routes.get("/", async (context) => {
    const params = new URL(context.req.url).searchParams;
    const options = parseClientInput(() => {
      const parsed = costQueryFromParams(params, ["scanLimit"]);
      const extra = Object.keys(parsed).filter((key) => !["from", "to", "filters", "limit"].includes(key));
      if (extra.length > 0 || params.has("cursor")) {
        throw new LedgerError(
          "E_QUERY_PARAM",
          `${[...extra, ...(params.has("cursor") ? ["cursor"] : [])].join(", ")} does not apply to /v1/metadata-keys; use from, to, limit, scanLimit and filters`,
        );
      }
      if (parsed.from === undefined) {
        throw new LedgerError("E_QUERY_RANGE", "from: required (the keys are read from a bounded range)");
      }
      const scanLimit = params.get("scanLimit");
      return {
        from: parsed.from,
        to: parsed.to,
        limit: parsed.limit,
        scanLimit: scanLimit === null ? undefined : wholeNumber(scanLimit),
        filters: readFiltersOf(context.get("principal"), parsed.filters),
      };
    });
    return context.json(await parseClientInput(() => listMetadataKeys(store, options)));
  });
  return routes;
}

/** `scanLimit`'s whole number; its range is the query's to check. */
function wholeNumber(text: string): number {
  if (!/^\d{1,9}$/.test(text)) {
    throw new LedgerError(
      "E_QUERY_PARAM",
      `scanLimit must be a whole number, got ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  return Number(text);
}
