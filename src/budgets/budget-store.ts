import { LedgerError } from "../errors.js";
import type { QueryStore } from "../query/index.js";
import type { Queryable } from "../store/index.js";
import { quoteSchema } from "../store/schema-name.js";
import {
  parseBudgetChanges,
  parseBudgetSpec,
  type Budget,
  type BudgetFields,
  type BudgetSpec,
} from "./budget-spec.js";
import type { BudgetPeriod } from "./budget-period.js";
import type { Dimension } from "../query/index.js";

// Budgets in `llm_ledger_budgets` (migration 0005). Writes go to the store's primary database.

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
  created_at: Date;
  updated_at: Date;
}

const columns =
  "id::text AS id, name, scope, per, period, time_zone, amount_usd::text AS amount_usd, thresholds, action, notify, created_at, updated_at";

function table(store: QueryStore): string {
  return `${quoteSchema(store.schema)}.llm_ledger_budgets`;
}

function toBudget(row: BudgetRow): Budget {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    per: row.per as Dimension | null,
    period: row.period as BudgetPeriod,
    timeZone: row.time_zone,
    // NUMERIC(24,6) answers with six decimals; the canonical text has none to spare.
    amountUsd: row.amount_usd.includes(".") ? row.amount_usd.replace(/\.?0+$/, "") : row.amount_usd,
    thresholds: row.thresholds.map(Number),
    action: row.action,
    notify: row.notify,
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

function isUniqueViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if ((current as { code?: unknown }).code === "23505") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
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
      `INSERT INTO ${table(store)} (name, scope, per, period, time_zone, amount_usd, thresholds, action, notify)
       VALUES ($1, $2::jsonb, $3, $4, $5, $6::numeric, $7::integer[], $8, $9::text[])
       RETURNING ${columns}`,
      values(fields),
    );
    return toBudget(row!);
  } catch (error) {
    throw isUniqueViolation(error) ? nameTaken(fields.name, error) : error;
  }
}

/** Every budget, oldest first. */
export async function listBudgets(store: QueryStore): Promise<Budget[]> {
  const rows = await store.database.query<BudgetRow>(`SELECT ${columns} FROM ${table(store)} ORDER BY id`);
  return rows.map(toBudget);
}

/** The budget with this id (digits) or name, or undefined. */
export async function getBudget(store: QueryStore, idOrName: string): Promise<Budget | undefined> {
  return (await selectBudget(store.database, store, idOrName, false))?.budget;
}

async function selectBudget(
  database: Queryable,
  store: QueryStore,
  idOrName: string,
  forUpdate: boolean,
): Promise<{ budget: Budget } | undefined> {
  const byId = /^\d{1,18}$/.test(idOrName);
  const [row] = await database.query<BudgetRow>(
    `SELECT ${columns} FROM ${table(store)} WHERE ${byId ? "id = $1::bigint" : "name = $1"}${forUpdate ? " FOR UPDATE" : ""}`,
    [idOrName],
  );
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
): Promise<Budget | undefined> {
  const checked = parseBudgetChanges(changes);
  try {
    return await store.database.transaction(async (transaction) => {
      const current = await selectBudget(transaction, store, idOrName, true);
      if (!current) return undefined;
      const fields: BudgetFields = { ...current.budget, ...checked };
      const [row] = await transaction.query<BudgetRow>(
        `UPDATE ${table(store)} SET name = $1, scope = $2::jsonb, per = $3, period = $4, time_zone = $5,
           amount_usd = $6::numeric, thresholds = $7::integer[], action = $8, notify = $9::text[], updated_at = now()
         WHERE id = $10::bigint RETURNING ${columns}`,
        [...values(fields), current.budget.id],
      );
      return toBudget(row!);
    });
  } catch (error) {
    throw isUniqueViolation(error) ? nameTaken(checked.name ?? idOrName, error) : error;
  }
}

/** Deletes a budget (by id or name) with its alert claims; answers it, or undefined when there was none. */
export async function deleteBudget(store: QueryStore, idOrName: string): Promise<Budget | undefined> {
  const byId = /^\d{1,18}$/.test(idOrName);
  const [row] = await store.database.query<BudgetRow>(
    `DELETE FROM ${table(store)} WHERE ${byId ? "id = $1::bigint" : "name = $1"} RETURNING ${columns}`,
    [idOrName],
  );
  return row && toBudget(row);
}
