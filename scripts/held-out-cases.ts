// Held-out pricing cases: calls hand-priced from the providers' pages, one JSON object a line.
//
//   {"id":"sonnet-4-cache","model":"claude-sonnet-4-20250514","provider":"anthropic",
//    "usage":{"inputTokens":1000,"outputTokens":200,"cacheReadTokens":5000},
//    "expectedUsd":"0.0075","source":"https://…","at":"2026-12-04"}
//
// `usage` follows the project's convention (docs/pricing.md): `inputTokens` is uncached input only,
// `cacheWriteTokens` are 5-minute writes, `cacheWrite1hTokens` 1-hour writes. `expectedUsd` is an
// exact decimal, or "unpriced" for an id that names a version the provider does not list (a
// library must flag it, not price it as a sibling). `at` (optional, YYYY-MM-DD) is the day of the
// call, for prices that changed.
import { readFile } from "node:fs/promises";

/** Token counts of one call, in the project's usage convention. */
export interface CaseUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
}

/** One hand-priced call. */
export interface HeldOutCase {
  id: string;
  model: string;
  provider: string;
  usage: CaseUsage;
  /** Exact decimal US dollars, or "unpriced" when the id names a version nobody lists. */
  expectedUsd: string;
  source: string;
  at?: string;
}

const USAGE_KEYS = [
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite1hTokens",
] as const;

function text(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== "string" || value === "") throw new Error(`${where}.${key}: expected text`);
  return value;
}

function parseUsage(value: unknown, where: string): CaseUsage {
  if (typeof value !== "object" || value === null) throw new Error(`${where}: expected an object`);
  const record = value as Record<string, unknown>;
  const usage = {} as CaseUsage;
  for (const key of USAGE_KEYS) {
    const count = record[key] ?? 0;
    if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) {
      throw new Error(`${where}.${key}: expected a whole number of tokens`);
    }
    usage[key] = count;
  }
  return usage;
}

/** Parses one line; bad input is refused with the line number and the field. */
export function parseCase(line: string, where: string): HeldOutCase {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`${where}: not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected an object`);
  }
  const record = value as Record<string, unknown>;
  const expectedUsd = text(record, "expectedUsd", where);
  if (expectedUsd !== "unpriced" && !/^\d+(\.\d+)?$/.test(expectedUsd)) {
    throw new Error(`${where}.expectedUsd: expected a decimal or "unpriced"`);
  }
  const at = record.at;
  if (at !== undefined && (typeof at !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(at))) {
    throw new Error(`${where}.at: expected YYYY-MM-DD`);
  }
  return {
    id: text(record, "id", where),
    model: text(record, "model", where),
    provider: text(record, "provider", where),
    usage: parseUsage(record.usage, `${where}.usage`),
    expectedUsd,
    source: text(record, "source", where),
    ...(at !== undefined ? { at } : {}),
  };
}

/** Reads a JSONL file of cases (blank lines skipped). */
export async function readCases(path: string): Promise<HeldOutCase[]> {
  const lines = (await readFile(path, "utf8")).split("\n");
  const cases: HeldOutCase[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() !== "") cases.push(parseCase(line, `${path}:${index + 1}`));
  }
  return cases;
}
