import type { BudgetCall, BudgetDecision, BudgetGuardLike } from "../integrations/ai-sdk/index.js";
import { LedgerError } from "../errors.js";
import type { LedgerLogger } from "../logger.js";
import type { QueryStore } from "../query/index.js";
import type { Budget } from "./budget-spec.js";
import { budgetStatus, type BudgetStatus } from "./budget-status.js";
import { listBudgets } from "./budget-store.js";
import { toPico, formatPico } from "./usd.js";

/** Options of `createBudgetGuard`: where spend is read (a store, or a service with a read key). */
export interface BudgetGuardOptions {
  store?: QueryStore | undefined;
  /** A running service (`GET /v1/budget-status`), with `apiKey` (read scope). */
  url?: string | undefined;
  apiKey?: string | undefined;
  /** How often the view of spend is refreshed in the background (default 10 s). */
  refreshMs?: number | undefined;
  logger?: LedgerLogger | undefined;
}

/** A budget guard: `check` answers from memory; spend is refreshed in the background. */
export interface BudgetGuard extends BudgetGuardLike {
  /** Whether a call with these dimensions may go ahead: no I/O, a few comparisons per blocking budget. */
  check(call: BudgetCall): BudgetDecision;
  /** Adds spend this process knows of (a priced call) until the next refresh counts it. */
  noteSpend(call: BudgetCall, costUsd: string): void;
  /** Refreshes now; resolves once the view is current. The first refresh starts at creation. */
  refresh(): Promise<void>;
  /** Stops the background refresh. */
  close(): void;
}

interface GuardEntry {
  budget: Budget;
  amount: bigint;
  /** Spend of the period by `per` value (the key "" without `per`), as of the last refresh. */
  spent: Map<string, bigint>;
}

const fixedDimensions = new Set([
  "repo",
  "taskType",
  "model",
  "provider",
  "userId",
  "sessionId",
  "environment",
]);

/** The call's value of a dimension, null when it has none (sdk and deliveryId are not known before the call). */
function valueOf(call: BudgetCall, dimension: string): string | null {
  if (fixedDimensions.has(dimension))
    return (call[dimension as keyof BudgetCall] as string | undefined) ?? null;
  if (dimension.startsWith("metadata.")) {
    const value = call.metadata?.[dimension.slice("metadata.".length)];
    return typeof value === "string" ? value : null;
  }
  return null;
}

function inScope(budget: Budget, call: BudgetCall): boolean {
  for (const [dimension, values] of Object.entries(budget.scope)) {
    if (!(values ?? []).includes(valueOf(call, dimension))) return false;
  }
  return true;
}

const valueKey = (budget: Budget, call: BudgetCall) =>
  budget.per ? `=${valueOf(call, budget.per) ?? "\u0000"}` : "";

/**
 * A guard over the budgets with `action: "block"`, for the AI SDK middleware's and the task router's
 * `budgetGuard`. It keeps a view of each blocking budget's spend, refreshed every `refreshMs` in the
 * background (from a store, or a service's `/v1/budget-status`), plus the spend `noteSpend` adds
 * since; `check` reads only that view. The bound: a burst can overspend by what other processes
 * spend within one refresh window, plus this process's calls not yet noted. Scope values compare as
 * the call names them (a `model` scope names the catalog's id, which a dated spelling does not match).
 *
 * @example
 * const guard = createBudgetGuard({ store, refreshMs: 10_000 });
 * const middleware = createCostTrackingMiddleware({ tracker, repo: "web", taskType: "chat", budgetGuard: guard });
 */
export function createBudgetGuard(options: BudgetGuardOptions): BudgetGuard {
  if (!options.store && !(options.url && options.apiKey)) {
    throw new LedgerError("E_OPTIONS", "createBudgetGuard: give a store, or a url and an apiKey");
  }
  let entries: GuardEntry[] = [];
  const local = new Map<string, bigint>();
  let refreshing: Promise<void> | undefined;

  const read = async (): Promise<BudgetStatus[]> => {
    if (options.store) {
      const blocking = (await listBudgets(options.store)).filter((budget) => budget.action === "block");
      if (blocking.length === 0) return [];
      return (await budgetStatus(options.store, { budgets: blocking.map((budget) => budget.id) })).budgets;
    }
    const response = await fetch(new URL("/v1/budget-status", options.url), {
      headers: { authorization: `Bearer ${options.apiKey}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok)
      throw new LedgerError("E_SERVER", `budget status: the server answered ${response.status}`);
    const body = (await response.json()) as { budgets: BudgetStatus[] };
    return body.budgets.filter((status) => status.budget.action === "block");
  };

  const refresh = () => {
    refreshing ??= read()
      .then((statuses) => {
        entries = statuses.map((status) => {
          const spent = new Map<string, bigint>();
          if (status.values) {
            for (const value of status.values)
              spent.set(`=${value.value ?? "\u0000"}`, toPico(value.spentUsd));
          } else spent.set("", toPico(status.spentUsd));
          return { budget: status.budget, amount: toPico(status.budget.amountUsd), spent };
        });
        // The refreshed figures include what was noted (committed since), within the bound above.
        local.clear();
      })
      .catch((error: unknown) => {
        options.logger?.warn({ err: error }, "budget guard: refresh failed; the last view stays in force");
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };
  const timer = setInterval(() => void refresh(), options.refreshMs ?? 10_000);
  timer.unref();
  void refresh();

  return {
    check(call) {
      let tightest: { entry: GuardEntry; left: bigint } | undefined;
      for (const entry of entries) {
        if (!inScope(entry.budget, call)) continue;
        const key = valueKey(entry.budget, call);
        const spent = (entry.spent.get(key) ?? 0n) + (local.get(`${entry.budget.id}${key}`) ?? 0n);
        const left = entry.amount - spent;
        if (!tightest || left < tightest.left) tightest = { entry, left };
      }
      if (!tightest) return { allowed: true };
      const budget = {
        id: tightest.entry.budget.id,
        name: tightest.entry.budget.name,
        amountUsd: tightest.entry.budget.amountUsd,
      };
      if (tightest.left <= 0n) return { allowed: false, budget, remaining: "0" };
      return { allowed: true, budget, remaining: formatPico(tightest.left) };
    },
    noteSpend(call, costUsd) {
      const cost = toPico(costUsd);
      for (const entry of entries) {
        if (!inScope(entry.budget, call)) continue;
        const key = `${entry.budget.id}${valueKey(entry.budget, call)}`;
        local.set(key, (local.get(key) ?? 0n) + cost);
      }
    },
    refresh,
    close() {
      clearInterval(timer);
    },
  };
}
