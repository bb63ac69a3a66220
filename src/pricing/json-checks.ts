// The checks every validator of untrusted catalog JSON shares: shapes, unknown keys, non-empty text,
// dates, and a short description of a wrong value for the message.

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A wrong value as a message names it: its type, and a short copy of a string or number. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  return typeof value === "undefined" ? "nothing" : `a ${typeof value}`;
}

/** True when `value` is a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== "string" || !DATE_PATTERN.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** Lists each key of `record` that `allowed` lacks. */
export function checkUnknownKeys(
  record: Record<string, unknown>,
  allowed: Set<string>,
  path: string,
  problems: string[],
) {
  for (const key of Object.keys(record)) {
    if (!allowed.has(key)) problems.push(`${path}.${key}: unknown key`);
  }
}

/** Lists `value` unless it is a non-empty string (or absent, when not `required`). */
export function checkString(value: unknown, path: string, problems: string[], required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== "string" || value.trim() === "") {
    problems.push(`${path}: expected a non-empty string, got ${describe(value)}`);
  }
}
