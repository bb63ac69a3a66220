// Text that cannot be stored faithfully: a lone UTF-16 surrogate has no UTF-8 encoding, so Postgres
// refuses it in JSONB and a driver silently rewrites it to U+FFFD in TEXT, which turns one grouping
// key into another. The HTTP edge decodes invalid UTF-8 to lone surrogates (see decode-utf8.ts in the
// server), so this one check refuses both.

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored as it is, or undefined when it can. */
export function unstorableText(text: string): string | undefined {
  if (text.includes("\u0000")) return "contains a NUL character";
  if (loneSurrogate.test(text)) return "is not valid Unicode (a lone UTF-16 surrogate, or invalid UTF-8)";
  return undefined;
}

/**
 * Free text (an error message) kept rather than refused: lone surrogates and NULs become U+FFFD, and
 * text longer than `maxLength` is cut, never between the two halves of a surrogate pair.
 */
export function cleanFreeText(text: string, maxLength: number): string {
  let kept = text;
  if (text.length > maxLength) {
    const end = /[\uD800-\uDBFF]/.test(text.charAt(maxLength - 1)) ? maxLength - 1 : maxLength;
    kept = `${text.slice(0, end)}…`;
  }
  if (kept.includes("\u0000")) kept = kept.replaceAll("\u0000", "\uFFFD");
  return loneSurrogate.test(kept) ? kept.replaceAll(new RegExp(loneSurrogate, "g"), "\uFFFD") : kept;
}
