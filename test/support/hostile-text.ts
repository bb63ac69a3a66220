// Text chosen to break CSV, filter lists and spreadsheets: formula starts (= + - @, their full-width
// forms), tab, CR, LF, commas, backslashes (also before commas), quotes, lone surrogates, and ordinary
// letters between them. Seeded, so a failure can be replayed.
import { expect } from "vitest";

/** A small deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces that hostile values are made of. */
export const hostilePieces = [
  "=",
  "+",
  "-",
  "@",
  "\t",
  "\r",
  "\n",
  "\r\n",
  ",",
  "\\",
  "\\,",
  ",\\",
  '"',
  "'",
  " ",
  "\uFF1D",
  "\uD800",
  "\uDFFF",
  '=HYPERLINK("http://x")',
  "@SUM(1+1)",
  "-2+3",
  "+1",
  "a",
  "acme/api",
  "é",
  "😀",
  "0.5",
] as const;

/** Values that start with each formula character, then random ones; never empty, distinct. */
export function hostileValues(random: () => number, count: number): string[] {
  const pick = () => hostilePieces[Math.floor(random() * hostilePieces.length)]!;
  const values = new Set<string>([
    "=1+1",
    "+1",
    "-1",
    "@A1",
    "\tx",
    "\rx",
    "\nx",
    "a,b",
    "a\\b",
    "a\\,b",
    "\\",
    ",",
  ]);
  while (values.size < count) {
    const length = 1 + Math.floor(random() * 5);
    values.add(Array.from({ length }, pick).join(""));
  }
  return [...values];
}

/**
 * Checks the values a report grouped: every well-formed value given is there, and nothing else but
 * the stored form of a value with a lone surrogate (which the edge may also refuse: it has no UTF-8).
 */
export function expectStoredValues(stored: readonly string[], given: readonly string[]): void {
  const wellFormed = given.filter((value) => value === storedForm(value));
  expect(stored).toEqual(expect.arrayContaining(wellFormed));
  const possible = new Set(given.map(storedForm));
  expect(stored.filter((value) => !possible.has(value))).toEqual([]);
  expect(new Set(stored).size).toBe(stored.length);
}

/** What a database gives back for a value: lone surrogates become U+FFFD in UTF-8. */
export function storedForm(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}
