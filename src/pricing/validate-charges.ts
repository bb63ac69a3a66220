import { isPriceString } from "./decimal.js";
import { FEE_KINDS, SERVICE_TIERS } from "./types.js";
import { isRecord } from "./json-checks.js";

// Checks of the charges beyond standard token prices: service tiers (a multiplier, or a set of
// prices checked like any period's) and per-unit fees, on a period or for a whole provider file.

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const PRICED_TIERS = new Set<string>(SERVICE_TIERS.filter((tier) => tier !== "standard"));
const FEES = new Set<string>(FEE_KINDS);

/** Checks one set of prices (buckets and context tiers) at `path`, pushing problems. */
export type PriceSetCheck = (prices: Record<string, unknown>, path: string) => void;

function isMultiplier(value: unknown): value is string {
  return isPriceString(value) && Number(value) > 0;
}

function feeProblems(fees: unknown, path: string): string[] {
  if (!isRecord(fees)) return [`${path}: expected an object of fee → dollars per unit`];
  const problems: string[] = [];
  for (const [fee, price] of Object.entries(fees)) {
    if (!FEES.has(fee)) problems.push(`${path}.${fee}: not a fee (expected ${FEE_KINDS.join(", ")})`);
    if (!isPriceString(price))
      problems.push(
        `${path}.${fee}: expected dollars per unit as a decimal string with at most 6 decimal places`,
      );
  }
  return problems;
}

function tierNameProblem(tier: string, path: string): string | undefined {
  if (PRICED_TIERS.has(tier)) return undefined;
  return tier === "standard"
    ? `${path}.standard: the period's own prices are the standard tier`
    : `${path}.${tier}: not a service tier (expected ${[...PRICED_TIERS].join(", ")})`;
}

/** Problems with a period's `service_tiers` and `fees`. */
export function periodChargeProblems(
  period: Record<string, unknown>,
  path: string,
  checkPriceSet: PriceSetCheck,
): string[] {
  const problems: string[] = [];
  if (period.fees !== undefined) problems.push(...feeProblems(period.fees, `${path}.fees`));
  const tiers = period.service_tiers;
  if (tiers === undefined) return problems;
  if (!isRecord(tiers)) return [...problems, `${path}.service_tiers: expected an object of tier → prices`];
  for (const [tier, prices] of Object.entries(tiers)) {
    const tierPath = `${path}.service_tiers.${tier}`;
    const nameProblem = tierNameProblem(tier, `${path}.service_tiers`);
    if (nameProblem) problems.push(nameProblem);
    if (typeof prices === "string") {
      if (!isMultiplier(prices)) problems.push(`${tierPath}: expected a multiplier such as "0.5" or prices`);
    } else if (isRecord(prices)) {
      checkPriceSet(prices, tierPath);
    } else {
      problems.push(`${tierPath}: expected a multiplier such as "0.5" or an object of prices`);
    }
  }
  return problems;
}

/** Problems with a provider file's `charges`: multipliers, fees, and where they were published. */
export function fileChargeProblems(charges: unknown): string[] {
  if (charges === undefined) return [];
  if (!isRecord(charges)) return [`$.charges: expected { service_tiers?, fees?, source, checked }`];
  const problems: string[] = [];
  for (const key of Object.keys(charges)) {
    if (!["service_tiers", "fees", "source", "checked"].includes(key))
      problems.push(`$.charges.${key}: unknown key`);
  }
  if (typeof charges.source !== "string" || charges.source.trim() === "")
    problems.push(`$.charges.source: expected the address the charges are published at`);
  if (!(typeof charges.checked === "string" && DATE_PATTERN.test(charges.checked)))
    problems.push(`$.charges.checked: expected the date they were compared with the source (YYYY-MM-DD)`);
  if (charges.fees !== undefined) problems.push(...feeProblems(charges.fees, "$.charges.fees"));
  const tiers = charges.service_tiers;
  if (tiers !== undefined) {
    if (!isRecord(tiers)) problems.push(`$.charges.service_tiers: expected an object of tier → multiplier`);
    else
      for (const [tier, multiplier] of Object.entries(tiers)) {
        const nameProblem = tierNameProblem(tier, "$.charges.service_tiers");
        if (nameProblem) problems.push(nameProblem);
        if (!isMultiplier(multiplier))
          problems.push(
            `$.charges.service_tiers.${tier}: expected a multiplier of the standard prices such as "0.5"`,
          );
      }
  }
  return problems;
}
