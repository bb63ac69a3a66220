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
