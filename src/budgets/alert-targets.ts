import { randomBytes } from "node:crypto";
import { LedgerError } from "../errors.js";
import type { QueryStore } from "../query/index.js";
import type { Queryable } from "../store/index.js";
import { quoteSchema } from "../store/schema-name.js";
import { parseNotifyTarget, type AlertTargetKind } from "./notify-targets.js";

/** A target as listed: never its secret, which is shown once, when it is added. */
export interface AlertTarget {
  id: string;
  kind: AlertTargetKind;
  url: string;
  /** Serves budgets without targets of their own, and alerts of no budget. */
  isDefault: boolean;
  createdAt: string;
}

interface TargetRow {
  id: string;
  kind: AlertTargetKind;
  url: string;
  is_default: boolean;
  created_at: Date;
}

const columns = "id::text AS id, kind, url, is_default, created_at";
const secretPattern = /^[\x21-\x7e]{16,200}$/;

function table(store: QueryStore): string {
  return `${quoteSchema(store.schema)}.llm_ledger_alert_targets`;
}

function toTarget(row: TargetRow): AlertTarget {
  return {
    id: row.id,
    kind: row.kind,
    url: row.url,
    isDefault: row.is_default,
    createdAt: row.created_at.toISOString(),
  };
}

/** A fresh signing secret: `whsec_` and 32 random bytes, base64url. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

/**
 * Adds a default target (`webhook:URL` or `slack:URL`), or makes an existing one default; answers its
 * secret, generated unless given (16 to 200 printable characters), once. Adding a target a budget
 * already named gives it the secret given, so the receiver can check it.
 */
export async function addAlertTarget(
  store: QueryStore,
  input: { target: string; secret?: string | undefined; isDefault?: boolean | undefined },
): Promise<{ target: AlertTarget; secret: string }> {
  const { kind, url } = parseNotifyTarget(input.target, "target");
  if (input.secret !== undefined && !secretPattern.test(input.secret)) {
    throw new LedgerError("E_BUDGET_SPEC", "secret: expected 16 to 200 printable characters without spaces");
  }
  const secret = input.secret ?? generateSecret();
  const [row] = await store.database.query<TargetRow>(
    `INSERT INTO ${table(store)} (kind, url, secret, is_default) VALUES ($1, $2, $3, $4)
     ON CONFLICT (kind, url) DO UPDATE SET secret = EXCLUDED.secret, is_default = EXCLUDED.is_default
     RETURNING ${columns}`,
    [kind, url, secret, input.isDefault ?? true],
  );
  return { target: toTarget(row!), secret };
}

/** Every target, oldest first. */
export async function listAlertTargets(store: QueryStore): Promise<AlertTarget[]> {
  const rows = await store.database.query<TargetRow>(`SELECT ${columns} FROM ${table(store)} ORDER BY id`);
  return rows.map(toTarget);
}

/** Removes a target by id or `KIND:URL` (its deliveries, history included, with it); answers it, or undefined. */
export async function removeAlertTarget(
  store: QueryStore,
  idOrTarget: string,
): Promise<AlertTarget | undefined> {
  if (/^\d{1,18}$/.test(idOrTarget)) {
    const [row] = await store.database.query<TargetRow>(
      `DELETE FROM ${table(store)} WHERE id = $1::bigint RETURNING ${columns}`,
      [idOrTarget],
    );
    return row && toTarget(row);
  }
  const { kind, url } = parseNotifyTarget(idOrTarget, "target");
  const [row] = await store.database.query<TargetRow>(
    `DELETE FROM ${table(store)} WHERE kind = $1 AND url = $2 RETURNING ${columns}`,
    [kind, url],
  );
  return row && toTarget(row);
}

/**
 * The ids of the targets an alert goes to: the budget's own (`KIND:URL`, added here with a generated
 * secret when a budget names one never added, not as a default), else every default target.
 */
export async function resolveTargets(
  transaction: Queryable,
  store: QueryStore,
  notify: readonly string[],
): Promise<string[]> {
  if (notify.length === 0) {
    const rows = await transaction.query<{ id: string }>(
      `SELECT id::text AS id FROM ${table(store)} WHERE is_default ORDER BY id`,
    );
    return rows.map((row) => row.id);
  }
  const parsed = notify.map((text) => parseNotifyTarget(text, "notify"));
  await transaction.query(
    `INSERT INTO ${table(store)} (kind, url, secret, is_default)
     SELECT kind, url, secret, false FROM unnest($1::text[], $2::text[], $3::text[]) AS t(kind, url, secret)
     ON CONFLICT (kind, url) DO NOTHING`,
    [
      parsed.map((target) => target.kind),
      parsed.map((target) => target.url),
      parsed.map(() => generateSecret()),
    ],
  );
  const rows = await transaction.query<{ id: string }>(
    `SELECT id::text AS id FROM ${table(store)} t
       JOIN unnest($1::text[], $2::text[]) AS n(kind, url) ON t.kind = n.kind AND t.url = n.url ORDER BY t.id`,
    [parsed.map((target) => target.kind), parsed.map((target) => target.url)],
  );
  return rows.map((row) => row.id);
}
