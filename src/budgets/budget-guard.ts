import type { BudgetCall, BudgetDecision, BudgetGuardLike } from "../integrations/ai-sdk/index.js";
import { LedgerError } from "../errors.js";
import type { LedgerLogger } from "../logger.js";
import { createPricing } from "../pricing/index.js";
import type { QueryStore } from "../query/index.js";
import type { NewLlmCostRecord } from "../store/cost-record.js";
import type { PricedListener } from "../tracker/index.js";
import { statusesOf, type BudgetStatus } from "./budget-status.js";
import { listBudgets } from "./budget-store.js";
import {
  addTo,
  compileEntry,
  forEachInScope,
  indexEntries,
  leftOf,
  noteIn,
  readsModel,
  spendKey,
  type GuardCall,
  type GuardEntry,
  type GuardIndex,
} from "./guard-entries.js";
import { createModelCanonicalizer, type ModelResolver } from "./model-canonicalizer.js";
import { formatPico, toPico } from "./usd.js";

/** Options of `createBudgetGuard`: where spend is read (a store, or a service with a read key). */
export interface BudgetGuardOptions {
  store?: QueryStore | undefined;
  /** A running service (`GET /v1/budget-status`), with `apiKey` (read scope). */
  url?: string | undefined;
  apiKey?: string | undefined;
  /** How often the view of spend is refreshed in the background (default 10 s). */
  refreshMs?: number | undefined;
  /**
   * This process's tracker: every event it prices counts against the budgets at once, until the
   * next refresh reads it from the ledger (`createCostTracker`'s tracker has `onPriced`).
   */
  tracker?: { onPriced(listener: PricedListener): () => void } | undefined;
  /**
   * Resolves a call's model to the canonical id the ledger records (default: `createPricing()`,
   * made at the first refresh that needs it); give the tracker's pricing when it has overrides.
   */
  pricing?: ModelResolver | undefined;
  /** The project this process's calls are recorded in, for budgets scoped by project (default `default`). */
  project?: string | undefined;
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
  /** Stops the background refresh and stops listening to the tracker. */
  close(): void;
}

const allowedOutsideEveryBudget: BudgetDecision = Object.freeze({ allowed: true });
const noCall: BudgetCall = Object.freeze({});

/**
 * A guard over the budgets with `action: "block"`, for the AI SDK middleware's and the task router's
 * `budgetGuard`. It keeps a view of each blocking budget's spend, refreshed every `refreshMs` in the
 * background (from a store, or a service's `/v1/budget-status`), plus the spend of this process
 * since the refresh under way started: what its `tracker` priced, and what `noteSpend` adds. `check`
 * reads only that view. A `model` scope names the canonical id (`claude-sonnet-4-5`), and a call is
 * matched by its model resolved the same way, so `us.anthropic.claude-sonnet-4-5-20250929-v1:0` is
 * in it, as the ledger's reports count it. The bound (docs/budgets.md): a burst overspends by at most
 * what other processes spend within one refresh window, plus this process's events priced but not
 * yet written when a refresh read the ledger.
 *
 * @example
 * const guard = createBudgetGuard({ store, tracker, refreshMs: 10_000 });
 * const middleware = createCostTrackingMiddleware({ tracker, repo: "web", taskType: "chat", budgetGuard: guard });
 */
