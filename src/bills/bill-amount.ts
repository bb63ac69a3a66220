// Bill amounts stay exact decimal text from the provider's answer to the table: OpenAI sends dollars
// as JSON numbers, Anthropic cents as decimal strings, files send text. Nothing here is summed; the
// database adds them as NUMERIC.

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;
const MAX_DIGITS = 40;

/** Canonical decimal text ("1.50" → "1.5", "-0" → "0", "007" → "7"), or undefined when not a plain decimal. */
export function canonicalAmount(text: string): string | undefined {
  const match = DECIMAL.exec(text.trim());
  if (!match) return undefined;
  const whole = match[2]!.replace(/^0+(?=\d)/, "");
  const fraction = (match[3] ?? "").replace(/0+$/, "");
  if (whole.length + fraction.length > MAX_DIGITS) return undefined;
  const magnitude = fraction ? `${whole}.${fraction}` : whole;
  return match[1] && magnitude !== "0" ? `-${magnitude}` : magnitude;
}

/** Moves the decimal point `places` to the left: cents → dollars is `shiftLeft(cents, 2)`. */
export function shiftLeft(amount: string, places: number): string {
  const negative = amount.startsWith("-");
  const [whole = "0", fraction = ""] = (negative ? amount.slice(1) : amount).split(".");
  const padded = whole.padStart(places + 1, "0");
  const shifted = `${padded.slice(0, padded.length - places)}.${padded.slice(padded.length - places)}${fraction}`;
  return canonicalAmount(`${negative ? "-" : ""}${shifted}`)!;
}

/**
 * The decimal a JSON number stands for. JavaScript prints the shortest text that reads back as the
 * same double, which is the text the provider sent whenever it sent at most 17 significant digits;
 * exponents (`1e-7`) are written out.
 */
export function numberToAmount(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = String(value);
  const exponent = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!exponent) return canonicalAmount(text);
  const [, sign, whole, fraction = "", power] = exponent;
  const digits = whole! + fraction;
  const point = whole!.length + Number(power);
  const placed =
    point <= 0
      ? `0.${"0".repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + "0".repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return canonicalAmount(`${sign}${placed}`);
}
