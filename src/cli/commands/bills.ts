import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { CommandContext, CommandDefinition } from "../command.js";
import { databaseOptions } from "../database-option.js";
import { formatOptions, outputFormat } from "../output-format.js";
import { booleanOption, requiredStringOption, stringOption } from "../option-values.js";
import { UsageError } from "../usage-error.js";
import { parseSince, parseTime, schemaOption, withStore } from "../report-options.js";
import { pricingFor } from "./pricing-options.js";
import {
  billingApis,
  importProviderBill,
  parseBillFile,
  replaceBill,
  type BillingProvider,
  type ModelResolver,
} from "../../bills/index.js";
import { LedgerError } from "../../errors.js";
import { normalizeProvider } from "../../pricing/index.js";

const MAX_FILE_BYTES = 50 * 1024 * 1024;

/** The canonical model id of a bill's model, through the pricing in force (so bills and events meet). */
export function billModelResolver(context: Pick<CommandContext, "io">): ModelResolver {
  const pricing = pricingFor(context as CommandContext);
  return (model, provider) => pricing.resolveModel(model, provider)?.model;
}

function providerOf(context: CommandContext): string {
  const given = requiredStringOption(context, "provider");
  const provider = normalizeProvider(given);
  if (provider === undefined) throw new UsageError(`--provider '${given}' is not a known provider or alias`);
  return provider;
}

/** The import window: `--since` (default 30d) to `--until` (default now). */
function importWindow(context: CommandContext, now = new Date()): { from: Date; to: Date } {
  const from = parseSince(stringOption(context, "since") ?? "30d", now);
  const untilText = stringOption(context, "until");
  const to = untilText === undefined ? now : parseTime(untilText, "until");
  if (from.getTime() >= to.getTime()) throw new UsageError("--since must reach back before --until");
  return { from, to };
}

async function importFile(context: CommandContext, file: string, provider: string) {
  const resolved = path.resolve(context.io.cwd, file);
  const size = (await stat(resolved)).size;
  if (size > MAX_FILE_BYTES) {
    throw new LedgerError(
      "E_BILLS_FILE",
      `${file} is ${size} bytes, above the ${MAX_FILE_BYTES}-byte limit of a bill file`,
    );
  }
  const bill = parseBillFile(await readFile(resolved, "utf8"), {
    name: path.basename(resolved),
    provider,
    resolveModel: billModelResolver(context),
    normalizeProvider: (name) => normalizeProvider(name),
  });
  const stored = await withStore(context, (store) => replaceBill(store.database, store.schema, bill));
  const days = new Set(bill.lines.map((line) => line.day)).size;
  return { provider, source: "file", days, lines: stored.written, removed: stored.removed };
}

async function importApi(context: CommandContext, provider: string) {
  if (!Object.hasOwn(billingApis, provider)) {
    throw new UsageError(
      `--provider ${provider}: bills are read from the APIs of ${Object.keys(billingApis).join(" and ")}; import others with --file`,
    );
  }
  const api = billingApis[provider as BillingProvider];
  const apiBase = stringOption(context, "api-base");
  if (apiBase !== undefined && !/^https?:\/\/[^/]/.test(apiBase)) {
    throw new UsageError(
      `--api-base must be an http(s) URL such as https://api.openai.com, got '${apiBase}'`,
    );
  }
  const { from, to } = importWindow(context);
  const result = await withStore(context, (store) =>
    importProviderBill({
      database: store.database,
      schema: store.schema,
      provider: api.provider,
      key: context.io.env[api.keyVariable],
      apiBase,
      from,
      to,
      resolveModel: billModelResolver(context),
      // A base typed on the command line is the operator's own choice (a test's fake, a proxy).
      allowInternalUrls: apiBase !== undefined || booleanOption(context, "allow-internal-urls"),
    }),
  );
  return { ...result, source: "api" };
}

const importCommand: CommandDefinition = {
  name: "import",
  summary: "import a provider's bill from its cost report API, or from a CSV/JSONL file",
  description: [
    "From the API (openai, anthropic): the organization's daily cost report over --since (default 30d) to",
    "--until, read with the admin key in OPENAI_ADMIN_KEY or ANTHROPIC_ADMIN_KEY (never printed or stored).",
    "Every page is read before anything is written; the days read replace what an earlier import of the",
    "same provider and source stored, so running it again (nightly) is safe.",
    "From a file (--file): CSV with a header (date, line_item, model, amount, currency; optional provider,",
    "account) or JSONL with the same fields (lineItem or line_item; amount as a decimal string); every",
    "row is checked first and one bad row imports nothing. See docs/bills.md.",
    "--api-base points the import at another host (a proxy, a test's fake); given on the command line it",
    "may be a loopback or private address.",
  ].join("\n"),
  options: {
    provider: {
      type: "string",
      valueName: "NAME",
      description: "openai or anthropic (API); any provider with --file",
    },
    file: { type: "string", valueName: "FILE", description: "a CSV or JSONL bill file instead of the API" },
    since: {
      type: "string",
      valueName: "AGE",
      description: "days to import: today and the AGE−1 days before (default 30d)",
    },
    until: { type: "string", valueName: "TIME", description: "exclusive end of the import (default now)" },
    "api-base": {
      type: "string",
      valueName: "URL",
      description: "the API's origin instead of the provider's",
    },
    "allow-internal-urls": {
      type: "boolean",
      description: "let the API host resolve to a loopback or private address",
    },
    ...databaseOptions,
    ...schemaOption,
    ...formatOptions,
  },
  async run(context) {
    const provider = providerOf(context);
    const file = stringOption(context, "file");
    const apiOnly = ["api-base", "since", "until"].filter(
      (name) => stringOption(context, name) !== undefined,
    );
    if (file !== undefined && apiOnly.length > 0) {
      throw new UsageError(`--file imports the days in the file: --${apiOnly[0]} applies to the API only`);
    }
    const result =
      file === undefined ? await importApi(context, provider) : await importFile(context, file, provider);
    if (outputFormat(context) === "json") context.io.stdout.write(JSON.stringify(result) + "\n");
    else {
      context.io.stdout.write(
        `imported ${result.provider}'s bill (${result.source}): ${result.lines} line(s) over ${result.days} day(s); ` +
          `${result.removed} line(s) stored before for those days replaced\n`,
      );
    }
  },
};

/** `llm-ledger bills`: what the providers charged, beside the ledger (`reconcile --against bills`). */
export const billsCommand: CommandDefinition = {
  name: "bills",
  summary: "import what the providers billed, to compare with the ledger (reconcile --against bills)",
  subcommands: [importCommand],
};
