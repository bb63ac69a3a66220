/**
 * Canonical form of a decimal string from Postgres: no trailing fractional zeros and no `-0`, so
 * that the same amount compares equal whatever NUMERIC scale produced it (`"1.500000000000"` and
 * `"1.5"` are one amount). `null` (an empty SUM) is zero.
 */
export function canonicalDecimal(value: string | null | undefined): string {
  if (value === null || value === undefined) return "0";
  // Character scans rather than regular expressions: a report formats a dozen figures per row.
  let text = value.trim();
  if (text.includes(".")) {
    let end = text.length;
    while (end > 0 && text.charCodeAt(end - 1) === 48 /* 0 */) end--;
    if (end > 0 && text.charCodeAt(end - 1) === 46 /* . */) end--;
    text = text.slice(0, end);
  }
  for (let index = text.startsWith("-") ? 1 : 0; index < text.length; index++) {
    if (text.charCodeAt(index) !== 48) return text;
  }
  return "0";
}

/** A count that SQL returns as a decimal string (a BIGINT or NUMERIC sum), as a number. */
export function countValue(value: string | number | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === "number" ? value : Number(value);
}

/** The exact sum of two decimal strings (any scale), in canonical form. */
export function addDecimals(a: string, b: string): string {
  const [left, right] = [splitDecimal(a), splitDecimal(b)];
  const scale = Math.max(left.scale, right.scale);
  const sum =
    left.units * 10n ** BigInt(scale - left.scale) + right.units * 10n ** BigInt(scale - right.scale);
  const negative = sum < 0n;
  const digits = (negative ? -sum : sum).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const text = scale > 0 ? `${whole}.${digits.slice(digits.length - scale)}` : whole;
  return canonicalDecimal(negative ? `-${text}` : text);
}

function splitDecimal(text: string): { units: bigint; scale: number } {
  const negative = text.startsWith("-");
  const [whole = "0", fraction = ""] = (negative ? text.slice(1) : text).split(".");
  const units = BigInt(`${whole || "0"}${fraction}`);
  return { units: negative ? -units : units, scale: fraction.length };
}
