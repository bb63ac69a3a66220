// Keys that could pollute a prototype when an object built from untrusted input is later merged or
// spread. Events and their metadata refuse them wherever they appear, with one list.

/** The own keys an event (or its metadata, at any depth) may not carry. */
export const dangerousKeys: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The first own enumerable key of `source` that could pollute a prototype, or undefined. Three
 * own-property checks decide the common case without listing the keys (this runs per event).
 */
export function firstDangerousKey(source: object): string | undefined {
  const suspect =
    Object.hasOwn(source, "__proto__") ||
    Object.hasOwn(source, "constructor") ||
    Object.hasOwn(source, "prototype");
  if (!suspect) return undefined;
  return Object.keys(source).find((key) => dangerousKeys.has(key));
}
