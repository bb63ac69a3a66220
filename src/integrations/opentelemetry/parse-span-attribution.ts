import { LedgerError } from "../../errors.js";
import type { SpanAttribution } from "./span-attribution.js";

const listKeys = ["repo", "taskType", "userId", "sessionId", "environment", "metadataPrefixes"] as const;
const textKeys = ["fallbackRepo", "fallbackTaskType"] as const;
const known: ReadonlySet<string> = new Set([...listKeys, ...textKeys]);

function refuse(message: string): never {
  throw new LedgerError("E_OPTIONS", `OTLP attribution: ${message}`);
}

/**
 * A server's attribution config (`serve --otlp-attribution FILE`, a JSON object): each key it gives
 * replaces the default's list, e.g. `{ "repo": ["app.name", "service.name"] }`. Unknown keys, lists
 * that are not non-empty lists of attribute names and blank fallbacks are refused (`E_OPTIONS`).
 */
export function parseSpanAttribution(value: unknown): Partial<SpanAttribution> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) refuse("must be a JSON object");
  const source = value as Record<string, unknown>;
  const result: Partial<Record<keyof SpanAttribution, unknown>> = {};
  for (const key of Object.keys(source)) {
    if (!known.has(key)) refuse(`unknown key "${key}" (known: ${[...known].join(", ")})`);
  }
  for (const key of listKeys) {
    if (!Object.hasOwn(source, key)) continue;
    const list = source[key];
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      list.some((item) => typeof item !== "string" || item.trim() === "" || item.length > 255)
    ) {
      refuse(`"${key}" must be a non-empty list of attribute names`);
    }
    result[key] = [...(list as string[])];
  }
  for (const key of textKeys) {
    if (!Object.hasOwn(source, key)) continue;
    const text = source[key];
    if (typeof text !== "string" || text.trim() === "" || text.length > 512) {
      refuse(`"${key}" must be a non-blank name`);
    }
    result[key] = text;
  }
  return result as Partial<SpanAttribution>;
}
