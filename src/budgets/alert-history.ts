import type { QueryStore } from "../query/index.js";
import { quoteSchema } from "../store/schema-name.js";
import type { AlertTargetKind } from "./notify-targets.js";

/** One delivery of the outbox, as `GET /v1/alerts` and `alerts list` show it. */
export interface AlertDelivery {
  id: string;
  idempotencyKey: string;
  /** `budget.threshold` or `test`. */
  type: string;
  budget: string | null;
  threshold: number | null;
  value?: string | null;
  /** The target's host only: a Slack webhook's URL is itself a secret, and read keys see this list. */
  target: { id: string; kind: AlertTargetKind; host: string };
  /** The project whose target this went to (a project's budget alerts its own targets only); null: the organization's. */
  project: string | null;
  state: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** When a pending delivery is tried next. */
  nextAttemptAt: string | null;
}

interface HistoryRow {
  id: string;
  idempotency_key: string;
  body: Record<string, unknown>;
  target_id: string;
  kind: AlertTargetKind;
  url: string;
  project: string | null;
  state: AlertDelivery["state"];
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
  next_attempt_at: Date;
}

/**
 * The newest deliveries first, at most `limit` (default 100, at most 1000); with `project`, only
 * those to that project's targets (what a key bound to it sees).
 */
export async function listAlerts(
  store: QueryStore,
  options: { limit?: number | undefined; project?: string | undefined } = {},
): Promise<AlertDelivery[]> {
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? 100)), 1000);
  const schema = quoteSchema(store.schema);
  const rows = await (store.readDatabase ?? store.database).query<HistoryRow>(
    `SELECT o.id::text AS id, o.idempotency_key, o.body, t.id::text AS target_id, t.kind, t.url, t.project, o.state, o.attempts,
            o.last_status, o.last_error, o.created_at, o.finished_at, o.next_attempt_at
       FROM ${schema}.llm_ledger_alert_outbox o JOIN ${schema}.llm_ledger_alert_targets t ON t.id = o.target_id
      ${options.project === undefined ? "" : "WHERE t.project = $2"}
      ORDER BY o.id DESC LIMIT $1`,
    options.project === undefined ? [limit] : [limit, options.project],
  );
  return rows.map((row) => {
    const budget = row.body.budget as { name?: string } | undefined;
    return {
      id: row.id,
      idempotencyKey: row.idempotency_key,
      type: String(row.body.type),
      budget: budget?.name ?? null,
      threshold: typeof row.body.threshold === "number" ? row.body.threshold : null,
      ...("value" in row.body ? { value: row.body.value as string | null } : {}),
      target: { id: row.target_id, kind: row.kind, host: new URL(row.url).host },
      project: row.project,
      state: row.state,
      attempts: row.attempts,
      lastStatus: row.last_status,
      lastError: row.last_error,
      createdAt: row.created_at.toISOString(),
      finishedAt: row.finished_at?.toISOString() ?? null,
      nextAttemptAt: row.state === "pending" ? row.next_attempt_at.toISOString() : null,
    };
  });
}
