import type { CommandContext } from "../command.js";
import { parseDurationValue } from "../duration-value.js";
import { stringOption } from "../option-values.js";
import { parseSince } from "../report-options.js";
import { UsageError } from "../usage-error.js";
import { billModelResolver } from "./bills.js";
import { billingApis, importProviderBill } from "../../bills/index.js";
import type { BillImporter, BillsRefreshOptions } from "../../server/bills-refresh.js";

/** `serve --bills-refresh` and `--bills-api-base`. */
export const billsRefreshOptions = {
  "bills-refresh": {
    type: "string",
    valueName: "DURATION",
    description:
      "import the last 30 days of the providers' bills this often (e.g. 24h), for each of OPENAI_ADMIN_KEY and ANTHROPIC_ADMIN_KEY that is set",
  },
  "bills-api-base": {
    type: "string",
    valueName: "URL",
    description: "the cost APIs' origin instead of the providers' (a proxy; may be a private address)",
  },
} as const;

/** The scheduled bill imports the command line asks for, or undefined; usage errors before the server starts. */
export function billsRefreshOf(context: CommandContext): BillsRefreshOptions | undefined {
  const every = stringOption(context, "bills-refresh");
  const apiBase = stringOption(context, "bills-api-base");
  if (every === undefined) {
    if (apiBase !== undefined) throw new UsageError("--bills-api-base applies with --bills-refresh");
    return undefined;
  }
  const everyMs = parseDurationValue("bills-refresh", every, { minMs: 60_000 });
  if (apiBase !== undefined && !/^https?:\/\/[^/]/.test(apiBase)) {
    throw new UsageError(`--bills-api-base must be an http(s) URL, got '${apiBase}'`);
  }
  const resolveModel = billModelResolver(context);
  const importers: BillImporter[] = Object.values(billingApis)
    .filter((api) => (context.io.env[api.keyVariable] ?? "").trim() !== "")
    .map((api) => ({
      provider: api.provider,
      run: (store, signal) => {
        const to = new Date();
        return importProviderBill({
          database: store.database,
          schema: store.schema,
          provider: api.provider,
          key: context.io.env[api.keyVariable],
          apiBase,
          allowInternalUrls: apiBase !== undefined,
          from: parseSince("30d", to),
          to,
          resolveModel,
          signal,
        });
      },
    }));
  if (importers.length === 0) {
    throw new UsageError(
      `--bills-refresh needs an admin key: set ${Object.values(billingApis)
        .map((api) => api.keyVariable)
        .join(" or ")}`,
    );
  }
  return { everyMs, importers };
}
