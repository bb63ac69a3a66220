import { costReportCsv, getEvent, listEvents, queryCosts, type QueryStore } from "../query/index.js";
import { eventsCsvStream } from "./events-csv-stream.js";
import { LedgerError } from "../errors.js";
import type { LedgerApp, Guards } from "./app.js";
import { costQueryFromParams } from "./cost-query-params.js";
import { HttpError, parseClientInput } from "./http-errors.js";

/**
 * `GET /v1/costs` (scope read): `queryCosts` over query parameters; JSON, or CSV with `Accept: text/csv`.
 * `GET /v1/events` (scope read): `listEvents`, the events behind a figure, with a cursor; with
 * `Accept: text/csv`, every matching event (from `cursor` on, at most `limit` when given) as one CSV
 * file with the columns of `llm-ledger export`.
 * `GET /v1/events/{eventId}` (scope read): one event with every field (`getEvent`); 404 when none.
 */
/** Events per database read while a CSV download is streamed (listEvents' largest page). */
const csvPage = 1000;

export function mountCostRoutes(store: QueryStore) {
  return (app: LedgerApp, guards: Guards) => {
    app.get("/v1/costs", guards.read, async (context) => {
      const options = parseClientInput(() => costQueryFromParams(new URL(context.req.url).searchParams));
      const report = await parseClientInput(() => queryCosts(store, options));
      if ((context.req.header("accept") ?? "").includes("text/csv")) {
        return context.body(costReportCsv(report, options.groupBy ?? [], options.grain !== undefined), 200, {
          "content-type": "text/csv; charset=utf-8",
        });
      }
      return context.json(report);
    });

    // The individual events behind a figure, newest first, a page at a time (`nextCursor`).
    app.get("/v1/events", guards.read, async (context) => {
      const params = new URL(context.req.url).searchParams;
      const options = parseClientInput(() => {
        const parsed = costQueryFromParams(params);
        const extra = Object.keys(parsed).filter((key) => !["from", "to", "filters", "limit"].includes(key));
        if (extra.length > 0) {
          throw new LedgerError(
            "E_QUERY_PARAM",
            `${extra.join(", ")} does not apply to /v1/events; use from, to, limit, cursor and filters`,
          );
        }
        return { ...parsed, cursor: params.get("cursor") ?? undefined };
      });
      if ((context.req.header("accept") ?? "").includes("text/csv")) {
        // The first page is read before answering, so a bad cursor or filter is still a 400.
        const first = await parseClientInput(() =>
          listEvents(store, { ...options, limit: Math.min(options.limit ?? csvPage, csvPage) }),
        );
        return context.body(eventsCsvStream(store, options, first), 200, {
          "content-type": "text/csv; charset=utf-8",
        });
      }
      return context.json(await parseClientInput(() => listEvents(store, options)));
    });

    // One call with all its fields: what the dashboard's detail view opens.
    app.get("/v1/events/:eventId", guards.read, async (context) => {
      const eventId = context.req.param("eventId");
      const event = await parseClientInput(() => getEvent(store, eventId));
      if (!event) throw new HttpError("E_NOT_FOUND", `no event with id ${eventId}`);
      return context.json(event);
    });
  };
}
