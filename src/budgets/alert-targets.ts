import { randomBytes } from "node:crypto";
import { LedgerError } from "../errors.js";
import type { QueryStore } from "../query/index.js";
import type { Queryable } from "../store/index.js";
import { quoteSchema } from "../store/schema-name.js";
import { parseNotifyTarget, type AlertTargetKind } from "./notify-targets.js";
import { hasSqlState } from "./sql-state.js";

/** A target as listed: never its secret, which is shown once, when it is added. */
export interface AlertTarget {
  id: string;
  kind: AlertTargetKind;
  url: string;
  /** Serves its owner's budgets without targets of their own (the organization's: alerts of no budget too). */
  isDefault: boolean;
  /** The owning project; null: the organization. A project's budgets alert its own targets only. */
  project: string | null;
  createdAt: string;
}

/** Which targets a caller sees: one project's (a key bound to it), or, absent, every target. */
export interface AlertTargetView {
  project?: string | undefined;
}

interface TargetRow {
  id: string;
  kind: AlertTargetKind;
  url: string;
  is_default: boolean;
  project: string | null;
  created_at: Date;
}

const columns = "id::text AS id, kind, url, is_default, project, created_at";
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
    project: row.project,
    createdAt: row.created_at.toISOString(),
  };
}

/** A fresh signing secret: `whsec_` and 32 random bytes, base64url. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

/**
 * Adds a default target (`webhook:URL` or `slack:URL`) of `project` (default: the organization), or
 * makes that owner's existing one default; answers its secret, generated unless given (16 to 200
 * printable characters), once. Adding a target a budget already named gives it the secret given, so
 * the receiver can check it.
 */
export async function addAlertTarget(
  store: QueryStore,
  input: {
    target: string;
    secret?: string | undefined;
    isDefault?: boolean | undefined;
    project?: string | null | undefined;
  },
): Promise<{ target: AlertTarget; secret: string }> {
  const { kind, url } = parseNotifyTarget(input.target, "target");
  if (input.secret !== undefined && !secretPattern.test(input.secret)) {
    throw new LedgerError("E_BUDGET_SPEC", "secret: expected 16 to 200 printable characters without spaces");
  }
  const secret = input.secret ?? generateSecret();
  const project = input.project ?? null;
  try {
    const [row] = await store.database.query<TargetRow>(
      `INSERT INTO ${table(store)} (kind, url, secret, is_default, project) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (project, kind, url) DO UPDATE SET secret = EXCLUDED.secret, is_default = EXCLUDED.is_default
       RETURNING ${columns}`,
      [kind, url, secret, input.isDefault ?? true, project],
    );
    return { target: toTarget(row!), secret };
  } catch (error) {
    if (hasSqlState(error, "23503")) {
      throw new LedgerError("E_BUDGET_SPEC", `project: no project '${project}'`, { cause: error });
    }
    throw error;
  }
}

/** Every target in the view (default: all), oldest first. */
export async function listAlertTargets(
  store: QueryStore,
  view: AlertTargetView = {},
): Promise<AlertTarget[]> {
  const rows = await store.database.query<TargetRow>(
    view.project === undefined
      ? `SELECT ${columns} FROM ${table(store)} ORDER BY id`
      : `SELECT ${columns} FROM ${table(store)} WHERE project = $1 ORDER BY id`,
    view.project === undefined ? [] : [view.project],
  );
  return rows.map(toTarget);
}

/**
 * The target with this id or `KIND:URL` in the view, or undefined. A `KIND:URL` that several owners
 * added is `E_BUDGET_CONFLICT` to a view of every project: name it by id.
 */
export async function findAlertTarget(
  store: QueryStore,
  idOrTarget: string,
  view: AlertTargetView = {},
): Promise<AlertTarget | undefined> {
  const byId = /^\d{1,18}$/.test(idOrTarget);
  const parsed = byId ? undefined : parseNotifyTarget(idOrTarget, "target");
  const where = byId ? "id = $1::bigint" : "kind = $1 AND url = $2";
  const parameters: unknown[] = byId ? [idOrTarget] : [parsed!.kind, parsed!.url];
  const inView = view.project === undefined ? "" : ` AND project = $${parameters.push(view.project)}`;
  const rows = await store.database.query<TargetRow>(
    `SELECT ${columns} FROM ${table(store)} WHERE ${where}${inView} ORDER BY id LIMIT 2`,
    parameters,
  );
  if (rows.length > 1) {
    throw new LedgerError(
      "E_BUDGET_CONFLICT",
      `target: several owners added ${JSON.stringify(idOrTarget)}; name it by id (alerts targets list)`,
    );
  }
  return rows[0] && toTarget(rows[0]);
}

/** Removes a target by id or `KIND:URL` in the view (its deliveries, history included, with it); answers it, or undefined. */
export async function removeAlertTarget(
  store: QueryStore,
  idOrTarget: string,
  view: AlertTargetView = {},
): Promise<AlertTarget | undefined> {
  const found = await findAlertTarget(store, idOrTarget, view);
  if (!found) return undefined;
  const [row] = await store.database.query<TargetRow>(
    `DELETE FROM ${table(store)} WHERE id = $1::bigint RETURNING ${columns}`,
    [found.id],
  );
  return row && toTarget(row);
}

/**
 * The ids of the targets an alert of `project`'s budget (null: the organization's, or no budget's)
 * goes to: the budget's own (`KIND:URL`, added to that owner with a generated secret when a budget
 * names one never added, not as a default), else that owner's default targets. A project's alerts
 * never go to the organization's defaults: those would receive another team's spend.
 */
export async function resolveTargets(
  transaction: Queryable,
  store: QueryStore,
  notify: readonly string[],
  project: string | null,
): Promise<string[]> {
  if (notify.length === 0) {
    const rows = await transaction.query<{ id: string }>(
      `SELECT id::text AS id FROM ${table(store)} WHERE is_default AND project IS NOT DISTINCT FROM $1 ORDER BY id`,
      [project],
    );
    return rows.map((row) => row.id);
  }
  const parsed = notify.map((text) => parseNotifyTarget(text, "notify"));
  const kinds = parsed.map((target) => target.kind);
  const urls = parsed.map((target) => target.url);
  await transaction.query(
    `INSERT INTO ${table(store)} (kind, url, secret, is_default, project)
     SELECT kind, url, secret, false, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(kind, url, secret)
     ON CONFLICT (project, kind, url) DO NOTHING`,
    [kinds, urls, parsed.map(() => generateSecret()), project],
  );
  const rows = await transaction.query<{ id: string }>(
    `SELECT id::text AS id FROM ${table(store)} t
       JOIN unnest($1::text[], $2::text[]) AS n(kind, url) ON t.kind = n.kind AND t.url = n.url
      WHERE t.project IS NOT DISTINCT FROM $3 ORDER BY t.id`,
    [kinds, urls, project],
  );
  return rows.map((row) => row.id);
}
