// Custom properties end up in a JSONB column: only plain JSON is accepted (no class instances, no
// functions, no cycles), without NUL characters or lone surrogates (JSONB refuses both: one such
// value once failed a whole batch), without keys that could pollute a prototype, and small enough
// not to bloat the ledger.
import { dangerousKeys } from "./dangerous-keys.js";
import { unstorableText } from "./well-formed-text.js";

const maxDepth = 8;
const maxBytes = 8_192;

class InvalidMetadata extends Error {}

/** Checks `value` as event metadata; returns a copy (or null) or throws an Error naming the problem. */
export function validateMetadata(value: unknown): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) throw new InvalidMetadata("metadata must be a plain object");
  try {
    check(value, "metadata", 0);
  } catch (error) {
    if (error instanceof InvalidMetadata) throw error;
    throw new InvalidMetadata(`metadata is unreadable: ${(error as Error).message}`);
  }
  const json = JSON.stringify(value);
  const size = Buffer.byteLength(json);
  if (size > maxBytes) throw new InvalidMetadata(`metadata is ${size} bytes as JSON; at most ${maxBytes}`);
  // A copy: the caller may change its object after tracking, before the batch is written.
  return JSON.parse(json) as Record<string, unknown>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function check(value: unknown, path: string, depth: number): void {
  if (depth > maxDepth) throw new InvalidMetadata(`${path} is nested deeper than ${maxDepth} levels`);
  switch (typeof value) {
    case "string":
      checkText(value, path);
      return;
    case "number":
      if (!Number.isFinite(value)) throw new InvalidMetadata(`${path} must be a finite number`);
      return;
    case "boolean":
      return;
    case "object": {
      if (value === null) return;
      if (Array.isArray(value)) {
        value.forEach((item, index) => check(item, `${path}[${index}]`, depth + 1));
        return;
      }
      if (!isPlainObject(value)) throw new InvalidMetadata(`${path} must be plain JSON (no class instances)`);
      for (const key of Object.keys(value)) {
        if (dangerousKeys.has(key)) {
          throw new InvalidMetadata(`${path} has key "${key}", which is not allowed (prototype pollution)`);
        }
        const problem = unstorableText(key);
        if (problem !== undefined) throw new InvalidMetadata(`${path} has a key that ${problem}`);
        check(value[key], `${path}.${key}`, depth + 1);
      }
      return;
    }
    default:
      throw new InvalidMetadata(`${path} must be JSON (got ${typeof value})`);
  }
}

function checkText(text: string, path: string): void {
  const problem = unstorableText(text);
  if (problem !== undefined) throw new InvalidMetadata(`${path} ${problem}`);
}
