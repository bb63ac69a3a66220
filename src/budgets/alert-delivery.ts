import { createHmac, randomUUID } from "node:crypto";
import { LedgerError, isLedgerError } from "../errors.js";
import type { QueryStore } from "../query/index.js";
import { quoteSchema } from "../store/schema-name.js";
import { slackMessage } from "./alert-body.js";
import { parseNotifyTarget } from "./notify-targets.js";
import { postWebhook } from "./post-webhook.js";

/** Options of `deliverAlerts` and `sendTestAlert`. */
export interface DeliveryOptions {
  /** Deliver to loopback, private and link-local addresses too (`--allow-private-webhooks`). */
  allowPrivateWebhooks?: boolean | undefined;
  /** A receiver slower than this is retried (default 10 s). */
  timeoutMs?: number | undefined;
  /** Deliveries taken per call (default 20). */
  limit?: number | undefined;
}

/** What a delivery round did. */
export interface DeliveryRound {
  delivered: number;
  retrying: number;
  failed: number;
}

interface DueRow {
  id: string;
  idempotency_key: string;
  body: { type: string } & Record<string, unknown>;
  attempts: number;
  created_at: Date;
  kind: "webhook" | "slack";
  url: string;
  secret: string;
}

/** A delivery taken is not taken again for this long: longer than any attempt (10 s) by far. */
const leaseSeconds = 60;
/** Retries go on this long after the alert was queued; then the delivery is marked failed. */
export const retryForMs = 25 * 3_600_000;

/**
 * The wait before retry `attempts` + 1: 30 s doubling per attempt, at most an hour, ±10 % so that
 * replicas retrying one receiver spread out. About 30 attempts fit in the 25 hours.
 */
export function retryDelayMs(attempts: number): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(base * (0.9 + Math.random() * 0.2));
}

