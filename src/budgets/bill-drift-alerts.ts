import { createHash } from "node:crypto";
import { LedgerError } from "../errors.js";
import { reconcileCosts, type QueryStore } from "../query/index.js";
import { claimAlert } from "./claim-alert.js";

/** Options of `evaluateBillDrift`; the rule is in docs/budgets.md ("Bill drift"). */
export interface BillDriftOptions {
  /** Fire when billed − estimated, either way, is more than this percent of the estimate (`"10"`). */
  percent: string;
  /** The window: this many whole UTC days, ending with the last day the provider's bill covers (default 7). */
  days?: number | undefined;
  /** A difference below this many dollars never fires, whatever its percent (default `"1"`). */
  minDifferenceUsd?: string | undefined;
  at?: Date | undefined;
  dashboardUrl?: string | undefined;
}

/** What one drift evaluation did. */
export interface BillDriftEvaluation {
  /** Providers with a bill in the look-back, each compared over its window. */
  providers: number;
  /** Drifts newly claimed (each fires once per provider and period). */
  drifts: number;
  /** Deliveries queued in the outbox. */
  queued: number;
}

const dayMs = 86_400_000;
/** How far back the last billed day is looked for beyond the window: the scheduled import's 30 days. */
const lookBackDays = 30;
const decimalPattern = /^-?\d+(?:\.\d+)?$/;

/** An exact decimal as an integer and its scale, so figures of any precision compare without floats. */
function exact(text: string): { units: bigint; scale: number } {
  if (!decimalPattern.test(text)) throw new RangeError(`not a decimal figure: ${JSON.stringify(text)}`);
  const [whole, fraction = ""] = text.replace("-", "").split(".");
  const units = BigInt(`${whole}${fraction}`);
  return { units: text.startsWith("-") ? -units : units, scale: fraction.length };
}

/** `left` − `right` compared exactly: negative, zero or positive. */
function compare(left: { units: bigint; scale: number }, right: { units: bigint; scale: number }): number {
  const scale = Math.max(left.scale, right.scale);
  const difference =
    left.units * 10n ** BigInt(scale - left.scale) - right.units * 10n ** BigInt(scale - right.scale);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}

const absolute = (value: { units: bigint; scale: number }) => ({
  units: value.units < 0n ? -value.units : value.units,
  scale: value.scale,
});

/** Checks the rule's figures (`E_BUDGET_SPEC`, naming the option), so a bad one stops the start, not a cycle. */
export function checkBillDriftOptions(options: BillDriftOptions): void {
  if (!/^\d{1,6}(?:\.\d{1,4})?$/.test(options.percent) || Number(options.percent) <= 0) {
    throw new LedgerError(
      "E_BUDGET_SPEC",
      `percent: expected a positive decimal such as 10, got '${options.percent}'`,
    );
  }
  const days = options.days ?? 7;
  if (!Number.isInteger(days) || days < 1 || days > 90) {
    throw new LedgerError("E_BUDGET_SPEC", `days: expected a whole number from 1 to 90, got ${days}`);
  }
  const minimum = options.minDifferenceUsd ?? "1";
  if (!/^\d{1,12}(?:\.\d{1,6})?$/.test(minimum)) {
    throw new LedgerError(
      "E_BUDGET_SPEC",
      `minDifferenceUsd: expected dollars as a decimal such as 1 or 0.5, got '${minimum}'`,
    );
  }
}

/** `YYYY-MM-DD` of a UTC day given as milliseconds. */
const dayText = (time: number) => new Date(time).toISOString().slice(0, 10);

/**
 * Compares each provider's bill with the ledger's estimate over the last `days` whole UTC days its
 * bill covers (a bill arrives late: the window ends with the provider's last billed day, never today,
 * which is not over), and fires when the gap, either way, is more than `percent` of the estimate and at
 * least `minDifferenceUsd` (an estimate of 0 against a bill fires on the minimum alone). Each
 * (provider, period of `days` days counted from 1970-01-01) fires once, to the default targets,
 * through the budgets' claims and outbox. Only dollars are compared, as `reconcile` without rates does.
 */
export async function evaluateBillDrift(
  store: QueryStore,
  options: BillDriftOptions,
): Promise<BillDriftEvaluation> {
  checkBillDriftOptions(options);
  const at = options.at ?? new Date();
  const days = options.days ?? 7;
  const threshold = exact(options.percent);
  const minimum = exact(options.minDifferenceUsd ?? "1");
  const today = Math.floor(at.getTime() / dayMs) * dayMs;
  const billedDays = await reconcileCosts(store, {
    against: "bills",
    from: new Date(today - (days + lookBackDays) * dayMs),
    to: new Date(today),
    by: ["provider", "day"],
  });
  const lastBilled = new Map<string, string>();
  for (const row of billedDays.rows) {
    if (row.billedUsd === null || row.provider === undefined || row.day === undefined) continue;
    if (row.day > (lastBilled.get(row.provider) ?? "")) lastBilled.set(row.provider, row.day);
  }
  let drifts = 0;
  let queued = 0;
  for (const [provider, lastDay] of lastBilled) {
    const end = Date.parse(`${lastDay}T00:00:00Z`) + dayMs;
    const start = end - days * dayMs;
    const report = await reconcileCosts(store, {
      against: "bills",
      from: new Date(start),
      to: new Date(end),
      by: ["provider"],
    });
    const row = report.rows.find((candidate) => candidate.provider === provider);
    if (!row) continue;
    const estimated = exact(row.estimatedUsd);
    const difference = absolute(exact(row.differenceUsd));
    if (compare(difference, minimum) < 0 || difference.units === 0n) continue;
    // |difference| × 100 > percent × estimate, in exact integers.
    const over =
      estimated.units === 0n ||
      compare(
        { units: difference.units * 100n, scale: difference.scale },
        { units: threshold.units * estimated.units, scale: threshold.scale + estimated.scale },
      ) > 0;
    if (!over) continue;
    const window = { from: dayText(start), to: dayText(end - dayMs), days };
    const lastDayNumber = end / dayMs - 1;
    const periodStart = dayText((lastDayNumber - (lastDayNumber % days)) * dayMs);
    const billedUsd = row.billedUsd ?? "0";
    const percentText = row.differencePercent === null ? "no estimate" : `${row.differencePercent}%`;
    const outcome = await claimAlert(store, {
      key: `bill-drift-${createHash("sha256")
        .update(JSON.stringify([provider, days, periodStart]))
        .digest("hex")}`,
      body: {
        type: "bill_drift",
        provider,
        window,
        estimatedUsd: row.estimatedUsd,
        billedUsd,
        differenceUsd: row.differenceUsd,
        differencePercent: row.differencePercent,
        thresholdPercent: options.percent,
        text: `llm-ledger: ${provider} billed $${billedUsd} against an estimate of $${row.estimatedUsd} from ${window.from} to ${window.to} (${days} UTC days): a difference of $${row.differenceUsd} (${percentText}), beyond the ${options.percent}% allowed`,
        dashboardUrl: options.dashboardUrl ?? null,
        firedAt: at.toISOString(),
      },
    });
    if (outcome === undefined) continue;
    drifts++;
    queued += outcome;
  }
  return { providers: lastBilled.size, drifts, queued };
}