export function createBudgetGuard(options: BudgetGuardOptions): BudgetGuard {
  if (!options.store && !(options.url && options.apiKey)) {
    throw new LedgerError("E_OPTIONS", "createBudgetGuard: give a store, or a url and an apiKey");
  }
  const project = options.project ?? "default";
  let entries: GuardEntry[] = [];
  let index: GuardIndex = indexEntries([]);
  let readsModels = false;
  let canonical: ((model: string | undefined, provider: string | undefined) => string | null) | undefined;
  let refreshing: Promise<void> | undefined;

  const read = async (): Promise<BudgetStatus[]> => {
    if (options.store) {
      const blocking = (await listBudgets(options.store)).filter((budget) => budget.action === "block");
      return blocking.length === 0 ? [] : statusesOf(options.store, blocking, new Date(), { drivers: false });
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

  const install = (statuses: BudgetStatus[]) => {
    const next = statuses.map(compileEntry);
    const previous = new Map(entries.map((entry) => [entry.budget.id, entry]));
    for (const entry of next) {
      // Spend noted while the read was under way may be missing from it: it stays counted.
      const before = previous.get(entry.budget.id);
      if (before) for (const [key, cost] of before.noted) noteIn(entry, key, cost);
    }
    const needsModel = next.some(readsModel);
    // Made here, off the callers' path: loading the catalog is file I/O.
    if (needsModel && !canonical) canonical = createModelCanonicalizer(options.pricing ?? createPricing());
    entries = next;
    index = indexEntries(next);
    readsModels = needsModel;
  };

  const refresh = () => {
    refreshing ??= (async () => {
      // What was noted before this read is either in it or still being written by the tracker.
      for (const entry of entries) {
        for (const [key, cost] of entry.noted) addTo(entry.earlier, key, cost);
        entry.noted = new Map();
      }
      try {
        install(await read());
      } catch (error) {
        // `earlier` stays counted until a refresh lands.
        options.logger?.warn({ err: error }, "budget guard: refresh failed; the last view stays in force");
      }
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  const modelOf = (model: string | undefined, provider: string | null | undefined) =>
    readsModels && canonical ? canonical(model, provider ?? undefined) : null;

  const note = (call: GuardCall, model: string | null, callProject: string, cost: bigint) => {
    if (cost === 0n) return;
    forEachInScope(index, call, model, callProject, (entry) => {
      noteIn(entry, spendKey(entry, call, model, callProject), cost);
    });
  };

  // The check's loop state lives here, so a check allocates nothing but its answer's text.
  let checked: BudgetCall = noCall;
  let checkedModel: string | null = null;
  let tightest: GuardEntry | undefined;
  let tightestLeft = 0n;
  const consider = (entry: GuardEntry) => {
    const left = leftOf(entry, spendKey(entry, checked, checkedModel, project));
    if (!tightest || left < tightestLeft) {
      tightest = entry;
      tightestLeft = left;
    }
  };

  const onPriced = (record: NewLlmCostRecord) => {
    // The record names the canonical model already (the unpriced: the id as sent), as the ledger will.
    const model = readsModels ? (record.resolvedModel ?? record.model) : null;
    const cost = record.estimatedCostUsd;
    // The pricer writes decimal text; a number (a hand-made record) is read through its text.
    note(record, model, record.project ?? project, toPico(typeof cost === "string" ? cost : String(cost)));
  };
  const stopListening = options.tracker?.onPriced(onPriced);

  const timer = setInterval(() => void refresh(), options.refreshMs ?? 10_000);
  timer.unref();
  void refresh();

  return {
    check(call) {
      checked = call;
      checkedModel = modelOf(call.model, call.provider);
      tightest = undefined;
      tightestLeft = 0n;
      forEachInScope(index, call, checkedModel, project, consider);
      const entry = tightest as GuardEntry | undefined;
      checked = noCall;
      if (!entry) return allowedOutsideEveryBudget;
      if (tightestLeft <= 0n) return entry.blocked;
      if (entry.lastAllowed?.left !== tightestLeft) {
        const decision = { allowed: true, budget: entry.ref, remaining: formatPico(tightestLeft) };
        entry.lastAllowed = { left: tightestLeft, decision: Object.freeze(decision) };
      }
      return entry.lastAllowed.decision;
    },
    noteSpend(call, costUsd) {
      note(call, modelOf(call.model, call.provider), project, toPico(costUsd));
    },
    refresh,
    close() {
      clearInterval(timer);
      stopListening?.();
    },
  };
}
