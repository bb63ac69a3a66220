import type { BillLine, ModelResolver } from "./bill-line.js";

/** One page of a provider's cost report, read into bill lines. */
export interface CostPage {
  /** Every UTC day the page has a bucket for, lines or none. */
  days: string[];
  lines: BillLine[];
  hasMore: boolean;
  nextPage: string | null;
}

/** What differs between the providers' cost report APIs; `paginated-report.ts` does the rest. */
export interface CostApi {
  provider: "openai" | "anthropic";
  /** The environment variable holding the admin key. */
  keyVariable: string;
  /** Where the API lives unless `--api-base` says otherwise (an origin, with no path). */
  defaultBase: string;
  /** A page's URL: the report's path under `base`, the window, and the cursor of the page. */
  pageUrl(base: string, window: { from: Date; to: Date }, page: string | undefined): URL;
  headers(key: string): Record<string, string>;
  /** The page read into lines, or a reason naming what the answer lacks. */
  parsePage(body: unknown, resolveModel: ModelResolver): CostPage | string;
  /** Where an admin key is made, for the message when one is missing or refused. */
  keyHelp: string;
}

/** `base` (an origin, optionally with a path prefix) joined with an absolute API path. */
export function joinBase(base: string, path: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${path}`;
  return url;
}

/** The field of a plain object, or undefined. */
export function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.hasOwn(value, name)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

/** `has_more` and `next_page`, as both providers spell them, or a reason. */
export function readCursor(body: unknown): { hasMore: boolean; nextPage: string | null } | string {
  const hasMore = field(body, "has_more");
  const nextPage = field(body, "next_page") ?? null;
  if (typeof hasMore !== "boolean") return "has_more is not true or false";
  if (nextPage !== null && typeof nextPage !== "string") return "next_page is not a string or null";
  return { hasMore, nextPage };
}
