// Exact arithmetic on the API's decimal strings ("4.500000", "123456789012345678"): money and token
// sums arrive as strings so that nothing is lost to binary floating point; we keep it that way.

/**
 * Parses a decimal string into an integer number of units at a scale: "4.5" → { units: 45n, scale: 1 }.
 * @param {string | number | null | undefined} text
 * @returns {{ units: bigint, scale: number } | null} null when the text is not a plain decimal
 */
export function parseDecimal(text) {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(String(text ?? "").trim());
  if (!match) return null;
  const fraction = match[3] ?? "";
  const units = BigInt(match[2] + fraction);
  return { units: match[1] ? -units : units, scale: fraction.length };
}

/** The units of `decimal` at a larger or equal scale. */
function atScale(decimal, scale) {
  return decimal.units * 10n ** BigInt(scale - decimal.scale);
}

/**
 * Compares two decimal strings exactly (unparseable values sort as zero).
 * @returns {number} negative, zero or positive
 */
export function compareDecimals(left, right) {
  const a = parseDecimal(left) ?? { units: 0n, scale: 0 };
  const b = parseDecimal(right) ?? { units: 0n, scale: 0 };
  const scale = Math.max(a.scale, b.scale);
  const difference = atScale(a, scale) - atScale(b, scale);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}

/**
 * Adds decimal strings exactly.
 * @param {ReadonlyArray<string | null | undefined>} values
 * @returns {string}
 */
export function addDecimals(values) {
  const parsed = values.map((value) => parseDecimal(value) ?? { units: 0n, scale: 0 });
  const scale = Math.max(0, ...parsed.map((decimal) => decimal.scale));
  const units = parsed.reduce((sum, decimal) => sum + atScale(decimal, scale), 0n);
  return toDecimalString(units, scale);
}

/** Writes units at a scale back as a decimal string. */
export function toDecimalString(units, scale) {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? "." + digits.slice(digits.length - scale) : "";
  return (negative ? "-" : "") + whole + fraction;
}

/**
 * Rounds a parsed decimal to `decimals` places, half away from zero.
 * @returns {bigint} units at scale `decimals`
 */
export function roundUnits(decimal, decimals) {
  if (decimal.scale <= decimals) return atScale(decimal, decimals);
  const divisor = 10n ** BigInt(decimal.scale - decimals);
  const magnitude = decimal.units < 0n ? -decimal.units : decimal.units;
  const rounded = (magnitude + divisor / 2n) / divisor;
  return decimal.units < 0n ? -rounded : rounded;
}
