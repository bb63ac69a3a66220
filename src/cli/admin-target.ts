import type { CommandContext } from "./command.js";
import { databaseOptions } from "./database-option.js";
import { stringOption } from "./option-values.js";
import { UsageError } from "./usage-error.js";
import { LedgerError } from "../errors.js";

// `keys`, `projects`, `budgets` and `alerts` manage the service's tables either through a running
// server's API (--url and an admin key) or directly on the database: the flags and the HTTP call they
// share.

/** The flags of a command that works on the database or through a server's admin API. */
export const adminTargetOptions = {
  ...databaseOptions,
  schema: { type: "string", valueName: "NAME", description: "schema holding the tables (default public)" },
  url: {
    type: "string",
    valueName: "URL",
    description: "a running server's URL: work through its admin API",
  },
  "admin-key": {
    type: "string",
    valueName: "KEY",
    description:
      "admin key for --url (default $LLM_LEDGER_ADMIN_KEY, which is better: a command line is kept in shell history and shown in the process list)",
  },
} as const;

/**
 * Calls one route of a server's API with an admin key: the JSON answer, or undefined for a 404 when
 * `missingOk` (`true`, or the one error message that means "no such thing": another 404 stays an error).
 */
export type AdminApiCall = (
  path: string,
  init?: RequestInit & { missingOk?: boolean | string },
) => Promise<unknown>;

/** How an `AdminApiCall` behaves. */
export interface AdminApiOptions {
  /** Abandon a request after this long (default 30 s: a test alert waits up to 10 s for its receiver). */
  timeoutMs?: number | undefined;
  /** Error codes whose message the server wrote for the user (a spec naming its field): passed on as is. */
  verbatimCodes?: readonly string[] | undefined;
}

/** A caller of the server `--url` names with the admin key of `--admin-key` or `LLM_LEDGER_ADMIN_KEY`. */
export function adminApi(context: CommandContext, url: string, options: AdminApiOptions = {}): AdminApiCall {
  const adminKey = stringOption(context, "admin-key") ?? context.io.env.LLM_LEDGER_ADMIN_KEY;
  if (!adminKey) throw new UsageError("--url needs --admin-key (or LLM_LEDGER_ADMIN_KEY)");
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new UsageError(`--url must be a URL such as http://127.0.0.1:8787, got '${url}'`);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  return async (path, init = {}) => {
    const { missingOk, ...request } = init;
    let response: Response;
    try {
      response = await fetch(new URL(path, base), {
        ...request,
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new LedgerError(
        "E_SERVER_UNREACHABLE",
        `cannot reach ${base.origin}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    const missing = typeof missingOk === "string" ? body.error?.message === missingOk : missingOk === true;
    if (response.status === 404 && missing) return undefined;
    if (!response.ok) {
      const code = (body.error?.code as LedgerError["code"] | undefined) ?? "E_SERVER";
      const message = options.verbatimCodes?.includes(code)
        ? (body.error?.message ?? "")
        : `the server answered ${response.status}: ${body.error?.message ?? "no details"}`;
      throw new LedgerError(code, message);
    }
    return body;
  };
}

/**
 * Opens the client the command line names (`--url`: through the server; otherwise on the database),
 * runs `work` with it and closes it.
 */
export async function withAdminTarget<C extends { close(): Promise<void> }, T>(
  context: CommandContext,
  open: { database(context: CommandContext): Promise<C>; http(context: CommandContext, url: string): C },
  work: (client: C) => Promise<T>,
): Promise<T> {
  const url = stringOption(context, "url");
  const client = url === undefined ? await open.database(context) : open.http(context, url);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}
