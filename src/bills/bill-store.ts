import type { Queryable } from "../store/index.js";
import { quoteSchema } from "../store/schema-name.js";
import type { Bill, BillLine, BillSource } from "./bill-line.js";

/** What a replacement did: the rows it removed and the rows it wrote. */
export interface ReplaceResult {
  removed: number;
  written: number;
}

/**
 * Stores a bill in place of what the same provider and source stored for the same days, in one
 * transaction: a re-import of the same report leaves the same rows, and a failure leaves the old ones.
 * Another source's rows for those days (a file beside the API) are left alone.
 */
export async function replaceBill(
  database: { transaction<T>(work: (transaction: Queryable) => Promise<T>): Promise<T> },
  schema: string,
  bill: Bill,
): Promise<ReplaceResult> {
  const table = `${quoteSchema(schema)}.llm_ledger_bills`;
  const days = [...new Set([...bill.days, ...bill.lines.map((line) => line.day)])].sort();
  return database.transaction(async (transaction) => {
    const removed = await transaction.query<{ id: string }>(
      `DELETE FROM ${table} WHERE provider = $1 AND source = $2 AND day = ANY($3::date[]) RETURNING id`,
      [bill.provider, bill.source, days],
    );
    if (bill.lines.length > 0) {
      const column = <Key extends keyof BillLine>(key: Key) => bill.lines.map((line) => line[key]);
      await transaction.query(
        `INSERT INTO ${table} (provider, day, source, line_item, model, account, amount, currency)
         SELECT provider, day, $8, line_item, model, account, amount, currency
           FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::text[])
                AS line(provider, day, line_item, model, account, amount, currency)`,
        [
          column("provider"),
          column("day"),
          column("lineItem"),
          column("model"),
          column("account"),
          column("amount"),
          column("currency"),
          bill.source,
        ],
      );
    }
    return { removed: removed.length, written: bill.lines.length };
  });
}

/** A stored bill line with its source. */
export interface StoredBillLine extends BillLine {
  source: BillSource;
}

/** The stored lines of a provider (every provider when omitted), in day and line order. */
export async function listBillLines(
  database: Queryable,
  schema: string,
  options: { provider?: string | undefined } = {},
): Promise<StoredBillLine[]> {
  const rows = await database.query<Record<string, string | null>>(
    `SELECT provider, to_char(day, 'YYYY-MM-DD') AS day, source, line_item, model, account,
            amount::text AS amount, currency
       FROM ${quoteSchema(schema)}.llm_ledger_bills
      WHERE $1::text IS NULL OR provider = $1
      ORDER BY provider, day, source, line_item COLLATE "C", account COLLATE "C" NULLS FIRST, id`,
    [options.provider ?? null],
  );
  return rows.map((row) => ({
    provider: row.provider!,
    day: row.day!,
    source: row.source as BillSource,
    lineItem: row.line_item!,
    model: row.model ?? null,
    account: row.account ?? null,
    amount: row.amount!,
    currency: row.currency!,
  }));
}
