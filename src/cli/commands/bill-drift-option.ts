import { isLedgerError } from "../../errors.js";
import { checkBillDriftOptions, type BillDriftOptions } from "../../budgets/index.js";
import type { CommandContext } from "../command.js";
import { stringOption } from "../option-values.js";
import { UsageError } from "../usage-error.js";

/** `serve --bill-drift-percent`, `--bill-drift-days` and `--bill-drift-min-usd`: the drift alert, off unless a percent is given. */
export const billDriftOptions = {
  "bill-drift-percent": {
    type: "string",
    valueName: "PERCENT",
    description:
      "alert when a provider's bill and the ledger's estimate differ by more than this percent over the last days its bill covers (e.g. 10; off by default)",
  },
  "bill-drift-days": {
    type: "string",
    valueName: "N",
    description: "the drift alert's window in whole UTC days (default 7)",
  },
  "bill-drift-min-usd": {
    type: "string",
    valueName: "USD",
    description: "a drift below this many dollars never alerts (default 1)",
  },
} as const;

const flagOf: Record<string, string> = {
  percent: "bill-drift-percent",
  days: "bill-drift-days",
  minDifferenceUsd: "bill-drift-min-usd",
};

/** The drift rule the command line asks for, or undefined; a bad value is a usage error before the server starts. */
export function billDriftOf(
  context: CommandContext,
): Omit<BillDriftOptions, "at" | "dashboardUrl"> | undefined {
  const percent = stringOption(context, "bill-drift-percent");
  const daysText = stringOption(context, "bill-drift-days");
  const minDifferenceUsd = stringOption(context, "bill-drift-min-usd");
  if (percent === undefined) {
    if (daysText !== undefined || minDifferenceUsd !== undefined) {
      throw new UsageError("--bill-drift-days and --bill-drift-min-usd apply with --bill-drift-percent");
    }
    return undefined;
  }
  const days =
    daysText === undefined ? undefined : /^\d{1,3}$/.test(daysText) ? Number(daysText) : Number.NaN;
  const options = { percent, days, minDifferenceUsd };
  try {
    checkBillDriftOptions(options);
  } catch (error) {
    if (!isLedgerError(error)) throw error;
    const field = error.message.slice(0, error.message.indexOf(":"));
    throw new UsageError(`--${flagOf[field] ?? "bill-drift-percent"}${error.message.slice(field.length)}`);
  }
  return options;
}
