// The version a model id names, so a pattern written for one version never prices another: the
// pattern `^claude-sonnet-5` also matches `claude-sonnet-5-5`, a newer model with its own price.
//
// A version is the first run of adjacent small numbers in an id once its decorations are gone
// (provider prefix, Bedrock region and vendor, `:0`, `@…`, `:beta`, dates): `claude-sonnet-4-5`,
// `claude-4.5-sonnet`, `anthropic.claude-sonnet-4-5-20250929-v1:0` all name 4.5; `qwen2.5-72b`
// names 2.5; `amazon.nova-lite-v1:0` names 1 (its `-v2:0` is another model); `gpt-4o` and
// `mistral-large-latest` name none. Trailing zeros do not count
// (`claude-sonnet-4-0` is `claude-sonnet-4`, `gemini-2.0-flash` is 2).
//
// A parameter size is part of the identity too: `gemini-1.5-flash-8b` is another model than
// `gemini-1.5-flash` (at half its price), though the pattern `gemini-1\.5-flash` matches both.

// Region and vendor prefixes of Bedrock ids (`us.anthropic.`, `global.`, `meta.`); never a version.
const DOTTED_PREFIX = /^(?:[a-z-]+\.)+(?=[a-z])/;
const DATE = /(?:^|[-_@])(?:\d{8}|\d{4}-\d{2}-\d{2})(?=$|[^0-9])/g;
const TOKEN_SEPARATOR = /[^a-z0-9]+/;
// `llama3` → `llama 3`, `v3` → `v 3`: a number glued after letters is still a version number.
const LETTERS_THEN_DIGITS = /([a-z])(\d+)$/;
const NUMBER = /^\d{1,2}$/;
// `8b`, `70b`, `1.5b`, `8x7b`, `8x22b` as a token of their own (`e4b`, `a3b` and `pro8b` are not).
const SIZE = /(?:^|[^a-z0-9.])(\d+(?:\.\d+)?(?:x\d+)?b)(?=$|[^a-z0-9])/g;

/** The id without decorations that never name a version. */
function bare(lower: string): string {
  return lower
    .replace(/\[[^\]]*\]$/, "")
    .replace(/^.*\//, "")
    .replace(DOTTED_PREFIX, "")
    .replace(/@.*$/, "")
    .replace(/:[a-z0-9]*$/, "")
    .replace(DATE, "");
}

/**
 * The version a lower-cased model id names, as dot-separated numbers (`"4.5"`), or `""` when it
 * names none.
 *
 * @example
 * versionOf("us.anthropic.claude-sonnet-4-5-20250929-v1:0") // "4.5"
 */
export function versionOf(lower: string): string {
  const numbers: string[] = [];
  for (const token of bare(lower).split(TOKEN_SEPARATOR)) {
    const glued = LETTERS_THEN_DIGITS.exec(token);
    // A number glued after letters starts a run (`llama3-1` is 3.1) but never continues one.
    if (glued && numbers.length > 0) break;
    const number = glued ? glued[2]! : token;
    if (NUMBER.test(number)) numbers.push(String(Number(number)));
    else if (numbers.length > 0) break;
  }
  while (numbers.length > 1 && numbers[numbers.length - 1] === "0") numbers.pop();
  return numbers.join(".");
}

// The literal start of a pattern (`^claude-3\.5-sonnet` → `claude-3.5-sonnet`), or undefined.
function literalPrefix(pattern: string): string | undefined {
  const match = /^\^?((?:[a-z0-9_:@/-]|\\[.\-/@:])+)/i.exec(pattern);
  return match ? match[1]!.replace(/\\(.)/g, "$1").toLowerCase() : undefined;
}

/**
 * The parameter sizes a lower-cased model id names (`"8b"`, `"8x7b"`), empty when it names none.
 *
 * @example
 * sizesOf("together_ai/meta-llama-3.1-70b-instruct-turbo") // Set { "70b" }
 */
export function sizesOf(lower: string): Set<string> {
  const sizes = new Set<string>();
  for (const match of bare(lower).matchAll(SIZE)) sizes.add(match[1]!);
  return sizes;
}

/** The versions an entry's id, aliases and literal pattern starts name (empty: it names none). */
export function entryVersions(
  id: string,
  aliases: readonly string[],
  patterns: readonly string[],
): Set<string> {
  const versions = new Set<string>();
  for (const spelling of [id, ...aliases, ...patterns.map(literalPrefix)]) {
    if (spelling === undefined) continue;
    const version = versionOf(spelling.toLowerCase());
    if (version !== "") versions.add(version);
  }
  return versions;
}

/** The parameter sizes an entry's id, aliases and literal pattern starts name (empty: none). */
export function entrySizes(id: string, aliases: readonly string[], patterns: readonly string[]): Set<string> {
  const sizes = new Set<string>();
  for (const spelling of [id, ...aliases, ...patterns.map(literalPrefix)]) {
    if (spelling !== undefined) for (const size of sizesOf(spelling.toLowerCase())) sizes.add(size);
  }
  return sizes;
}

/**
 * True when an id naming `sizes` may be priced as an entry naming `entrySizes`: every size the id
 * names is one the entry names. An entry naming no size never prices an id that names one.
 */
export function sameSize(sizes: ReadonlySet<string>, entrySizes: ReadonlySet<string>): boolean {
  for (const size of sizes) if (!entrySizes.has(size)) return false;
  return true;
}

/**
 * True when an id (its `versionOf`) may be priced as an entry naming `versions`: the id names no
 * version, the entry names none, or the id names one of the entry's.
 */
export function sameVersion(version: string, versions: ReadonlySet<string>): boolean {
  return version === "" || versions.size === 0 || versions.has(version);
}
