import { LedgerError } from "../errors.js";

// Money as exact integers of 10^-12 dollars (the scale of the ledger's NUMERIC(20,12) costs), so
// budgets compare, subtract and forecast without binary floating point.

const scale = 12;
const unit = 10n ** BigInt(scale);
const amountPattern = /^(0|[1-9]\d{0,11})(?:\.(\d{1,6}))?$/;
const figurePattern = /^(-?)(\d+)(?:\.(\d{1,12}))?$/;

/**
 * Checks a budget amount: a positive decimal string of at most 12 integer digits and 6 decimals
 * (`"500"`, `"0.25"`), or a whole number. Returns its canonical text.
 */
export function parseUsdAmount(value: unknown, field: string): string {
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== "string" || !amountPattern.test(text) || toPico(text) === 0n) {
    throw new LedgerError(
      "E_BUDGET_SPEC",
      `${field}: expected a positive amount in US dollars as a decimal string (at most 12 digits and 6 decimals), e.g. "500" or "12.50", got ${JSON.stringify(value) ?? typeof value}`,
    );
  }
  return formatPico(toPico(text));
}

/** A decimal string (a report figure or an amount, at most 12 decimals) as 10^-12 dollars. */
export function toPico(text: string): bigint {
  const match = figurePattern.exec(text);
  if (!match) throw new RangeError(`not a decimal figure: ${JSON.stringify(text)}`);
  const units = BigInt(match[2]!) * unit + BigInt((match[3] ?? "").padEnd(scale, "0"));
  return match[1] ? -units : units;
}

/** 10^-12 dollars as canonical decimal text: no exponent, no trailing zeros. */
export function formatPico(units: bigint): string {
  const negative = units < 0n;
  const absolute = negative ? -units : units;
  const whole = absolute / unit;
  const fraction = (absolute % unit).toString().padStart(scale, "0").replace(/0+$/, "");
  const text = fraction ? `${whole}.${fraction}` : String(whole);
  return negative ? `-${text}` : text;
}

/** Rounds down to whole micro-dollars (forecasts: an estimate needs no picodollars). */
export function truncateToMicros(units: bigint): bigint {
  const micro = 1_000_000n;
  return (units / micro) * micro;
}
