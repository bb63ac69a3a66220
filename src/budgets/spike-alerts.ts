import { createHash } from "node:crypto";
import {
  queryCosts,
  queryGroupedReports,
  type Dimension,
  type GroupedReport,
  type QueryStore,
} from "../query/index.js";
import { claimAlerts } from "./claim-alert.js";
import { formatPico, toPico } from "./usd.js";

/** Options of `evaluateSpikes`; the defaults are the rule in docs/budgets.md. */
export interface SpikeOptions {
  at?: Date | undefined;
  /** The dimensions watched (default repo, model, taskType, userId). */
  dimensions?: readonly Dimension[] | undefined;
  /** How many times its usual hour a value's last hour must be (default 5). */
  factor?: number | undefined;
  /** Below this many dollars in the hour nothing alerts (default "5"). */
  minUsd?: string | undefined;
  /** Previous days whose same hour make the baseline (default 7). */
  baselineDays?: number | undefined;
  dashboardUrl?: string | undefined;
}

/** What one spike evaluation fired. */
export interface SpikeEvaluation {
  spikes: number;
  unpricedModels: number;
  queued: number;
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;

function median(values: bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2n;
}

/**
 * Spend per value of each dimension in `hour` and in the same hour of each of the `days` days before
 * (`[0]` the hour itself), in one statement: a grouped report per hour, a grouping set per dimension.
 */
async function hourlySpends(
  store: QueryStore,
  dimensions: readonly Dimension[],
  hour: Date,
  days: number,
): Promise<Array<Map<Dimension, Map<string, bigint>>>> {
  const reports: GroupedReport[] = Array.from({ length: days + 1 }, (_, day) => {
    const from = new Date(hour.getTime() - day * dayMs);
    return {
      from,
      to: new Date(from.getTime() + hourMs),
      sets: dimensions.map((dimension) => ({ dimensions: [dimension] })),
    };
  });
  const spends = reports.map(
    () => new Map(dimensions.map((dimension) => [dimension, new Map<string, bigint>()])),
  );
  for (const row of await queryGroupedReports(store, reports)) {
    const dimension = dimensions[row.set]!;
    const values = spends[row.report]!.get(dimension)!;
    const key = JSON.stringify(row.keys[dimension] ?? null);
    values.set(key, (values.get(key) ?? 0n) + toPico(row.costUsd));
  }
  return spends;
}

/**
 * Flags, without any budget, a value of a watched dimension whose spend in the last whole UTC hour is
 * at least `minUsd` and more than `factor` × its baseline — the median of the same hour on each of
 * the `baselineDays` days before (robust to one odd day; no history is a baseline of 0) — and the
 * first appearance of each unpriced model. Each fires once (a spike once per value and hour, an
 * unpriced model once ever) to the default targets, through the budgets' claims and outbox.
 */
export async function evaluateSpikes(
  store: QueryStore,
  options: SpikeOptions = {},
): Promise<SpikeEvaluation> {
  const at = options.at ?? new Date();
  const hour = new Date(Math.floor(at.getTime() / hourMs) * hourMs - hourMs);
  const factor = BigInt(options.factor ?? 5);
  const minimum = toPico(options.minUsd ?? "5");
  const days = options.baselineDays ?? 7;
  const alerts: Array<{ key: string; body: Record<string, unknown> }> = [];
  const dimensions = options.dimensions ?? (["repo", "model", "taskType", "userId"] as const);
  const [current, ...past] = await hourlySpends(store, dimensions, hour, days);
  for (const dimension of dimensions) {
    const candidates = [...current!.get(dimension)!].filter(([, spend]) => spend >= minimum);
    const history = past.map((spends) => spends.get(dimension)!);
    for (const [valueKey, spend] of candidates) {
      const baseline = median(history.map((past) => past.get(valueKey) ?? 0n));
      if (spend <= factor * baseline) continue;
      const value = JSON.parse(valueKey) as string | null;
      alerts.push({
        key: `spike-${createHash("sha256")
          .update(JSON.stringify([dimension, value, hour.toISOString()]))
          .digest("hex")}`,
        body: {
          type: "spike",
          dimension,
          value,
          hourStart: hour.toISOString(),
          spentUsd: formatPico(spend),
          baselineUsd: formatPico(baseline),
          factor: Number(factor),
          text: `llm-ledger: ${dimension} ${value ?? "(none)"} spent $${formatPico(spend)} in the hour from ${hour.toISOString()}, usually $${formatPico(baseline)}`,
          dashboardUrl: options.dashboardUrl ?? null,
          firedAt: at.toISOString(),
        },
      });
    }
  }
  const unpriced = await queryCosts(store, {
    from: hour,
    to: at,
    groupBy: ["model"],
    filters: { priced: false },
  });
  for (const row of unpriced.rows) {
    const model = row.model as string | null;
    alerts.push({
      key: `unpriced-${createHash("sha256").update(JSON.stringify(model)).digest("hex")}`,
      body: {
        type: "unpriced_model",
        model,
        firstSeenHour: hour.toISOString(),
        events: row.events,
        text: `llm-ledger: calls to the unpriced model ${model ?? "(none)"} are recorded at $0; add a price override`,
        dashboardUrl: options.dashboardUrl ?? null,
        firedAt: at.toISOString(),
      },
    });
  }
  // Claimed in batches like budget alerts; an alert of no budget is the organization's (its default
  // targets, never a project's).
  const outcome = await claimAlerts(
    store,
    alerts.map((alert) => ({ ...alert, budgetId: null, notify: [], project: null })),
  );
  const fired = { spikes: 0, unpricedModels: 0 };
  for (const alert of alerts) {
    // Each claimed key counts once (claimed.delete: a repeated key was claimed once, by its first alert).
    if (!outcome.claimed.delete(alert.key)) continue;
    if (alert.body.type === "spike") fired.spikes++;
    else fired.unpricedModels++;
  }
  return { ...fired, queued: outcome.queued };
}
