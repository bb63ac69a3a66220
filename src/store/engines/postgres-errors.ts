import { LedgerError } from "../../errors.js";

const unreachableCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT"]);

/** Turns a failed first connection into a LedgerError that says why, with any password masked. */
export function connectionError(error: unknown, description: string): LedgerError {
  const code = (error as { code?: string } | null)?.code;
  const detail = errorDetail(error).replaceAll(/:\/\/([^:/@]*):[^@/]*@/g, "://$1:***@");
  if (code === "28P01" || code === "28000") {
    return new LedgerError("E_DB_AUTH", `authentication failed for ${description}: ${detail}`, {
      cause: error,
    });
  }
  if (code === "3D000") {
    return new LedgerError("E_DB_NOT_FOUND", `database does not exist at ${description}: ${detail}`, {
      cause: error,
    });
  }
  if ((code !== undefined && unreachableCodes.has(code)) || /timeout/i.test(detail)) {
    return new LedgerError("E_DB_UNREACHABLE", `cannot reach Postgres server at ${description}: ${detail}`, {
      cause: error,
    });
  }
  return new LedgerError("E_DB_CONNECT", `cannot connect to ${description}: ${detail}`, { cause: error });
}

/** An error's message; Node reports a refused dual-stack connect as an AggregateError without one. */
function errorDetail(error: unknown): string {
  if (error instanceof AggregateError && error.message === "") {
    return error.errors.map((inner) => errorDetail(inner)).join("; ") || String(error);
  }
  return error instanceof Error ? error.message || String(error) : String(error);
}
