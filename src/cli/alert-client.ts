import { adminApi, withAdminTarget } from "./admin-target.js";
import type { CommandContext } from "./command.js";
import { openCliDatabase } from "./database-option.js";
import { booleanOption, stringOption } from "./option-values.js";
import {
  addAlertTarget,
  findAlertTarget,
  listAlerts,
  listAlertTargets,
  removeAlertTarget,
  sendTestAlert,
  type AlertDelivery,
  type AlertTarget,
} from "../budgets/index.js";
import { migrateUp } from "../store/migrator.js";

/** The alert operations, on a database or through a service's API. */
export interface AlertClient {
  list(limit: number | undefined): Promise<AlertDelivery[]>;
  test(target: string): Promise<{ state: string; status: number | null; error: string | null }>;
  addTarget(
    target: string,
    secret: string | undefined,
    project: string | undefined,
  ): Promise<{ target: AlertTarget; secret: string }>;
  listTargets(): Promise<AlertTarget[]>;
  removeTarget(idOrTarget: string): Promise<AlertTarget | undefined>;
  close(): Promise<void>;
}

/** Opens the client the command line names (the flags of `budgetTargetOptions`), runs `work`, closes it. */
export async function withAlertClient<T>(
  context: CommandContext,
  work: (client: AlertClient) => Promise<T>,
): Promise<T> {
  return withAdminTarget(context, { database: databaseClient, http: httpClient }, work);
}

async function databaseClient(context: CommandContext): Promise<AlertClient> {
  const database = await openCliDatabase(context);
  try {
    const schema = stringOption(context, "schema") ?? "public";
    await migrateUp(database, { schema });
    const store = { database, schema };
    return {
      list: (limit) => listAlerts(store, { limit }),
      test: async (target) => {
        // By id: a KIND:URL several projects added is theirs to tell apart (findAlertTarget says so).
        const found = await findAlertTarget(store, target);
        return sendTestAlert(store, found?.id ?? target, {
          allowPrivateWebhooks: booleanOption(context, "allow-private-webhooks"),
        });
      },
      addTarget: (target, secret, project) => addAlertTarget(store, { target, secret, project }),
      listTargets: () => listAlertTargets(store),
      removeTarget: (idOrTarget) => removeAlertTarget(store, idOrTarget),
      close: () => database.close(),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

function httpClient(context: CommandContext, url: string): AlertClient {
  const api = adminApi(context, url);
  const call = (route: string, init: RequestInit = {}) =>
    api(route, { ...init, missingOk: "no such alert target" });
  return {
    list: async (limit) =>
      (
        (await call(`/v1/alerts${limit === undefined ? "" : `?limit=${limit}`}`)) as {
          alerts: AlertDelivery[];
        }
      ).alerts,
    test: async (target) =>
      (await call("/v1/alerts/test", { method: "POST", body: JSON.stringify({ target }) })) as {
        state: string;
        status: number | null;
        error: string | null;
      },
    addTarget: async (target, secret, project) =>
      (await call("/v1/alert-targets", {
        method: "POST",
        body: JSON.stringify({ target, secret, project }),
      })) as {
        target: AlertTarget;
        secret: string;
      },
    listTargets: async () => ((await call("/v1/alert-targets")) as { targets: AlertTarget[] }).targets,
    removeTarget: async (idOrTarget) =>
      (
        (await call(`/v1/alert-targets/${encodeURIComponent(idOrTarget)}`, { method: "DELETE" })) as
          { removed: AlertTarget } | undefined
      )?.removed,
    close: async () => {},
  };
}
