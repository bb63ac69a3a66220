import { UsageError } from "./usage-error.js";

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses a duration given for `--name`: a whole number with a unit, `ms`, `s`, `m`, `h` or `d`
 * (`500ms`, `10s`, `30m`, `24h`, `7d`), within bounds in milliseconds; a usage error otherwise.
 */
export function parseDurationValue(
  name: string,
  raw: string,
  bounds: { minMs?: number; maxMs?: number } = {},
): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(raw.trim());
  const milliseconds = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : Number.NaN;
  const min = bounds.minMs ?? 1;
  const max = bounds.maxMs ?? 365 * UNIT_MS.d;
  if (!Number.isSafeInteger(milliseconds) || milliseconds < min || milliseconds > max) {
    throw new UsageError(
      `--${name} must be a duration such as 10s, 30m, 24h or 7d (from ${min} ms to ${max / UNIT_MS.d} days), got '${raw}'`,
    );
  }
  return milliseconds;
}
