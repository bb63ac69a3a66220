// The checks of one event field each, shared by the input parser and the stored-event parser so that
// a value is refused with the same words at every entry point. Each returns the stored value or
// throws `InvalidEvent` naming the field and the problem; the parsers catch it and report the reason.
// The slug rule alone: projects/index.ts also re-exports the store, which the event model must not load.
import { isProjectSlug } from "../projects/project-names.js";
import { costSdks, type CostSdk, type CostSource } from "../store/cost-record.js";
import { firstDangerousKey } from "./dangerous-keys.js";
import { parseCreatedAt } from "./parse-created-at.js";
import { maxTokensPerCall } from "./token-usage.js";
import { validateMetadata } from "./validate-metadata.js";
import { cleanFreeText, unstorableText } from "./well-formed-text.js";

/** Longest dimension (repo, model, user id, …) accepted. */
const maxNameLength = 512;
/** Error messages are kept up to this length (cut, not refused: they come from anywhere). */
const maxErrorLength = 8_000;
/** The dollar ceiling of NUMERIC(20,12). */
const maxMoney = 1e8;
/** The ceiling of the INTEGER column. */
const maxDuration = 2_147_483_647;
const decimalPattern = /^\d{1,8}(\.\d{1,12})?$/;
const costSources: readonly CostSource[] = ["catalog", "provider", "none"];

/**
 * What a required dimension of only white space meets: a caller's event is refused (a padded, empty
 * setting is a mistake worth hearing about), a stored event is kept (the ledger holds it already).
 */
export type BlankNames = "refuse" | "keep";

/** Why an event is refused: the message is the reason every entry point reports. */
export class InvalidEvent extends Error {}

/** Refuses the event with `reason`. */
export function fail(reason: string): never {
  throw new InvalidEvent(reason);
}

/** A value's kind, as a reason names it. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  return typeof value;
}

/** An own property of `source` (a polluted prototype supplies nothing). */
export function readOwn(source: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(source, key) ? source[key] : undefined;
}

/** `value` as an object whose keys are safe to read, or a failure naming `what` it should be. */
export function plainObject(value: unknown, what: string, prefix: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(`${what}, got ${describe(value)}`);
  }
  const key = firstDangerousKey(value);
  if (key !== undefined) fail(`key "${prefix}${key}" is not allowed (prototype pollution)`);
  return value as Record<string, unknown>;
}

/**
 * A required dimension: a string that can be stored as given, and says something (not empty, and
 * not only white space unless `blank` is "keep").
 */
export function name(value: unknown, field: string, blank: BlankNames = "refuse"): string {
  if (typeof value !== "string" || value === "" || (blank === "refuse" && value.trim() === "")) {
    fail(`${field} must be a non-empty string, got ${describe(value)}`);
  }
  return checkedText(value, field);
}

/**
 * The project an event names: absent is null (its writer decides: the tracker's `project`, the key's
 * project, else `default`). A slug, as projects are named (the service checks that it exists).
 */
export function projectSlug(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") fail("project must be a project slug (a string)");
  if (!isProjectSlug(value)) {
    fail(
      `project must be a project slug (1 to 63 lower-case letters, digits, '-' or '_'), got ${JSON.stringify(value.slice(0, 80))}`,
    );
  }
  return value;
}

/** An optional dimension: absent is null. */
export function optionalName(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") fail(`${field} must be a string, got ${describe(value)}`);
  return checkedText(value, field);
}

/** A dimension: refused, never rewritten, when it cannot be stored as given (it is a grouping key). */
function checkedText(value: string, field: string): string {
  if (value.length > maxNameLength) fail(`${field} is longer than ${maxNameLength} characters`);
  const problem = unstorableText(value);
  if (problem !== undefined) fail(`${field} ${problem}`);
  return value;
}

/** Error messages come from anywhere: kept (truncated, NULs and lone surrogates replaced). */
export function errorText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") fail(`error must be a string, got ${describe(value)}`);
  return cleanFreeText(value, maxErrorLength);
}

/** A token count; `prefix + key` names it in a failure (built only then: this runs per event). */
export function tokenCount(value: unknown, prefix: string, key: string, required: boolean): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= maxTokensPerCall) {
    return value;
  }
  const field = `${prefix}${key}`;
  if (value === undefined || value === null) {
    if (required) fail(`${field} is required`);
    return 0;
  }
  if (typeof value !== "number") fail(`${field} must be a number of tokens, got ${describe(value)}`);
  if (!Number.isInteger(value)) fail(`${field} must be a whole number of tokens, got ${value}`);
  if (value < 0) fail(`${field} must not be negative, got ${value}`);
  fail(`${field} must be a whole number of tokens, at most ${maxTokensPerCall} per call, got ${value}`);
}

/** Metadata's own checks name the path of the problem: their reason is precise as it is. */
export function metadata(value: unknown): Record<string, unknown> | null {
  try {
    return validateMetadata(value);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

/** Milliseconds, rounded to the column's whole number. */
export function duration(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    fail(`durationMs must be a finite number, got ${describe(value)}`);
  }
  if (value < 0) fail(`durationMs must not be negative, got ${value}`);
  if (value > maxDuration) fail(`durationMs must be at most ${maxDuration}, got ${value}`);
  return Math.round(value);
}

/** A boolean; absent is `fallback`. */
export function flag(value: unknown, field: string, fallback = false): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "boolean") fail(`${field} must be a boolean, got ${describe(value)}`);
  return value;
}

/** Which integration recorded the event; absent is `defaultSdk`. */
export function sdk(value: unknown, defaultSdk: CostSdk): CostSdk {
  if (value === undefined || value === null) return defaultSdk;
  if (typeof value !== "string" || !(costSdks as readonly string[]).includes(value)) {
    fail(`sdk must be one of ${costSdks.join(", ")}`);
  }
  return value as CostSdk;
}

/** Where the cost came from; absent is `catalog` (the store's default). */
export function costSource(value: unknown): CostSource {
  if (value === undefined || value === null) return "catalog";
  if (typeof value !== "string" || !(costSources as readonly string[]).includes(value)) {
    fail(`costSource must be one of ${costSources.join(", ")}`);
  }
  return value as CostSource;
}

/** A time (`createdAt`, or an export's `ingestedAt`) as epoch milliseconds; absent is undefined. */
export function time(value: unknown, field = "createdAt"): number | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = parseCreatedAt(value);
  if (typeof parsed !== "number") {
    fail(field === "createdAt" ? parsed.reason : parsed.reason.replace(/^createdAt/, field));
  }
  return parsed;
}

/** A dollar amount as an exact decimal string; absent is null. */
export function money(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0 || value >= maxMoney) {
      fail(`${field} must be a dollar amount from 0 to ${maxMoney}, got ${value}`);
    }
    const text = String(value);
    return text.includes("e") ? value.toFixed(12).replace(/\.?0+$/, "") : text;
  }
  if (typeof value === "string" && decimalPattern.test(value)) return value;
  fail(`${field} must be a number or a decimal string such as "0.0123", got ${describe(value)}`);
}
