// Money is never a binary float here: prices become integer micro-dollars per million tokens, so
// tokens × price is a cost in integer units of 10^-12 dollars (exact in NUMERIC(20,12)).

const PRICE_PATTERN = /^(0|[1-9]\d{0,8})(?:\.(\d{1,6}))?$/;

/** Largest price accepted, in dollars per million tokens (keeps micro-dollar values well inside safe integers). */
export const MAX_PRICE_DIGITS = 9;

/** True when `value` is a price string: a plain decimal, at most 9 integer digits and 6 decimal places. */
export function isPriceString(value: unknown): value is string {
  return typeof value === "string" && PRICE_PATTERN.test(value);
}

/** Converts a validated price string ("0.075") to integer micro-dollars per million tokens (75000). */
export function priceToMicros(price: string): number {
  const match = PRICE_PATTERN.exec(price);
  if (!match) throw new RangeError(`not a price string: ${JSON.stringify(price)}`);
  const whole = match[1] ?? "0";
  const fraction = (match[2] ?? "").padEnd(6, "0");
  return Number(whole + fraction);
}

/** Formats integer micro-dollars per million tokens back to a canonical price string. */
export function microsToPrice(micros: number): string {
  return formatScaled(BigInt(micros), 6);
}

const PICO = 1_000_000_000_000;
const MICRO = 1_000_000;
// Three-digit groups, padded ("007") and with trailing zeros removed ("07" → "007" → "007", "070" → "07").
const GROUPS = Array.from({ length: 1000 }, (_, value) => String(value).padStart(3, "0"));
const TRIMMED_GROUPS = GROUPS.map((group) => group.replace(/0+$/, ""));

/** Formats a cost in integer units of 10^-12 dollars as a canonical decimal string ("0" for zero). */
export function formatPicoDollars(units: number | bigint): string {
  if (typeof units === "bigint") return units === 0n ? "0" : formatScaled(units, 12);
  if (units === 0) return "0";
  // Hot path for safe integers. The quotient is corrected so that `whole × 10^12 + fraction` equals
  // `units` exactly; every product and difference here is an exact integer below 2^53.
  let whole = Math.floor(units / PICO);
  let fraction = units - whole * PICO;
  if (fraction < 0) {
    whole -= 1;
    fraction += PICO;
  } else if (fraction >= PICO) {
    whole += 1;
    fraction -= PICO;
  }
  if (fraction === 0) return String(whole);
  // Four three-digit groups from table lookups keep the digit work on small integers.
  const high = Math.floor(fraction / MICRO);
  const low = fraction - high * MICRO;
  const first = Math.floor(high / 1000);
  const second = high - first * 1000;
  const third = Math.floor(low / 1000);
  const fourth = low - third * 1000;
  let digits: string;
  if (fourth !== 0) digits = GROUPS[first]! + GROUPS[second]! + GROUPS[third]! + TRIMMED_GROUPS[fourth]!;
  else if (third !== 0) digits = GROUPS[first]! + GROUPS[second]! + TRIMMED_GROUPS[third]!;
  else if (second !== 0) digits = GROUPS[first]! + TRIMMED_GROUPS[second]!;
  else digits = TRIMMED_GROUPS[first]!;
  return `${whole}.${digits}`;
}

/** Canonical decimal text of `units / 10^scale`: no exponent, no trailing zeros, no trailing dot. */
function formatScaled(units: number | bigint, scale: number): string {
  const negative = units < 0;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  let end = digits.length;
  while (end > whole.length && digits.charCodeAt(end - 1) === 48) end--;
  const fraction = digits.slice(whole.length, end);
  const text = fraction ? `${whole}.${fraction}` : whole;
  return negative ? `-${text}` : text;
}

/** Adds decimal strings exactly (used by tests and reports, not on the hot path). */
export function addDecimalStrings(values: readonly string[]): string {
  let total = 0n;
  for (const value of values) total += decimalToPico(value);
  return formatPicoDollars(total);
}

/** Parses a canonical non-negative decimal string with at most 12 decimal places into 10^-12 units. */
export function decimalToPico(value: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,12}))?$/.exec(value);
  if (!match) throw new RangeError(`not a decimal string: ${JSON.stringify(value)}`);
  return BigInt((match[1] ?? "0") + (match[2] ?? "").padEnd(12, "0"));
}
