import {
  chargesOf,
  type KeptDiscount,
  type PriceRateLine,
  type PriceRates,
  type Provider,
} from "../pricing/index.js";

// A stored rate set read back (migration 0010). It was written by our pricer, but a database row is
// input like any other: a record of another shape is "unreadable", never a crash or a wrong sum.

const isText = (value: unknown): value is string => typeof value === "string";
const textOrNull = (value: unknown): value is string | null => value === null || isText(value);

function lineOf(value: unknown): PriceRateLine | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const line = value as Record<string, unknown>;
  const { kind, bucket, usage, price, per, billedAs, rule } = line;
  if ((kind !== "tokens" && kind !== "fee") || !isText(bucket) || !isText(usage) || !isText(price)) {
    return undefined;
  }
  if (typeof per !== "number" || (billedAs !== undefined && billedAs !== "input")) return undefined;
  if (rule !== undefined && !isText(rule)) return undefined;
  const parsed: PriceRateLine = { kind, bucket, usage, price, per };
  if (billedAs === "input") parsed.billedAs = billedAs;
  if (rule !== undefined) parsed.rule = rule;
  return parsed;
}

const PERCENT = /^\d{1,2}(?:\.\d{1,4})?$/;

// A kept discount: absent (none applied), or every field of the shape the pricer writes.
function discountOf(value: unknown): KeptDiscount | undefined | false {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null) return false;
  const { percent, provider, model, project, source, notes } = value as Record<string, unknown>;
  if (!isText(percent) || !PERCENT.test(percent) || !isText(provider)) return false;
  if (![model, project, source, notes].every(textOrNull)) return false;
  return {
    percent,
    provider: provider as Provider,
    model: model as string | null,
    project: project as string | null,
    source: source as string | null,
    notes: notes as string | null,
  };
}

// A kept time-of-day window: absent (none applied), or the fields the explanation reads.
function timeOfDayOf(value: unknown): PriceRates["timeOfDay"] | false {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null) return false;
  const { name, days, from, to, timeZone, label } = value as Record<string, unknown>;
  if (![name, from, to, timeZone, label].every(isText)) return false;
  if (!Array.isArray(days) || !days.every(isText)) return false;
  return value as PriceRates["timeOfDay"];
}

/** The rate set of a stored record, or undefined when the record is not one. */
export function keptRatesOf(value: Record<string, unknown>): PriceRates | undefined {
  const { ref, model, catalogId, provider, pricingVersion, matchedSpelling, tier } = value;
  if (![ref, model, catalogId, provider, pricingVersion, matchedSpelling, tier].every(isText))
    return undefined;
  const { note, periodFrom, source, checked, matchedBy, lines, imported, override } = value;
  if (![note, periodFrom, source, checked].every(textOrNull)) return undefined;
  if (!Array.isArray(matchedBy) || !matchedBy.every(isText) || !Array.isArray(lines)) return undefined;
  const parsedLines = lines.map(lineOf);
  if (!parsedLines.every((line) => line !== undefined)) return undefined;
  const discount = discountOf(value.discount);
  const timeOfDay = timeOfDayOf(value.timeOfDay);
  if (discount === false || timeOfDay === false) return undefined;
  // Every price must be one the explanation can multiply (a decimal, per a power of ten).
  try {
    chargesOf({ lines: parsedLines }, {});
  } catch {
    return undefined;
  }
  return {
    ...(value as unknown as PriceRates),
    matchedBy: matchedBy as PriceRates["matchedBy"],
    lines: parsedLines,
    imported: typeof imported === "object" && imported !== null ? (imported as PriceRates["imported"]) : null,
    override: override === true,
    ...(discount ? { discount } : {}),
  };
}
