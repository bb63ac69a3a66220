import { LedgerError } from "../errors.js";
import type { PriceRateLine, PriceRates } from "./price-rates.js";

// Multiplies an event's counters by the rates it kept. Pure and exact: amounts are integers in
// 10^-18 dollars (a price of up to 12 decimal places per at most 10^6 units), so a sum of lines
// never rounds and equals the figure the pricer stored.

const SCALE = 18;
const PRICE_PATTERN = /^(\d{1,12})(?:\.(\d{1,12}))?$/;
const POWERS_OF_TEN = new Map(
  [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000].map((per) => [per, BigInt(per)]),
);

/** One line of an explanation: `units × price / per = amountUsd`. */
export interface ChargeLine extends PriceRateLine {
  units: number;
  amountUsd: string;
}

/** The lines of a rate set applied to an event's counters, and their exact total. */
export interface Charges {
  lines: ChargeLine[];
  totalUsd: string;
}

function scaledPrice(price: string): bigint {
  const match = PRICE_PATTERN.exec(price);
  if (!match)
    throw new LedgerError("E_PRICING_ARGUMENT", `a kept rate is not a price: ${JSON.stringify(price)}`);
  return BigInt((match[1] ?? "0") + (match[2] ?? "").padEnd(12, "0"));
}

/** Canonical decimal text of `units / 10^18` (a non-negative amount): no exponent, no trailing zeros. */
export function formatAtto(units: bigint): string {
  const digits = units.toString().padStart(SCALE + 1, "0");
  const whole = digits.slice(0, digits.length - SCALE);
  const fraction = digits.slice(whole.length).replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}

/** Parses a non-negative decimal string (a stored NUMERIC, trailing zeros allowed) to 10^-18 units. */
export function decimalToAtto(value: string): bigint {
  const match = /^(\d+)(?:\.(\d{0,18}))?$/.exec(value.trim());
  if (!match) throw new LedgerError("E_PRICING_ARGUMENT", `not a decimal amount: ${JSON.stringify(value)}`);
  return BigInt((match[1] ?? "0") + (match[2] ?? "").padEnd(SCALE, "0"));
}

/** A decimal amount in canonical form ("0.012300000000" → "0.0123"). */
export function canonicalDecimal(value: string): string {
  return formatAtto(decimalToAtto(value));
}

/**
 * Applies `rates` to the counters of an event (`counters.inputTokens`, …, whatever the lines name; a
 * counter absent counts 0). Every line is kept, with 0 units where the event had none.
 *
 * @example
 * const { lines, totalUsd } = chargesOf(rates, { inputTokens: 1200, outputTokens: 300 });
 */
export function chargesOf(
  rates: Pick<PriceRates, "lines">,
  counters: Readonly<Record<string, unknown>>,
): Charges {
  let total = 0n;
  const lines = rates.lines.map((line): ChargeLine => {
    const per = POWERS_OF_TEN.get(line.per);
    if (per === undefined) {
      throw new LedgerError("E_PRICING_ARGUMENT", `a kept rate's unit is not a power of ten: ${line.per}`);
    }
    const counted = counters[line.usage];
    const units = typeof counted === "number" && Number.isSafeInteger(counted) && counted > 0 ? counted : 0;
    // price has 12 decimal places; × 10^6 / per (per divides 10^6) brings it to 18.
    const amount = (BigInt(units) * scaledPrice(line.price) * 1_000_000n) / per;
    total += amount;
    return { ...line, units, amountUsd: formatAtto(amount) };
  });
  return { lines, totalUsd: formatAtto(total) };
}
