import { forecastDays } from "./period-bounds.js";
import { formatPico, truncateToMicros } from "./usd.js";

// The forecast of a budget, a pure function of daily spend (exact integers of 10^-12 dollars).
//
// Method: a linearly weighted daily rate over the last seven whole local days before today — weight
// 7 for yesterday down to 1 for seven days ago (28 in all), so the rate follows a change within days
// without one odd day ruling it; days without spend count as zero, and today's partial day is left
// out (it is in the spend already). Projected spend at the period's end = spent so far + rate × the
// days left (fractional); for `rolling:Nd` budgets, whose window never ends, rate × N. The amount is
// crossed at `at` + (amount − spent) ÷ rate when that falls before the period's end.

const dayMs = 86_400_000;
const weightSum = BigInt((forecastDays * (forecastDays + 1)) / 2);

/** Spend per whole day before today, most recent first (`days[0]` is yesterday); missing days are zero. */
export type DailySpend = readonly bigint[];

/** The weighted daily rate, in 10^-12 dollars per day. */
export function weightedDailyRate(days: DailySpend): bigint {
  let total = 0n;
  for (let index = 0; index < forecastDays; index++) {
    total += (days[index] ?? 0n) * BigInt(forecastDays - index);
  }
  return total / weightSum;
}

/** The plain mean over the same days: the baseline a driver's growth is measured against. */
function meanDailyRate(days: DailySpend): bigint {
  let total = 0n;
  for (let index = 0; index < forecastDays; index++) total += days[index] ?? 0n;
  return total / BigInt(forecastDays);
}

/** What `budgetStatus` reports of the forecast, money as decimal strings. */
export interface SpendForecast {
  /** `weighted-7d`: the method above. */
  method: "weighted-7d";
  dailyRateUsd: string;
  /** Spend projected at the period's end (a rolling window: at this rate, the window's spend). */
  projectedUsd: string;
  /** When the amount will be crossed at this rate, if before the period ends; null otherwise (or when it already was). */
  crossesAt: string | null;
}

/** Projects `spent` to the period's end. */
export function forecastSpend(input: {
  spent: bigint;
  amount: bigint;
  rate: bigint;
  at: Date;
  periodEnd: Date;
  rollingDays: number | undefined;
}): SpendForecast {
  const { spent, amount, rate, at, periodEnd, rollingDays } = input;
  const leftMs = BigInt(Math.max(0, periodEnd.getTime() - at.getTime()));
  const projected =
    rollingDays === undefined ? spent + (rate * leftMs) / BigInt(dayMs) : rate * BigInt(rollingDays);
  let crossesAt: string | null = null;
  if (rollingDays === undefined && spent < amount && rate > 0n) {
    const crossMs = ((amount - spent) * BigInt(dayMs)) / rate;
    if (crossMs < leftMs) crossesAt = new Date(at.getTime() + Number(crossMs)).toISOString();
  }
  return {
    method: "weighted-7d",
    dailyRateUsd: formatPico(truncateToMicros(rate)),
    projectedUsd: formatPico(truncateToMicros(projected)),
    crossesAt,
  };
}

/** The value of a dimension that drives the forecast. */
export interface ForecastDriver {
  dimension: string;
  value: string | null;
  /** Its weighted daily rate. */
  dailyRateUsd: string;
  /** Its weighted rate minus its plain 7-day mean: how much faster it spends lately. */
  growthUsdPerDay: string;
}

/**
 * The top driver: the value whose weighted rate rose most above its 7-day mean (its growth explains
 * the most of a rising forecast); when nothing grew, the value with the highest rate; none without spend.
 */
export function topDriver(
  series: ReadonlyArray<{ dimension: string; value: string | null; days: DailySpend }>,
): ForecastDriver | null {
  let best: { dimension: string; value: string | null; rate: bigint; growth: bigint } | undefined;
  for (const { dimension, value, days } of series) {
    const rate = weightedDailyRate(days);
    if (rate === 0n) continue;
    const growth = rate - meanDailyRate(days);
    const better = !best || (growth > 0n || best.growth > 0n ? growth > best.growth : rate > best.rate);
    if (better) best = { dimension, value, rate, growth };
  }
  if (!best) return null;
  return {
    dimension: best.dimension,
    value: best.value,
    dailyRateUsd: formatPico(truncateToMicros(best.rate)),
    growthUsdPerDay: formatPico(truncateToMicros(best.growth)),
  };
}
