import { LedgerError } from "../errors.js";
import { unstorableText } from "../events/index.js";
import { canonicalAmount } from "./bill-amount.js";
import { attributeModel, type Bill, type BillLine, type ModelResolver } from "./bill-line.js";
import { csvRecords } from "./csv-records.js";
import { isBillDay } from "./bill-days.js";

// The documented layout of a bill file (docs/bills.md): CSV with a header line, or JSONL, one line
// item per row. Every row is checked before anything is stored; one bad row refuses the whole file.

const MAX_TEXT = 500;
const MAX_REPORTED = 20;
const columns = ["date", "provider", "line_item", "model", "account", "amount", "currency"] as const;
type Column = (typeof columns)[number];
const jsonKeys: Record<string, Column> = {
  date: "date",
  provider: "provider",
  lineItem: "line_item",
  line_item: "line_item",
  model: "model",
  account: "account",
  amount: "amount",
  currency: "currency",
};

/** What a bill file is read with: its provider (canonical) and the model resolver. */
export interface BillFileOptions {
  /** The file's name, for messages. */
  name: string;
  provider: string;
  resolveModel: ModelResolver;
  /** Checks a row's provider cell: its canonical name, or undefined when unknown. */
  normalizeProvider(name: string): string | undefined;
}

type Cells = Partial<Record<Column, string>>;

/** One row's line, or why it cannot be stored. */
function parseRow(cells: Cells, options: BillFileOptions): BillLine | string {
  for (const column of columns) {
    const value = cells[column];
    if (value === undefined) continue;
    const bad = unstorableText(value);
    if (bad) return `${column} ${bad}`;
    if (value.length > MAX_TEXT) return `${column} is longer than ${MAX_TEXT} characters`;
  }
  const date = cells.date?.trim() ?? "";
  if (!isBillDay(date)) return `date must be a UTC day as YYYY-MM-DD, got '${date}'`;
  const provider = cells.provider?.trim();
  if (provider) {
    const canonical = options.normalizeProvider(provider);
    if (canonical !== options.provider) {
      return `provider '${provider}' is not ${options.provider} (--provider): import one provider's bill per file`;
    }
  }
  const lineItem = cells.line_item?.trim() || undefined;
  const model = cells.model?.trim() || undefined;
  if (!lineItem && !model) return "needs a line_item or a model";
  const amountText = cells.amount?.trim() ?? "";
  const amount = canonicalAmount(amountText);
  if (amount === undefined) {
    return `amount must be a plain decimal such as 12.34 (no currency sign, separator or exponent), got '${amountText}'`;
  }
  const currency = cells.currency?.trim().toUpperCase() ?? "";
  if (!/^[A-Z]{3}$/.test(currency))
    return `currency must be a 3-letter ISO code such as USD, got '${cells.currency ?? ""}'`;
  return {
    provider: options.provider,
    day: date,
    lineItem: lineItem ?? model!,
    model: model === undefined ? null : attributeModel(options.resolveModel, model, options.provider),
    account: cells.account?.trim() || null,
    amount,
    currency,
  };
}

function csvRows(text: string): { rows: Array<{ line: number; cells: Cells }>; problems: string[] } {
  const { records, error } = csvRecords(text.startsWith("\uFEFF") ? text.slice(1) : text);
  const problems = error ? [`${error.line}: ${error.reason}`] : [];
  const [header, ...body] = records;
  if (!header)
    return { rows: [], problems: [...problems, "1: the file is empty (a header line is expected)"] };
  const names = header.cells.map((cell) => cell.trim().toLowerCase());
  const unknown = names.filter((name) => !(columns as readonly string[]).includes(name));
  const missing = (["date", "amount", "currency"] as const).filter((name) => !names.includes(name));
  if (unknown.length > 0 || missing.length > 0) {
    const parts = [
      ...(unknown.length > 0 ? [`unknown column(s) ${unknown.map((name) => `'${name}'`).join(", ")}`] : []),
      ...(missing.length > 0 ? [`missing column(s) ${missing.join(", ")}`] : []),
    ];
    return {
      rows: [],
      problems: [`${header.line}: ${parts.join("; ")}; the columns are ${columns.join(", ")}`],
    };
  }
  const rows = body.map((record) => {
    if (record.cells.length !== names.length) {
      return { line: record.line, cells: { date: undefined }, count: record.cells.length };
    }
    const cells: Cells = {};
    names.forEach((name, index) => (cells[name as Column] = record.cells[index]));
    return { line: record.line, cells };
  });
  for (const row of rows) {
    if ("count" in row) problems.push(`${row.line}: ${row.count} cells where the header has ${names.length}`);
  }
  return { rows: rows.filter((row) => !("count" in row)), problems };
}

function jsonlRows(text: string): { rows: Array<{ line: number; cells: Cells }>; problems: string[] } {
  const rows: Array<{ line: number; cells: Cells }> = [];
  const problems: string[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      problems.push(`${line}: not JSON (${(error as Error).message})`);
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.push(`${line}: each line must be a JSON object`);
      return;
    }
    const cells: Cells = {};
    for (const [key, item] of Object.entries(value)) {
      const column = Object.hasOwn(jsonKeys, key) ? jsonKeys[key] : undefined;
      if (!column) {
        problems.push(`${line}: unknown field '${key}'; the fields are ${Object.keys(jsonKeys).join(", ")}`);
        return;
      }
      if (item === null) continue;
      if (typeof item !== "string") {
        // A JSON number has already lost exactness in the parser: amounts must arrive as text.
        problems.push(
          `${line}: ${key} must be a string${key === "amount" ? ' (a decimal string such as "12.34")' : ""}`,
        );
        return;
      }
      cells[column] = item;
    }
    rows.push({ line, cells });
  });
  return { rows, problems };
}

/** CSV unless the file is named .jsonl/.ndjson or its first non-blank character opens a JSON object. */
export function isJsonlBill(name: string, text: string): boolean {
  if (/\.(jsonl|ndjson)$/i.test(name)) return true;
  if (/\.csv$/i.test(name)) return false;
  return text.trimStart().startsWith("{");
}

/**
 * Reads a bill file (CSV with a header, or JSONL) into one provider's bill. Every row is checked;
 * any bad row throws `E_BILLS_FILE` naming up to 20 bad lines (`name:LINE: reason`), so nothing of
 * the file is stored.
 */
export function parseBillFile(text: string, options: BillFileOptions): Bill {
  const { rows, problems } = isJsonlBill(options.name, text) ? jsonlRows(text) : csvRows(text);
  const lines: BillLine[] = [];
  for (const row of rows) {
    const parsed = parseRow(row.cells, options);
    if (typeof parsed === "string") problems.push(`${row.line}: ${parsed}`);
    else lines.push(parsed);
  }
  if (problems.length === 0 && lines.length === 0) problems.push("1: the file holds no bill lines");
  if (problems.length > 0) {
    const sorted = problems.sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    const shown = sorted.slice(0, MAX_REPORTED).map((problem) => `${options.name}:${problem}`);
    const more = sorted.length > MAX_REPORTED ? [`… and ${sorted.length - MAX_REPORTED} more`] : [];
    throw new LedgerError(
      "E_BILLS_FILE",
      [`${sorted.length} bad row(s); nothing was imported:`, ...shown, ...more].join("\n"),
    );
  }
  return { provider: options.provider, source: "file", days: [], lines };
}
