import { LedgerError } from "../../errors.js";

/** What a budget guard is asked about a call: its dimensions, as the ledger would record them. */
export interface BudgetCall {
  repo?: string | undefined;
  taskType?: string | undefined;
  model?: string | undefined;
  provider?: string | undefined;
  userId?: string | undefined;
  sessionId?: string | undefined;
  environment?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
}

/** The budget that refused a call, as the guard knows it. */
export interface BudgetRef {
  id: string;
  name: string;
  amountUsd: string;
}

/** The answer of `check`: allowed, or not with the budget that blocks the call. */
export interface BudgetDecision {
  allowed: boolean;
  budget?: BudgetRef | undefined;
  /** What the tightest blocking budget in scope has left (decimal USD). */
  remaining?: string | undefined;
}

/** The shape of `createBudgetGuard`'s guard the AI SDK middleware and the task router call. */
export interface BudgetGuardLike {
  check(call: BudgetCall): BudgetDecision;
}

/**
 * A call refused before the provider was called: a budget with `action: "block"` whose scope holds
 * it has spent its amount. `budget` says which.
 */
export class BudgetExceededError extends LedgerError {
  readonly budget: BudgetRef;

  constructor(budget: BudgetRef) {
    super(
      "E_BUDGET_EXCEEDED",
      `budget ${JSON.stringify(budget.name)} ($${budget.amountUsd}) is spent; the call was not made`,
    );
    this.name = "BudgetExceededError";
    this.budget = budget;
  }
}

/** Asks the guard; a refusal is a `BudgetExceededError` (a guard that throws allows the call: it must not break it). */
export function budgetRefusal(
  guard: BudgetGuardLike | undefined,
  call: BudgetCall,
): BudgetExceededError | undefined {
  if (!guard) return undefined;
  let decision: BudgetDecision;
  try {
    decision = guard.check(call);
  } catch {
    return undefined;
  }
  return decision.allowed || !decision.budget ? undefined : new BudgetExceededError(decision.budget);
}
