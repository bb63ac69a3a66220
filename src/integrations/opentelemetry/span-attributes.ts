import type { AttributeValue, OtlpSpan } from "./otlp-spans.js";

/** The first of `keys` a span carries as a non-empty string or a number, else on its resource. */
export function firstText(span: OtlpSpan, keys: readonly string[]): string | undefined {
  for (const attributes of [span.attributes, span.resource]) {
    for (const key of keys) {
      const value = attributes.get(key);
      if (typeof value === "string" && value.trim() !== "") return value;
      if (typeof value === "number") return String(value);
    }
  }
  return undefined;
}

/**
 * A token count attribute: a non-negative integer (an int, or a double or text holding one, as some
 * instrumentations send), else undefined.
 */
export function countOf(value: AttributeValue): number | undefined {
  const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === "number" && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

/** The first of `keys` on the span that holds a token count. */
export function firstCount(span: OtlpSpan, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const count = countOf(span.attributes.get(key));
    if (count !== undefined) return count;
  }
  return undefined;
}

/** Whether the span carries any attribute whose key starts with one of `prefixes`. */
export function hasAttributeWithPrefix(span: OtlpSpan, prefixes: readonly string[]): boolean {
  for (const key of span.attributes.keys()) {
    if (prefixes.some((prefix) => key.startsWith(prefix))) return true;
  }
  return false;
}
