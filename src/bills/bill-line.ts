/** Where a bill line came from: a provider's cost API, or a file a person imported. */
export type BillSource = "api" | "file";

/** One line of a provider's bill for one UTC day, as stored in `llm_ledger_bills`. */
export interface BillLine {
  /** The provider billing it, as events name it (`openai`, `anthropic`, `aws-bedrock`, …). */
  provider: string;
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  /** The provider's own words for the line. */
  lineItem: string;
  /** The canonical model id when the line names a model (the id as given when the catalog does not know it). */
  model: string | null;
  /** The provider's project or workspace id, when the report is grouped by it. */
  account: string | null;
  /** Exact decimal text in `currency` units (dollars for USD, never cents). */
  amount: string;
  /** ISO 4217 code, upper case. */
  currency: string;
}

/**
 * A bill for a set of days: the lines, and every day the bill covers (a day without lines is a day
 * billed at nothing, and replaces what an earlier import stored for it).
 */
export interface Bill {
  provider: string;
  source: BillSource;
  days: string[];
  lines: BillLine[];
}

/** Turns a model id into the canonical id events are grouped by (the pricing resolver's), or undefined. */
export type ModelResolver = (model: string, provider: string) => string | undefined;

/** The canonical model of `model`, or `model` itself when the resolver does not know it. */
export function attributeModel(resolve: ModelResolver, model: string, provider: string): string {
  return resolve(model, provider) ?? model;
}
