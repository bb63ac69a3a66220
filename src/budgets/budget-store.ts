import { LedgerError } from "../errors.js";
import type { QueryStore } from "../query/index.js";
import type { Queryable } from "../store/index.js";
import { quoteSchema } from "../store/schema-name.js";
import {
  ownedScope,
  parseBudgetChanges,
  parseBudgetSpec,
  type Budget,
  type BudgetFields,
  type BudgetSpec,
} from "./budget-spec.js";
import type { BudgetPeriod } from "./budget-period.js";
import { hasSqlState } from "./sql-state.js";
import type { Dimension } from "../query/index.js";

// Budgets in `llm_ledger_budgets` (migrations 0005, 0007). Writes go to the store's primary database.

/**
 * Which budgets a caller may see and change: `project` names the one project whose budgets those are
 * (a key bound to that project); absent, every budget, the organization's included. A budget outside
 * the view is answered as one that does not exist.
 */
export interface BudgetView {
  project?: string | undefined;
}

interface BudgetRow {
  id: string;
  name: string;
  scope: Budget["scope"];
  per: string | null;
  period: string;
  time_zone: string;
  amount_usd: string;
  thresholds: number[];
  action: "block" | null;
  notify: string[];
  project: string | null;
  created_at: Date;
  updated_at: Date;
}

const columns =
  "id::text AS id, name, scope, per, period, time_zone, amount_usd::text AS amount_usd, thresholds, action, notify, project, created_at, updated_at";

function table(store: QueryStore): string {
  return `${quoteSchema(store.schema)}.llm_ledger_budgets`;
}

