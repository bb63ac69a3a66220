import { LedgerError } from "../errors.js";

/** Dollars per unit of each other currency a bill may be in (`{ EUR: "1.08" }`): exact decimal strings. */
export type CurrencyRates = Readonly<Record<string, string>>;

/**
 * The checked rates, USD included at 1: codes are three letters (upper-cased), rates positive plain
 * decimals. A bill in a currency without a rate is never mixed with dollars.
 */
export function checkRates(rates: CurrencyRates | undefined): { currencies: string[]; rates: string[] } {
  const checked = new Map<string, string>([["USD", "1"]]);
  for (const [code, rate] of Object.entries(rates ?? {})) {
    const currency = code.trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) {
      throw new LedgerError(
        "E_QUERY_OPTIONS",
        `rates: '${code}' is not a 3-letter currency code such as EUR`,
      );
    }
    if (
      typeof rate !== "string" ||
      !/^\d{1,9}(\.\d{1,12})?$/.test(rate.trim()) ||
      /^[0.]+$/.test(rate.trim())
    ) {
      throw new LedgerError(
        "E_QUERY_OPTIONS",
        `rates: the ${currency} rate must be a positive decimal of US dollars per ${currency} such as 1.08, got ${JSON.stringify(rate)}`,
      );
    }
    if (currency === "USD" && rate.trim() !== "1") {
      throw new LedgerError(
        "E_QUERY_OPTIONS",
        "rates: USD is the unit (rate 1) and cannot be given another rate",
      );
    }
    checked.set(currency, rate.trim());
  }
  return { currencies: [...checked.keys()], rates: [...checked.values()] };
}

/** Parses `EUR=1.08,GBP=1.27` (the CLI's `--rate` and the API's `rate` parameter). */
export function parseRates(text: string): Record<string, string> {
  const rates: Record<string, string> = {};
  for (const item of text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")) {
    const separator = item.indexOf("=");
    if (separator <= 0) {
      throw new LedgerError(
        "E_QUERY_OPTIONS",
        `rate must be CURRENCY=DOLLARS such as EUR=1.08, got '${item}'`,
      );
    }
    rates[item.slice(0, separator).trim().toUpperCase()] = item.slice(separator + 1).trim();
  }
  checkRates(rates);
  return rates;
}
