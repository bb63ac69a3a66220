// What the dashboard shows for money, token counts, rates and dates. Money is formatted from the exact
// decimal strings, so "4.5" is "$4.50" and a sum of many tiny costs is never off by a float's rounding.
import { parseDecimal, roundUnits } from "./decimal.js";

const MAX_DECIMALS = 6;

/** Groups the digits of a whole number string: "1234567" → "1,234,567". */
function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Dollars from a decimal string: 2 decimals from $0.10 up ("$4.50", "$1,234.57"); below that, enough
 * decimals to show two significant digits ("$0.046", "$0.0032"), up to six; "<$0.000001" below that.
 * @param {string | number | null | undefined} text
 */
export function formatUsd(text) {
  const decimal = parseDecimal(text);
  if (!decimal) return "—";
  const sign = decimal.units < 0n ? "-" : "";
  let magnitude = decimal.units < 0n ? -decimal.units : decimal.units;
  let scale = decimal.scale;
  // "0.050000" and "0.05" are the same amount and must look the same.
  while (scale > 0 && magnitude % 10n === 0n) {
    magnitude /= 10n;
    scale -= 1;
  }
  let decimals = 2;
  if (magnitude > 0n && scale > 2) {
    // Zeros between the point and the first significant digit.
    const leadingZeros = scale - magnitude.toString().length;
    if (leadingZeros >= 1) decimals = Math.min(MAX_DECIMALS, leadingZeros + 2);
  }
  const units = roundUnits({ units: magnitude, scale }, decimals);
  if (units === 0n && magnitude > 0n) return `${sign}<$0.${"0".repeat(MAX_DECIMALS - 1)}1`;
  const padded = units.toString().padStart(decimals + 1, "0");
  const whole = padded.slice(0, padded.length - decimals);
  return `${sign}$${groupThousands(whole)}.${padded.slice(padded.length - decimals)}`;
}

/** A whole count (number or BIGINT decimal string) with separators: "30,000,000". */
export function formatExactCount(value) {
  const decimal = parseDecimal(value);
  if (!decimal) return "—";
  const units = roundUnits(decimal, 0);
  return (units < 0n ? "-" : "") + groupThousands((units < 0n ? -units : units).toString());
}

const compactSuffixes = [
  { suffix: "K", power: 3n },
  { suffix: "M", power: 6n },
  { suffix: "B", power: 9n },
  { suffix: "T", power: 12n },
];

/** A count, short: "987", "12.3K", "30.0M", "1.0M" for 999,999 (from exact decimal strings). */
export function formatCompactCount(value) {
  const decimal = parseDecimal(value);
  if (!decimal) return "—";
  const units = roundUnits(decimal, 0);
  const magnitude = units < 0n ? -units : units;
  const sign = units < 0n ? "-" : "";
  let index = compactSuffixes.findLastIndex(({ power }) => magnitude >= 10n ** power);
  if (index < 0) return sign + magnitude.toString();
  const tenthsAt = (position) => {
    const divisor = 10n ** compactSuffixes[position].power;
    return (magnitude * 10n + divisor / 2n) / divisor;
  };
  let tenths = tenthsAt(index);
  // 999,950 rounds to 1,000.0K: say 1.0M instead.
  if (tenths >= 10_000n && index < compactSuffixes.length - 1) tenths = tenthsAt(++index);
  return `${sign}${groupThousands((tenths / 10n).toString())}.${tenths % 10n}${compactSuffixes[index].suffix}`;
}

/** A share as a percentage, "4.2%"; "—" when the whole is zero. */
export function formatRate(part, whole) {
  if (!whole) return "—";
  const percent = (part / whole) * 100;
  return `${percent < 10 ? percent.toFixed(1) : percent.toFixed(0)}%`;
}

/**
 * The change of a figure against the period before, for a badge: its direction and text.
 * Display only, so Number() of the decimal strings is fine here.
 * @returns {{ direction: "up" | "down" | "flat" | "new" | "none", text: string }}
 */
export function describeChange(current, previous) {
  const now = Number(current);
  const before = Number(previous);
  if (!Number.isFinite(now) || !Number.isFinite(before)) return { direction: "none", text: "—" };
  if (before === 0)
    return now === 0 ? { direction: "none", text: "no spend" } : { direction: "new", text: "new" };
  const percent = ((now - before) / before) * 100;
  if (Math.abs(percent) < 0.05) return { direction: "flat", text: "0.0%" };
  const digits = Math.abs(percent) < 10 ? 1 : 0;
  return { direction: percent > 0 ? "up" : "down", text: `${Math.abs(percent).toFixed(digits)}%` };
}

/** Short money for chart axes and tooltips (display only): "$1.2K", "$4.50", "$0.003". */
export function formatAxisUsd(value) {
  const amount = Number(value);
  if (amount === 0) return "$0";
  if (Math.abs(amount) >= 1000) return `$${(amount / 1000).toFixed(amount >= 10_000 ? 0 : 1)}K`;
  if (Math.abs(amount) >= 1) return `$${amount.toFixed(2)}`;
  return `$${amount.toPrecision(2)}`;
}

const dayFormat = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

/** "Mar 4" for an ISO period start (the dashboard asks for UTC days). */
export function formatDay(iso) {
  return dayFormat.format(new Date(iso));
}
