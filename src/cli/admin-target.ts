import type { CommandContext } from "./command.js";
import { databaseOptions } from "./database-option.js";
import { stringOption } from "./option-values.js";
import { UsageError } from "./usage-error.js";
import { LedgerError } from "../errors.js";

// `keys` and `projects` manage the service's tables either through a running server's admin API
// (--url and an admin key) or directly on the database: the flags and the HTTP call they share.

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

/** Calls one route of a server's API with an admin key: the JSON answer, or undefined for a 404 when `missingOk`. */
export type AdminApiCall = (path: string, init?: RequestInit & { missingOk?: boolean }) => Promise<unknown>;

/** A caller of the server `--url` names with the admin key of `--admin-key` or `LLM_LEDGER_ADMIN_KEY`. */
export function adminApi(context: CommandContext, url: string): AdminApiCall {
  const adminKey = stringOption(context, "admin-key") ?? context.io.env.LLM_LEDGER_ADMIN_KEY;
  if (!adminKey) throw new UsageError("--url needs --admin-key (or LLM_LEDGER_ADMIN_KEY)");
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new UsageError(`--url must be a URL such as http://127.0.0.1:8787, got '${url}'`);
  }
  return async (path, init = {}) => {
    let response: Response;
    try {
      response = await fetch(new URL(path, base), {
        ...init,
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
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
    if (response.status === 404 && init.missingOk) return undefined;
    if (!response.ok) {
      throw new LedgerError(
        (body.error?.code as LedgerError["code"] | undefined) ?? "E_SERVER",
        `the server answered ${response.status}: ${body.error?.message ?? "no details"}`,
      );
    }
    return body;
  };
}
