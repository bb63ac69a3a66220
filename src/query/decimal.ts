/**
 * Canonical form of a decimal string from Postgres: no trailing fractional zeros and no `-0`, so
 * that the same amount compares equal whatever NUMERIC scale produced it (`"1.500000000000"` and
 * `"1.5"` are one amount). `null` (an empty SUM) is zero.
 */
export function canonicalDecimal(value: string | null | undefined): string {
  if (value === null || value === undefined) return "0";
  let text = value.trim();
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return /^-?0*$/.test(text) ? "0" : text;
}

/** A count that SQL returns as a decimal string (a BIGINT or NUMERIC sum), as a number. */
export function countValue(value: string | number | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === "number" ? value : Number(value);
}
