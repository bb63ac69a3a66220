import { formatPicoDollars, microsToPrice } from "./decimal.js";
import type { FeeCharge, FeeKind } from "./types.js";
import type { ValidUsage } from "./validate-usage.js";

// Per-unit fees (a web search, a grounded prompt): units × dollars per unit, exact. Fees are rare
// beside tokens, so this path uses BigInt throughout and the token path stays as it was.

/** The usage counter of each fee. */
const FEE_UNITS: Readonly<Record<FeeKind, "webSearch">> = { web_search: "webSearch" };

/** Fees of a call, or the fee the catalog has no price for. */
export type FeeOutcome =
  { ok: true; charges: FeeCharge[]; totalPico: bigint } | { ok: false; fee: FeeKind; units: number };

/** True when the usage bills any fee (the estimator skips fees otherwise). */
export function usesFees(usage: ValidUsage): boolean {
  return usage.webSearch > 0;
}

/** Prices the fees of a call; a fee billed without a price is reported, never priced at 0. */
export function priceFees(prices: ReadonlyMap<FeeKind, number> | undefined, usage: ValidUsage): FeeOutcome {
  const charges: FeeCharge[] = [];
  let totalPico = 0n;
  for (const [fee, counter] of Object.entries(FEE_UNITS) as [FeeKind, "webSearch"][]) {
    const units = usage[counter];
    if (units === 0) continue;
    const micros = prices?.get(fee);
    if (micros === undefined) return { ok: false, fee, units };
    // micro-dollars × 10^6 = pico-dollars, the unit of every cost here.
    const pico = BigInt(units) * BigInt(micros) * 1_000_000n;
    totalPico += pico;
    charges.push({ fee, units, unitPriceUsd: microsToPrice(micros), costUsd: formatPicoDollars(pico) });
  }
  return { ok: true, charges, totalPico };
}
