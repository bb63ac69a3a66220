import { Hono } from "hono";
import { LedgerError } from "../errors.js";
import type { Pricing } from "../pricing/index.js";
import { explainEventCost, getEvent, listEvents, type QueryStore } from "../query/index.js";
import type { Guards, LedgerApp } from "./app.js";
import { costQueryFromParams } from "./cost-query-params.js";
import { eventsCsvStream } from "./events-csv-stream.js";
import { HttpError, parseClientInput } from "./http-errors.js";
import { readFiltersOf, visibleProjectsOf } from "./project-scope.js";

/** Events per database read while a CSV download is streamed (listEvents' largest page). */
const csvPage = 1000;

/**
 * The events behind a figure, mounted at `/v1/events` (scope read; `POST` on the same path is
 * ingest, a group of its own):
 * - `GET /v1/events`: `listEvents`, newest first, a page at a time with a cursor; with
 *   `Accept: text/csv`, every matching event (from `cursor` on, at most `limit` when given) as one
 *   CSV file with the columns of `llm-ledger export`.
 * - `GET /v1/events/{eventId}`: one event with every field (`getEvent`), what the dashboard's detail
 *   view opens; 404 when none.
 * - `GET /v1/events/{eventId}/cost`: why the event costs what it does (`explainEventCost`), from the
 *   rates kept with it, plus what `pricing` would charge today; 404 when none.
 * A key bound to a project sees that project's events only.
 */
export function createEventRoutes(store: QueryStore, guards: Guards, pricing?: Pricing): LedgerApp {
  const routes: LedgerApp = new Hono();
  routes.on("GET", ["/", "/:eventId", "/:eventId/cost"], guards.read);

  routes.get("/", async (context) => {
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
      return {
        ...parsed,
        filters: readFiltersOf(context.get("principal"), parsed.filters),
        cursor: params.get("cursor") ?? undefined,
      };
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

  routes.get("/:eventId", async (context) => {
    const eventId = context.req.param("eventId");
    // Another project's event answers exactly as an id nobody stored.
    const project = visibleProjectsOf(context.get("principal"));
    const event = await parseClientInput(() => getEvent(store, eventId, { project }));
    if (!event) throw new HttpError("E_NOT_FOUND", `no event with id ${eventId}`);
    return context.json(event);
  });

  routes.get("/:eventId/cost", async (context) => {
    const eventId = context.req.param("eventId");
    // `?project=` narrows within what the key sees (another project's id stays a 404).
    const asked = context.req.query("project");
    const visible = visibleProjectsOf(context.get("principal"));
    const project =
      asked === undefined ? visible : (visible ?? [asked]).filter((candidate) => candidate === asked);
    const explanation = await parseClientInput(() => explainEventCost(store, eventId, { project, pricing }));
    if (!explanation) throw new HttpError("E_NOT_FOUND", `no event with id ${eventId}`);
    return context.json(explanation);
  });

  return routes;
}
