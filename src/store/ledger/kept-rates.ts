import type { KeptPriceRates, NewLlmCostRecord } from "../cost-record.js";
import type { Queryable } from "../database.js";
import { quoteSchema } from "../schema-name.js";

// The rate sets events are priced with (migration 0010), stored once each. A writer remembers the
// refs it has stored, so a batch whose rates are all known costs no statement more.

/** The refs a writer knows to be stored (bounded: past the limit it starts afresh, costing a re-insert). */
export interface KnownRates {
  refs: Set<string>;
}

const KNOWN_LIMIT = 10_000;

/** An empty memory of stored rate sets. */
export function createKnownRates(): KnownRates {
  return { refs: new Set() };
}

/** The rate sets of `records` that `known` has not seen stored, one per ref. */
export function unknownRates(known: KnownRates, records: readonly NewLlmCostRecord[]): KeptPriceRates[] {
  let unknown: Map<string, KeptPriceRates> | undefined;
  let last: KeptPriceRates | undefined;
  for (let index = 0; index < records.length; index++) {
    const rates = records[index]!.priceRates;
    // Records of one batch mostly share a few rate objects: skip the same one seen just before.
    if (!rates || rates === last) continue;
    last = rates;
    if (known.refs.has(rates.ref) || unknown?.has(rates.ref)) continue;
    (unknown ??= new Map()).set(rates.ref, rates);
  }
  return unknown ? [...unknown.values()] : [];
}

/** Remembers refs whose rows committed. */
export function rememberRates(known: KnownRates, rates: readonly KeptPriceRates[]): void {
  if (known.refs.size + rates.length > KNOWN_LIMIT) known.refs.clear();
  for (const { ref } of rates) known.refs.add(ref);
}

/**
 * Stores rate sets not stored yet, in the caller's transaction. Values cross as text (JSON cast in
 * SQL), as every write of the store does.
 */
export async function keepRates(
  transaction: Queryable,
  schema: string,
  rates: readonly KeptPriceRates[],
): Promise<void> {
  if (rates.length === 0) return;
  await transaction.query(
    `INSERT INTO ${quoteSchema(schema)}.llm_pricing_rates (ref, catalog_id, provider, pricing_version, rates)
     SELECT ref, catalog_id, provider, pricing_version, rates::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         AS input (ref, catalog_id, provider, pricing_version, rates)
     ON CONFLICT (ref) DO NOTHING`,
    [
      rates.map((set) => set.ref),
      rates.map((set) => set.catalogId),
      rates.map((set) => set.provider),
      rates.map((set) => set.pricingVersion),
      rates.map((set) => JSON.stringify(set)),
    ],
  );
}

/** The rate set stored under `ref`, as it was stored, or undefined. */
export async function readRates(
  queryable: Queryable,
  schema: string,
  ref: string,
): Promise<Record<string, unknown> | undefined> {
  const rows = await queryable.query<{ rates: Record<string, unknown> | string }>(
    `SELECT rates FROM ${quoteSchema(schema)}.llm_pricing_rates WHERE ref = $1`,
    [ref],
  );
  const stored = rows[0]?.rates;
  if (stored === undefined) return undefined;
  return typeof stored === "string" ? (JSON.parse(stored) as Record<string, unknown>) : stored;
}
