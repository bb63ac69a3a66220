import { LedgerError } from "../errors.js";
import type { Database } from "../store/index.js";
import { anthropicCosts } from "./anthropic-costs.js";
import type { Bill, BillLine, ModelResolver } from "./bill-line.js";
import { replaceBill } from "./bill-store.js";
import type { CostApi } from "./cost-api.js";
import { openaiCosts } from "./openai-costs.js";
import { getProviderPage, shownUrl, type RequestPolicy } from "./provider-request.js";

/** The providers whose cost report API llm-ledger reads. */
export const billingApis = { openai: openaiCosts, anthropic: anthropicCosts } as const;
export type BillingProvider = keyof typeof billingApis;

/** What `importProviderBill` needs. */
export interface ImportBillOptions extends RequestPolicy {
  database: Database;
  schema?: string | undefined;
  provider: BillingProvider;
  /** The admin key (from `OPENAI_ADMIN_KEY` / `ANTHROPIC_ADMIN_KEY`): sent, never printed or stored. */
  key: string | undefined;
  /** Where the API lives instead of the provider's own host (tests, a proxy). */
  apiBase?: string | undefined;
  from: Date;
  to: Date;
  resolveModel: ModelResolver;
  /** Pages read before the pagination is judged endless; default 400 (a year of daily pages twice over). */
  maxPages?: number | undefined;
}

/** What an import did. */
export interface ImportBillResult {
  provider: BillingProvider;
  pages: number;
  days: number;
  lines: number;
  /** Rows the import replaced (an earlier import of the same days). */
  removed: number;
}

/** The provider's message from an error answer (both use `{ error: { message } }`), the key masked. */
function providerMessage(text: string, key: string): string {
  let message = text.slice(0, 300);
  try {
    const error = (JSON.parse(text) as { error?: { message?: unknown } }).error;
    if (typeof error?.message === "string") message = error.message;
  } catch {
    // Not JSON: the text itself, cut short.
  }
  return message.replaceAll(key, "***").replace(/\s+/g, " ").trim();
}

/** Reads every page of the report over the window; nothing is stored until all of it has been read. */
async function readReport(api: CostApi, options: ImportBillOptions, key: string) {
  const base = options.apiBase ?? api.defaultBase;
  const window = { from: options.from, to: options.to };
  const maxPages = options.maxPages ?? 400;
  const seenPages = new Set<string>();
  const seenDays = new Set<string>();
  const lines: BillLine[] = [];
  let page: string | undefined;
  for (let pages = 1; ; pages++) {
    const url = api.pageUrl(base, window, page);
    const answer = await getProviderPage(url, api.headers(key), options);
    if (answer.status === 401 || answer.status === 403) {
      throw new LedgerError(
        "E_BILLS_KEY",
        `${api.keyVariable} was refused by ${shownUrl(url)} (HTTP ${answer.status}: ${providerMessage(answer.text, key)}); ` +
          `it must be ${api.keyHelp}. Nothing was imported.`,
      );
    }
    if (answer.status !== 200) {
      throw new LedgerError(
        "E_BILLS_FETCH",
        `${shownUrl(url)}: HTTP ${answer.status} (${providerMessage(answer.text, key)}). Nothing was imported.`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      throw new LedgerError(
        "E_BILLS_RESPONSE",
        `${shownUrl(url)}: page ${pages} is not JSON. Nothing was imported.`,
      );
    }
    const parsed = api.parsePage(body, options.resolveModel);
    if (typeof parsed === "string") {
      throw new LedgerError(
        "E_BILLS_RESPONSE",
        `${shownUrl(url)}: page ${pages}: ${parsed}. Nothing was imported.`,
      );
    }
    for (const day of parsed.days) {
      // A day comes in one bucket: seeing it again means the pages go round (a faulty proxy).
      if (seenDays.has(day)) {
        throw new LedgerError(
          "E_BILLS_PAGINATION",
          `${shownUrl(url)}: page ${pages} repeats the day ${day}; the pagination goes round. Nothing was imported.`,
        );
      }
      seenDays.add(day);
    }
    lines.push(...parsed.lines);
    if (!parsed.hasMore) return { pages, days: [...seenDays], lines };
    if (!parsed.nextPage) {
      throw new LedgerError(
        "E_BILLS_PAGINATION",
        `${shownUrl(url)}: page ${pages} has more but no next_page. Nothing was imported.`,
      );
    }
    if (seenPages.has(parsed.nextPage)) {
      throw new LedgerError(
        "E_BILLS_PAGINATION",
        `${shownUrl(url)}: page ${pages} points back to a page already read; the pagination goes round. Nothing was imported.`,
      );
    }
    if (pages >= maxPages) {
      throw new LedgerError(
        "E_BILLS_PAGINATION",
        `${shownUrl(url)}: more than ${maxPages} pages for ${seenDays.size} day(s); the pagination does not end. Nothing was imported.`,
      );
    }
    seenPages.add(parsed.nextPage);
    page = parsed.nextPage;
  }
}

/**
 * Imports a provider's daily cost report over a window through its admin API, in place of what an
 * earlier API import stored for the same days (idempotent). Every page is read before anything is
 * written, in one transaction: a missing or refused key (`E_BILLS_KEY`), a page that keeps failing
 * (`E_BILLS_FETCH`), an answer of the wrong shape (`E_BILLS_RESPONSE`) or pagination that repeats or
 * never ends (`E_BILLS_PAGINATION`) leaves the table as it was.
 *
 * @example
 * await importProviderBill({ database, provider: "openai", key: process.env.OPENAI_ADMIN_KEY,
 *   from: new Date("2026-11-01"), to: new Date(), resolveModel })
 */
export async function importProviderBill(options: ImportBillOptions): Promise<ImportBillResult> {
  const api = billingApis[options.provider];
  const key = options.key?.trim();
  if (!key) {
    throw new LedgerError(
      "E_BILLS_KEY",
      `${api.keyVariable} is not set: importing ${api.provider}'s bill needs ${api.keyHelp} in it. Nothing was imported.`,
    );
  }
  const report = await readReport(api, options, key);
  const bill: Bill = { provider: api.provider, source: "api", days: report.days, lines: report.lines };
  const stored = await replaceBill(options.database, options.schema ?? "public", bill);
  return {
    provider: options.provider,
    pages: report.pages,
    days: report.days.length,
    lines: stored.written,
    removed: stored.removed,
  };
}
