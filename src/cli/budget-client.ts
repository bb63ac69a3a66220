import { adminApi, withAdminTarget } from "./admin-target.js";
import type { CommandContext, OptionDefinition } from "./command.js";
import { databaseOptions, openCliDatabase } from "./database-option.js";
import { stringOption } from "./option-values.js";
import {
  budgetStatus,
  createBudget,
  deleteBudget,
  listBudgets,
  updateBudget,
  type Budget,
  type BudgetSpec,
  type BudgetStatus,
} from "../budgets/index.js";
import { LedgerError } from "../errors.js";
import { migrateUp } from "../store/migrator.js";

/** Where the budget commands work: a database (`--database-url`) or a running service (`--url`). */
export const budgetTargetOptions = {
  ...databaseOptions,
  schema: { type: "string", valueName: "NAME", description: "schema holding the tables (default public)" },
  url: {
    type: "string",
    valueName: "URL",
    description: "a running server's URL: work through its API (an embedded database admits one process)",
  },
  "admin-key": {
    type: "string",
    valueName: "KEY",
    description:
      "key for --url (default $LLM_LEDGER_ADMIN_KEY, which is better: a command line is kept in shell history); a read key suffices for list and status",
  },
} as const satisfies Record<string, OptionDefinition>;

/** The budget operations, on a database or through a service's API: the same answers either way. */
export interface BudgetClient {
  create(spec: BudgetSpec): Promise<Budget>;
  list(): Promise<Budget[]>;
  update(idOrName: string, changes: Partial<BudgetSpec>): Promise<Budget | undefined>;
  remove(idOrName: string): Promise<Budget | undefined>;
  status(options: { at?: string | undefined; budgets?: string[] | undefined }): Promise<{
    at: string;
    budgets: BudgetStatus[];
  }>;
  close(): Promise<void>;
}

/** Opens the client the command line names, runs `work`, closes it. */
export async function withBudgetClient<T>(
  context: CommandContext,
  work: (client: BudgetClient) => Promise<T>,
): Promise<T> {
  return withAdminTarget(context, { database: databaseClient, http: httpClient }, work);
}

async function databaseClient(context: CommandContext): Promise<BudgetClient> {
  const database = await openCliDatabase(context);
  try {
    const schema = stringOption(context, "schema") ?? "public";
    await migrateUp(database, { schema });
    const store = { database, schema };
    return {
      create: (spec) => createBudget(store, spec),
      list: () => listBudgets(store),
      update: (idOrName, changes) => updateBudget(store, idOrName, changes),
      remove: (idOrName) => deleteBudget(store, idOrName),
      status: (options) => budgetStatus(store, options),
      close: () => database.close(),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

function httpClient(context: CommandContext, url: string): BudgetClient {
  // The service's message for a bad spec names the field, as the library's does.
  const api = adminApi(context, url, { verbatimCodes: ["E_BUDGET_SPEC"] });
  const call = (route: string, init: RequestInit = {}) =>
    api(route, { ...init, missingOk: "no such budget" });
  const path = (idOrName: string) => `/v1/budgets/${encodeURIComponent(idOrName)}`;
  return {
    create: async (spec) =>
      ((await call("/v1/budgets", { method: "POST", body: JSON.stringify(spec) })) as { budget: Budget })
        .budget,
    list: async () => ((await call("/v1/budgets")) as { budgets: Budget[] }).budgets,
    update: async (idOrName, changes) =>
      (
        (await call(path(idOrName), { method: "PATCH", body: JSON.stringify(changes) })) as
          { budget: Budget } | undefined
      )?.budget,
    remove: async (idOrName) =>
      ((await call(path(idOrName), { method: "DELETE" })) as { deleted: Budget } | undefined)?.deleted,
    status: async ({ at, budgets }) => {
      const query = at === undefined ? "" : `?${new URLSearchParams({ at }).toString()}`;
      if (!budgets || budgets.length === 0) {
        return (await call(`/v1/budget-status${query}`)) as { at: string; budgets: BudgetStatus[] };
      }
      const statuses: BudgetStatus[] = [];
      for (const name of budgets) {
        const status = (await call(`${path(name)}/status${query}`)) as BudgetStatus | undefined;
        if (!status)
          throw new LedgerError("E_NOT_FOUND", `no budget with id or name ${JSON.stringify(name)}`);
        statuses.push(status);
      }
      return { at: at ?? new Date().toISOString(), budgets: statuses };
    },
    close: async () => {},
  };
}