/** Whether an answer's status is worth retrying: 408, 429, 5xx, and 3xx (a redirect is not followed). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500 || (status >= 300 && status < 400) || status < 100;
}

/** `sha256=` and the HMAC-SHA256 of `payload` with the target's secret, in hex. */
export function signPayload(payload: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(payload).digest("hex")}`;
}

/**
 * Delivers the outbox's due alerts: each is leased (`FOR UPDATE SKIP LOCKED`, then a minute's
 * `next_attempt_at`, so replicas take different rows and a crashed sender's rows come back), POSTed
 * with its signature and idempotency key, and marked delivered (2xx), failed (other 4xx, an internal
 * address, or 25 hours of retries) or due again after a backoff. Never throws for a receiver.
 */
export async function deliverAlerts(
  store: QueryStore,
  options: DeliveryOptions = {},
): Promise<DeliveryRound> {
  const schema = quoteSchema(store.schema);
  const due = await store.database.query<DueRow>(
    `UPDATE ${schema}.llm_ledger_alert_outbox o
        SET attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => $2::int)
       FROM ${schema}.llm_ledger_alert_targets t
      WHERE t.id = o.target_id AND o.id IN (
        SELECT id FROM ${schema}.llm_ledger_alert_outbox
         WHERE state = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING o.id::text AS id, o.idempotency_key, o.body, o.attempts, o.created_at, t.kind, t.url, t.secret`,
    [options.limit ?? 20, leaseSeconds],
  );
  const outcomes = await Promise.all(due.map((row) => deliverOne(store, row, options)));
  return {
    delivered: outcomes.filter((outcome) => outcome === "delivered").length,
    retrying: outcomes.filter((outcome) => outcome === "pending").length,
    failed: outcomes.filter((outcome) => outcome === "failed").length,
  };
}

async function deliverOne(
  store: QueryStore,
  row: DueRow,
  options: DeliveryOptions,
): Promise<"delivered" | "pending" | "failed"> {
  const payload = JSON.stringify(row.kind === "slack" ? slackMessage(row.body) : row.body);
  let status: number | null = null;
  let error: string | null = null;
  let permanent: boolean;
  try {
    status = await postWebhook(
      new URL(row.url),
      payload,
      {
        "content-type": "application/json",
        "user-agent": "llm-ledger alerts",
        "x-llm-ledger-signature": signPayload(payload, row.secret),
        "x-llm-ledger-idempotency-key": row.idempotency_key,
        "idempotency-key": row.idempotency_key,
      },
      { allowPrivate: options.allowPrivateWebhooks ?? false, timeoutMs: options.timeoutMs },
    );
    permanent = status >= 400 && !isRetryableStatus(status);
  } catch (thrown) {
    error = (thrown as Error).message;
    permanent = isLedgerError(thrown, "E_WEBHOOK_REFUSED");
  }
  const delivered = status !== null && status >= 200 && status < 300;
  const expired = Date.now() - row.created_at.getTime() > retryForMs;
  const state = delivered ? "delivered" : permanent || expired ? "failed" : "pending";
  if (!delivered && error === null) error = `the receiver answered ${status}`;
  if (state === "failed" && expired && !permanent) error = `gave up after 25 hours of retries: ${error}`;
  await store.database.query(
    `UPDATE ${quoteSchema(store.schema)}.llm_ledger_alert_outbox
        SET state = $2, last_status = $3, last_error = $4,
            finished_at = CASE WHEN $2 = 'pending' THEN NULL ELSE now() END,
            next_attempt_at = CASE WHEN $2 = 'pending' THEN now() + make_interval(secs => $5::double precision) ELSE next_attempt_at END
      WHERE id = $1::bigint`,
    [row.id, state, status, delivered ? null : error, retryDelayMs(row.attempts) / 1000],
  );
  return state;
}

/**
 * Sends a test message to a target (`KIND:URL` already added, or its id) at once, through the outbox
 * so it shows in the delivery history; answers the delivery as recorded.
 */
export async function sendTestAlert(
  store: QueryStore,
  target: string,
  options: DeliveryOptions = {},
): Promise<{ state: "delivered" | "pending" | "failed"; status: number | null; error: string | null }> {
  const schema = quoteSchema(store.schema);
  const byId = /^\d{1,18}$/.test(target);
  const parsed = byId ? undefined : parseNotifyTarget(target, "target");
  const [found] = await store.database.query<{ id: string }>(
    `SELECT id::text AS id FROM ${schema}.llm_ledger_alert_targets WHERE ${byId ? "id = $1::bigint" : "kind = $1 AND url = $2"}`,
    byId ? [target] : [parsed!.kind, parsed!.url],
  );
  if (!found)
    throw new LedgerError(
      "E_NOT_FOUND",
      `no alert target ${JSON.stringify(target)}; add it with alerts targets add`,
    );
  const key = `test-${randomUUID()}`;
  const body = {
    type: "test",
    text: "llm-ledger: a test message; alerts to this target will look like budget.threshold bodies",
    sentAt: new Date().toISOString(),
  };
  const [row] = await store.database.query<DueRow>(
    `WITH queued AS (
       INSERT INTO ${schema}.llm_ledger_alert_outbox (idempotency_key, alert_key, target_id, body, attempts, next_attempt_at)
       VALUES ($1, $1, $2::bigint, $3::jsonb, 1, now() + make_interval(secs => $4::int)) RETURNING *)
     SELECT q.id::text AS id, q.idempotency_key, q.body, q.attempts, q.created_at, t.kind, t.url, t.secret
       FROM queued q JOIN ${schema}.llm_ledger_alert_targets t ON t.id = q.target_id`,
    [key, found.id, JSON.stringify(body), leaseSeconds],
  );
  const state = await deliverOne(store, row!, options);
  const [recorded] = await store.database.query<{ last_status: number | null; last_error: string | null }>(
    `SELECT last_status, last_error FROM ${schema}.llm_ledger_alert_outbox WHERE id = $1::bigint`,
    [row!.id],
  );
  return { state, status: recorded?.last_status ?? null, error: recorded?.last_error ?? null };
}
