import { LedgerError } from "../errors.js";

// Lower case, digits, `-` and `_`, starting with a letter or digit: a slug is typed on command lines,
// put in URLs and query parameters (`project=alpha`) and in metric labels, so it needs no escaping
// anywhere. Migration 0006 checks the same pattern.
const slugPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Whether `text` is a project slug (`alpha`, `team-a`). */
export function isProjectSlug(text: string): boolean {
  return slugPattern.test(text);
}

/** Checks a project slug (`alpha`, `team-a`), throwing `E_PROJECT_SLUG` with what is accepted. */
export function checkProjectSlug(slug: unknown): string {
  if (typeof slug === "string" && slugPattern.test(slug)) return slug;
  const shown = typeof slug === "string" ? JSON.stringify(slug.slice(0, 80)) : typeof slug;
  throw new LedgerError(
    "E_PROJECT_SLUG",
    `a project slug is 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit; got ${shown}`,
  );
}

/** Checks a display name: 1 to 200 characters after trimming, no control characters. */
export function checkProjectName(name: unknown): string {
  if (typeof name !== "string" || name.trim() === "" || name.trim().length > 200) {
    throw new LedgerError("E_PROJECT_NAME", "a project needs a name of 1 to 200 characters");
  }
  // Postgres text cannot hold NUL; other control characters would garble `projects list`.
  if (/\p{Cc}/u.test(name)) {
    throw new LedgerError("E_PROJECT_NAME", "a project name cannot contain control characters");
  }
  return name.trim();
}
