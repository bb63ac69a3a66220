import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Pricing } from "../pricing/index.js";
import type { ProjectStore } from "../projects/index.js";
import {
  eventInputFields,
  firstDangerousKey,
  parseEventInput,
  type AgentCostPolicy,
} from "../events/index.js";
import type { NewLlmCostRecord, TelemetryStore } from "../store/index.js";
import { readJson, type Guards, type LedgerApp } from "./app.js";
import { HttpError } from "./http-errors.js";
import { writeProjectsOf } from "./project-scope.js";
import { createIngestCommitter, createServerPricer, maxFutureMs } from "./ingest-commit.js";
import { createIngestWriter, type IngestWriter } from "./ingest-writer.js";
import type { ServerLogger } from "./server-logger.js";
import type { ServerMetrics } from "./server-metrics.js";

export const maxEventsPerRequest = 1_000;
export const maxIngestBytes = 1024 * 1024;

/** The fields an ingested event may carry: the event model's input fields. */
const acceptedFields: ReadonlySet<string> = new Set(eventInputFields);

/**
 * Fields beyond the record: the sender's pricing intent. `agentCost` ("catalog" default, or "sdk")
 * is the tracker's option of that name for this event, so an event sent through the HTTP sink is
 * priced as the sender's tracker would have priced it. `project` names the event's project, which
 * the key decides (project-scope.ts): a key bound to a project needs none.
 */
const intentFields: ReadonlySet<string> = new Set(["agentCost", "project"]);
const agentCostPolicies: ReadonlySet<unknown> = new Set<AgentCostPolicy>(["catalog", "sdk"]);

export interface IngestAnswer {
  /** Newly inserted. */
  accepted: number;
  /** Already stored (same eventId). */
  duplicates: number;
  rejected: Array<{ index: number; error: string }>;
}

/**
 * `POST /v1/events` (scope ingest): `{ events: [...] }`, at most 1,000 events and 1 MiB. Each event is
 * validated and priced by the server (a client may send only `providerCostUsd`, and `agentCost` to
 * say whose figure leads for an Agent SDK event, as the tracker's option does); the valid ones are
 * committed before the answer, idempotently by `eventId` (generated where missing). Requests that
 * arrive together are committed together in one statement (group commit; see ingest-writer.ts).
 */
export function mountIngestRoutes(dependencies: {
  store: Pick<TelemetryStore, "recordLlmCosts" | "maxBatchSize">;
  /** Which projects exist, for events a key of every project sends to a project by name. */
  projects: Pick<ProjectStore, "list">;
  pricing: Pricing;
  logger: ServerLogger;
  metrics: ServerMetrics;
  now?: () => number;
  /** Group commits in flight at once (default 1). */
  writeConcurrency?: number | undefined;
  /** A writer shared with other ingest routes (`POST /v1/traces`), so their requests commit together. */
  writer?: IngestWriter | undefined;
  /** Told after a request's events were committed (the budget alerts evaluate soon after). */
  onIngested?: (() => void) | undefined;
}) {
  const now = dependencies.now ?? Date.now;
  const writer =
    dependencies.writer ??
    createIngestWriter(dependencies.store, { concurrency: dependencies.writeConcurrency });
  const price = createServerPricer(dependencies.pricing, dependencies.logger);
  const commit = createIngestCommitter({
    writer,
    metrics: dependencies.metrics,
    onIngested: dependencies.onIngested,
  });
  return (app: LedgerApp, guards: Guards) => {
    const routes: LedgerApp = new Hono();
    routes.on(
      "POST",
      "/",
      guards.ingest,
      bodyLimit({
        maxSize: maxIngestBytes,
        onError: () => {
          throw new HttpError(
            "E_TOO_LARGE",
            `the body is larger than ${maxIngestBytes} bytes; send smaller batches`,
          );
        },
      }),
    );
    routes.post("/", async (context) => {
      const body = await readJson(context.req.raw);
      const events =
        typeof body === "object" && body !== null && !Array.isArray(body)
          ? (body as { events?: unknown }).events
          : undefined;
      if (!Array.isArray(events)) {
        throw new HttpError("E_BODY", 'the body must be a JSON object { "events": [ … ] }');
      }
      if (events.length > maxEventsPerRequest) {
        throw new HttpError(
          "E_TOO_MANY_EVENTS",
          `at most ${maxEventsPerRequest} events per request, got ${events.length}`,
        );
      }
      const principal = context.get("principal");
      const projectOf = await writeProjectsOf(
        dependencies.projects,
        principal,
        events.map((event) => (event as { project?: unknown } | null)?.project),
      );
      const rejected: IngestAnswer["rejected"] = [];
      const records: NewLlmCostRecord[] = [];
      const indexOf = new Map<string, number>();
      const received = now();
      events.forEach((event: unknown, index) => {
        const problem = unknownField(event);
        if (problem) {
          rejected.push({ index, error: problem });
          return;
        }
        const parsed = parseEventInput(event, "record", "http");
        if (!parsed.ok) {
          rejected.push({ index, error: parsed.reason });
          return;
        }
        const createdAt = parsed.input.createdAt ?? received;
        if (createdAt > received + maxFutureMs) {
          rejected.push({ index, error: "createdAt is more than 5 minutes in the future" });
          return;
        }
        const agentCost = (event as { agentCost?: unknown }).agentCost;
        if (agentCost !== undefined && !agentCostPolicies.has(agentCost)) {
          rejected.push({ index, error: 'agentCost must be "catalog" or "sdk"' });
          return;
        }
        const target = projectOf((event as { project?: unknown }).project);
        if (!target.ok) {
          rejected.push({ index, error: target.reason });
          return;
        }
        const eventId = parsed.input.eventId ?? randomUUID();
        if (!indexOf.has(eventId)) indexOf.set(eventId, index);
        const record = price({
          input: parsed.input,
          eventId,
          createdAt,
          agentCost: agentCost as AgentCostPolicy | undefined,
          project: target.project,
        });
        records.push(record);
      });
      const result = await commit(records, rejected.length);
      // Events the store refused for their content (the rest were committed), at their indexes.
      for (const refusal of result.rejected ?? []) {
        rejected.push({ index: indexOf.get(refusal.eventId) ?? -1, error: refusal.reason });
      }
      rejected.sort((first, second) => first.index - second.index);
      const answer: IngestAnswer = { accepted: result.inserted, duplicates: result.duplicates, rejected };
      return context.json(answer);
    });
    app.route("/v1/events", routes);
  };
}

function unknownField(event: unknown): string | undefined {
  // Not an object, or a key that could pollute a prototype: the parser says it, as it does elsewhere.
  if (typeof event !== "object" || event === null || Array.isArray(event)) return undefined;
  if (firstDangerousKey(event) !== undefined) return undefined;
  for (const key of Object.keys(event)) {
    if (key === "estimatedCostUsd" || key === "listCostUsd") {
      return `${key} is computed by the server; send providerCostUsd for a cost the provider reported`;
    }
    if (!acceptedFields.has(key) && !intentFields.has(key)) return `unknown field "${key}"`;
  }
  return undefined;
}
