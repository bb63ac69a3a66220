import { createHash } from "node:crypto";
import type { QueryStore } from "../query/index.js";
import { quoteSchema } from "../store/schema-name.js";
import { budgetAlertBody } from "./alert-body.js";
import { topContributors } from "./alert-contributors.js";
import { periodShape } from "./budget-period.js";
import type { Budget } from "./budget-spec.js";
import { budgetStatus, type BudgetStatus, type SpendStatus } from "./budget-status.js";
import { claimAlerts } from "./claim-alert.js";

/** What one evaluation did. */
export interface AlertEvaluation {
  budgets: number;
  /** Thresholds newly crossed and claimed by this evaluation (each fires once per period). */
  fired: number;
  /** Deliveries queued in the outbox (one per fired alert and target). */
  queued: number;
}

interface Candidate {
  key: string;
  budgetId: string;
  notify: string[];
  status: BudgetStatus;
  figures: SpendStatus;
  value: string | null | undefined;
  threshold: number;
}

/**
 * The key of one alert: the budget, its period's start, the `per` value and the threshold, hashed
 * (a value may be long). The claim table's primary key, so each fires at most once per period.
 */
export function alertKey(
  budgetId: string,
  periodStart: string,
  value: string | null | undefined,
  threshold: number,
): string {
  const parts = JSON.stringify([budgetId, periodStart, value === undefined ? [] : [value], threshold]);
  return `budget-${createHash("sha256").update(parts).digest("hex")}`;
}

const dayMs = 86_400_000;

/**
 * The period a claim is for: a calendar period's start; for `rolling:Nd`, whose window moves with
 * every evaluation, the N-day span since the Unix epoch that `at` falls in, so that a rolling budget
 * fires at most once per such span rather than at every evaluation.
 */
function claimPeriod(budget: Budget, figures: SpendStatus, at: Date): string {
  const shape = periodShape(budget.period);
  if (shape.kind === "calendar") return figures.periodStart;
  const span = shape.days * dayMs;
  return `rolling:${new Date(Math.floor(at.getTime() / span) * span).toISOString()}`;
}

/**
 * Evaluates every budget at `at` and fires each threshold crossed that has not fired in this period:
 * the bodies of all new alerts are built first (their top contributors in one statement), then the
 * alerts are claimed in batches (`claimAlerts`: a claim and its outbox rows commit in one
 * transaction), so across restarts and replicas on one database each alert is queued exactly once.
 * Delivery is `deliverAlerts`' job.
 */
export async function evaluateBudgetAlerts(
  store: QueryStore,
  options: { at?: Date | undefined; dashboardUrl?: string | undefined } = {},
): Promise<AlertEvaluation> {
  const at = options.at ?? new Date();
  const { budgets } = await budgetStatus(store, { at });
  const candidates: Candidate[] = [];
  for (const status of budgets) {
    const entries = status.values ?? [{ ...status, value: undefined }];
    for (const figures of entries) {
      for (const threshold of figures.thresholdsCrossed) {
        candidates.push({
          key: alertKey(status.budget.id, claimPeriod(status.budget, figures, at), figures.value, threshold),
          budgetId: status.budget.id,
          notify: status.budget.notify,
          status,
          figures,
          value: figures.value,
          threshold,
        });
      }
    }
  }
  const schema = quoteSchema(store.schema);
  // Most candidates fired in an earlier cycle: skip them before building any body.
  const claimed = new Set(
    candidates.length === 0
      ? []
      : (
          await store.database.query<{ alert_key: string }>(
            `SELECT alert_key FROM ${schema}.llm_ledger_alert_claims WHERE alert_key = ANY($1::text[])`,
            [candidates.map((candidate) => candidate.key)],
          )
        ).map((row) => row.alert_key),
  );
  const fresh = candidates.filter((candidate) => !claimed.has(candidate.key));
  // Every body before any claim: a claim commits with its outbox rows, so the body must be ready.
  const contributors = await topContributors(
    store,
    fresh.map((candidate) => ({
      budget: candidate.status.budget,
      value: candidate.value,
      from: candidate.figures.periodStart,
    })),
    at,
  );
  const outcome = await claimAlerts(
    store,
    fresh.map((candidate, index) => ({
      key: candidate.key,
      budgetId: candidate.budgetId,
      notify: candidate.notify,
      project: candidate.status.budget.project ?? null,
      body: {
        ...budgetAlertBody({
          ...candidate,
          at,
          dashboardUrl: options.dashboardUrl,
          contributors: contributors[index]!,
        }),
      },
    })),
  );
  return { budgets: budgets.length, fired: outcome.claimed.size, queued: outcome.queued };
}
