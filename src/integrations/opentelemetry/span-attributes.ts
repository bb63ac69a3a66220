// Reading a span's attributes, which every step (selection, usage, attribution) shares: the span's
// map is built once by the decoder, and these lookups allocate nothing on the way (they run per span).
import type { AttributeValue, Attributes, OtlpSpan } from "./otlp-spans.js";

function textIn(attributes: Attributes, keys: readonly string[]): string | undefined {
  for (let index = 0; index < keys.length; index++) {
    const value = attributes.get(keys[index]!);
    if (typeof value === "string" && value.trim() !== "") return value;
    if (typeof value === "number") return String(value);
  }
  return undefined;
}

/** The first of `keys` a span carries as a non-empty string or a number, else on its resource. */
export function firstText(span: OtlpSpan, keys: readonly string[]): string | undefined {
  return textIn(span.attributes, keys) ?? textIn(span.resource, keys);
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
  for (let index = 0; index < keys.length; index++) {
    const count = countOf(span.attributes.get(keys[index]!));
    if (count !== undefined) return count;
  }
  return undefined;
}

/** Whether the span carries any attribute whose key starts with one of `prefixes`. */
export function hasAttributeWithPrefix(span: OtlpSpan, prefixes: readonly string[]): boolean {
  for (const key of span.attributes.keys()) {
    for (let index = 0; index < prefixes.length; index++) {
      if (key.startsWith(prefixes[index]!)) return true;
    }
  }
  return false;
}
