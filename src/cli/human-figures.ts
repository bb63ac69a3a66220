// How tables a person reads show figures. Only the table format uses these: `json` and `csv` keep
// the exact decimal strings. Rounding is done on the decimal digits (never through a float), so a
// shown cent is the exact sum rounded half up.

/** `1234567` → `1,234,567` (a whole number as a string or number). */
export function groupThousands(value: string | number): string {
  const text = String(value);
  const sign = text.startsWith("-") ? "-" : "";
  return sign + text.slice(sign.length).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * The decimals one money column shows, the same on every row so the points line up: cents when
 * every non-zero amount is at least a dollar, 4 places when at least a cent, else 6 (a model at
 * fractions of a cent still shows a figure rather than `$0.00`).
 */
export function moneyDecimals(values: readonly string[]): number {
  const nonZero = values.map(Number).filter((value) => value !== 0);
  const smallest = Math.min(...nonZero.map(Math.abs));
  if (nonZero.length === 0 || smallest >= 1) return 2;
  return smallest >= 0.01 ? 4 : 6;
}

/** `"1234.5678"` with 2 decimals → `$1,234.57` (half up, on the digits). */
export function formatMoney(decimal: string, decimals: number): string {
  const negative = decimal.startsWith("-");
  const [whole = "0", fraction = ""] = decimal.replace(/^[-+]/, "").split(".");
  const scaled = BigInt(whole + fraction.padEnd(decimals + 1, "0").slice(0, decimals + 1));
  const rounded = (scaled + 5n) / 10n;
  const digits = rounded.toString().padStart(decimals + 1, "0");
  const integer = digits.slice(0, digits.length - decimals);
  const cents = decimals > 0 ? `.${digits.slice(digits.length - decimals)}` : "";
  const sign = negative && rounded !== 0n ? "-" : "";
  return `${sign}$${groupThousands(integer)}${cents}`;
}

/** A period start as a person reads it: the date for day, week and month grains; date and hour else. */
export function periodLabel(period: string, grain: string | undefined): string {
  // The totals row's label ("total") is not a time.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(period)) return period;
  if (grain === "hour") return `${period.slice(0, 10)} ${period.slice(11, 16)}`;
  return period.slice(0, 10);
}