function toBudget(row: BudgetRow): Budget {
  return {
    id: row.id,
    name: row.name,
    // Enforced on every read too: a project's budget never counts another project's events.
    scope: row.project === null ? row.scope : { ...row.scope, project: [row.project] },
    per: row.per as Dimension | null,
    period: row.period as BudgetPeriod,
    timeZone: row.time_zone,
    // NUMERIC(24,6) answers with six decimals; the canonical text has none to spare.
    amountUsd: row.amount_usd.includes(".") ? row.amount_usd.replace(/\.?0+$/, "") : row.amount_usd,
    thresholds: row.thresholds.map(Number),
    action: row.action,
    notify: row.notify,
    project: row.project,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function values(fields: BudgetFields): unknown[] {
  return [
    fields.name,
    JSON.stringify(fields.scope),
    fields.per,
    fields.period,
    fields.timeZone,
    fields.amountUsd,
    fields.thresholds,
    fields.action,
    fields.notify,
  ];
}

function nameTaken(name: string, error: unknown): LedgerError {
  return new LedgerError("E_BUDGET_CONFLICT", `name: a budget named ${JSON.stringify(name)} exists already`, {
    cause: error,
  });
}

/**
 * Creates a budget from a spec, checked first (`E_BUDGET_SPEC` naming the field; `E_BUDGET_CONFLICT`
 * when the name is taken).
 *
 * @example
 * const budget = await createBudget(store, {
 *   name: "api-monthly", scope: { repo: ["acme/api"] }, period: "month", amountUsd: "500",
 *   timeZone: "Europe/Berlin", notify: ["webhook:https://hooks.example.com/ledger"],
 * });
 */
export async function createBudget(store: QueryStore, spec: BudgetSpec): Promise<Budget> {
  const fields = parseBudgetSpec(spec);
  try {
    const [row] = await store.database.query<BudgetRow>(
      `INSERT INTO ${table(store)} (name, scope, per, period, time_zone, amount_usd, thresholds, action, notify, project)
       VALUES ($1, $2::jsonb, $3, $4, $5, $6::numeric, $7::integer[], $8, $9::text[], $10)
       RETURNING ${columns}`,
      [...values(fields), fields.project],
    );
    return toBudget(row!);
  } catch (error) {
    if (hasSqlState(error, "23503")) {
      throw new LedgerError("E_BUDGET_SPEC", `project: no project '${fields.project}'`, { cause: error });
    }
    throw hasSqlState(error, "23505") ? nameTaken(fields.name, error) : error;
  }
}

/** Every budget in the view (default: all), oldest first. */
export async function listBudgets(store: QueryStore, view: BudgetView = {}): Promise<Budget[]> {
  const rows = await store.database.query<BudgetRow>(
    view.project === undefined
      ? `SELECT ${columns} FROM ${table(store)} ORDER BY id`
      : `SELECT ${columns} FROM ${table(store)} WHERE project = $1 ORDER BY id`,
    view.project === undefined ? [] : [view.project],
  );
  return rows.map(toBudget);
}

/**
 * The budget with this id (digits) or name in the view, or undefined. A name two owners use (each
 * project has its own names) is `E_BUDGET_CONFLICT` to a view of every project: name it by id.
 */
export async function getBudget(
  store: QueryStore,
  idOrName: string,
  view: BudgetView = {},
): Promise<Budget | undefined> {
  return (await selectBudget(store.database, store, idOrName, view, false))?.budget;
}

async function selectBudget(
  database: Queryable,
  store: QueryStore,
  idOrName: string,
  view: BudgetView,
  forUpdate: boolean,
): Promise<{ budget: Budget } | undefined> {
  const byId = /^\d{1,18}$/.test(idOrName);
  const inView = view.project === undefined ? "" : " AND project = $2";
  const rows = await database.query<BudgetRow>(
    `SELECT ${columns} FROM ${table(store)} WHERE ${byId ? "id = $1::bigint" : "name = $1"}${inView}
      ORDER BY id LIMIT 2${forUpdate ? " FOR UPDATE" : ""}`,
    view.project === undefined ? [idOrName] : [idOrName, view.project],
  );
  if (rows.length > 1) {
    const owners = rows.map((row) => row.project ?? "the organization").join(", ");
    throw new LedgerError(
      "E_BUDGET_CONFLICT",
      `name: budgets of several owners (${owners}) are named ${JSON.stringify(idOrName)}; name it by id`,
    );
  }
  const [row] = rows;
  return row && { budget: toBudget(row) };
}

/**
 * Changes the given fields of a budget (by id or name), checked as on creation; answers the budget
 * as it is now, or undefined when there is none.
 */
export async function updateBudget(
  store: QueryStore,
  idOrName: string,
  changes: Partial<BudgetSpec>,
  view: BudgetView = {},
): Promise<Budget | undefined> {
  const checked = parseBudgetChanges(changes);
  try {
    return await store.database.transaction(async (transaction) => {
      const current = await selectBudget(transaction, store, idOrName, view, true);
      if (!current) return undefined;
      const owner = current.budget.project;
      if (checked.project !== undefined && checked.project !== owner) {
        throw new LedgerError(
          "E_BUDGET_SPEC",
          "project: a budget's project does not change; create one in the other project",
        );
      }
      const merged: BudgetFields = { ...current.budget, ...checked, project: owner };
      const fields = { ...merged, scope: ownedScope(merged.scope, owner) };
      const [row] = await transaction.query<BudgetRow>(
        `UPDATE ${table(store)} SET name = $1, scope = $2::jsonb, per = $3, period = $4, time_zone = $5,
           amount_usd = $6::numeric, thresholds = $7::integer[], action = $8, notify = $9::text[], updated_at = now()
         WHERE id = $10::bigint RETURNING ${columns}`,
        [...values(fields), current.budget.id],
      );
      return toBudget(row!);
    });
  } catch (error) {
    throw hasSqlState(error, "23505") ? nameTaken(checked.name ?? idOrName, error) : error;
  }
}

/**
 * Deletes a budget (by id or name) in the view, with its alert claims; answers it, or undefined when
 * there was none.
 */
export async function deleteBudget(
  store: QueryStore,
  idOrName: string,
  view: BudgetView = {},
): Promise<Budget | undefined> {
  return store.database.transaction(async (transaction) => {
    const current = await selectBudget(transaction, store, idOrName, view, true);
    if (!current) return undefined;
    await transaction.query(`DELETE FROM ${table(store)} WHERE id = $1::bigint`, [current.budget.id]);
    return current.budget;
  });
}
