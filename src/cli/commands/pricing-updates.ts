import path from "node:path";
import { pathToFileURL } from "node:url";
import type { CommandContext, CommandDefinition } from "../command.js";
import { parseDurationValue } from "../duration-value.js";
import { booleanOption, integerOption, stringOption } from "../option-values.js";
import { UsageError } from "../usage-error.js";
import {
  catalogInForce,
  DEFAULT_FETCH_TIMEOUT_MS,
  homeOf,
  PRICING_URL_VARIABLE,
  updateCatalog,
  type FetchLimits,
} from "../../pricing-updates/index.js";
import {
  bundleCatalog,
  loadCatalogData,
  PRICING_FILE_VARIABLE,
  validateCatalogBundle,
} from "../../pricing/index.js";

/** Options shared by `pricing update` and `serve --pricing-refresh`: how a catalog is fetched. */
export const catalogFetchOptions = {
  "allow-internal-urls": {
    type: "boolean",
    description: "let the catalog URL reach loopback, private, link-local and unique-local addresses",
  },
  "pricing-timeout": {
    type: "string",
    valueName: "DURATION",
    description: `give up a catalog fetch after this long (default ${DEFAULT_FETCH_TIMEOUT_MS / 1000}s)`,
  },
} as const;

/** The fetch limits the command line asks for. */
export function fetchLimitsOf(context: CommandContext): FetchLimits {
  const timeout = stringOption(context, "pricing-timeout");
  return {
    allowInternalUrls: booleanOption(context, "allow-internal-urls"),
    ...(timeout === undefined
      ? {}
      : { timeoutMs: parseDurationValue("pricing-timeout", timeout, { minMs: 100, maxMs: 600_000 }) }),
  };
}

/** The catalog source: `--from`, else `LLM_LEDGER_PRICING_URL` (there is no built-in default host). */
export function catalogSourceOf(context: CommandContext, flag: string): string | undefined {
  return stringOption(context, flag) ?? (context.io.env[PRICING_URL_VARIABLE] || undefined);
}

async function runUpdate(context: CommandContext): Promise<number> {
  const from = catalogSourceOf(context, "from");
  if (from === undefined) {
    throw new UsageError(`give the catalog to fetch with --from URL|FILE or set ${PRICING_URL_VARIABLE}`);
  }
  const result = await updateCatalog({
    from,
    home: homeOf(context.io),
    cwd: context.io.cwd,
    ...fetchLimitsOf(context),
  });
  const { catalog: _catalog, previous, ...summary } = result;
  if (booleanOption(context, "json")) {
    context.io.stdout.write(JSON.stringify({ ...summary, previous: previous.version }) + "\n");
    return 0;
  }
  context.io.stdout.write(
    result.status === "updated"
      ? `updated the pricing catalog to ${result.version} from ${result.source} (was ${previous.version}, ${previous.origin})\n`
      : `the pricing catalog ${result.version} from ${result.source} is already in force; nothing changed\n`,
  );
  return 0;
}

const updateCommand: CommandDefinition = {
  name: "update",
  summary: "fetch a newer pricing catalog (a catalog bundle) and use it from now on",
  description: [
    `Reads a catalog bundle from --from (an https URL or a file) or ${PRICING_URL_VARIABLE}, validates it like`,
    "the shipped data, and caches it under $LLM_LEDGER_HOME/pricing/ when it is newer than the catalog in",
    "force; an older one is refused (exit 1). The CLI and the server price with it from then on.",
  ].join("\n"),
  options: {
    from: {
      type: "string",
      valueName: "URL|FILE",
      description: `catalog bundle (default $${PRICING_URL_VARIABLE})`,
    },
    ...catalogFetchOptions,
    json: { type: "boolean", description: "print one JSON object" },
  },
  run: runUpdate,
};

function runStatus(context: CommandContext): number {
  const inForce = catalogInForce(homeOf(context.io));
  const { catalog: _catalog, ...summary } = inForce;
  const overridesFile = context.io.env[PRICING_FILE_VARIABLE] || undefined;
  if (booleanOption(context, "json")) {
    context.io.stdout.write(JSON.stringify({ ...summary, overridesFile: overridesFile ?? null }) + "\n");
    return 0;
  }
  const lines = [
    `catalog   ${inForce.version} (${inForce.origin})`,
    `date      ${inForce.date}`,
    `source    ${inForce.source}`,
    ...(inForce.fetchedAt ? [`fetched   ${inForce.fetchedAt}`] : []),
    ...(inForce.cacheFile ? [`cache     ${inForce.cacheFile}`] : []),
    ...(inForce.note ? [`note      ${inForce.note}`] : []),
    ...(overridesFile ? [`overrides ${overridesFile} (${PRICING_FILE_VARIABLE}), applied on top`] : []),
  ];
  context.io.stdout.write(lines.join("\n") + "\n");
  return 0;
}

const statusCommand: CommandDefinition = {
  name: "status",
  summary: "which pricing catalog is in force, its date and its source",
  options: { json: { type: "boolean", description: "print one JSON object" } },
  run: (context) => Promise.resolve(runStatus(context)),
};

function runBundle(context: CommandContext): number {
  const directory = stringOption(context, "data");
  const data = loadCatalogData(
    directory === undefined ? undefined : pathToFileURL(path.resolve(context.io.cwd, directory) + path.sep),
  );
  const bundle = bundleCatalog(data, integerOption(context, "revision", { min: 0 }) ?? 0);
  // Validated as `pricing update` will validate it, so a bundle that prints is a bundle that loads.
  validateCatalogBundle(bundle, "bundle");
  context.io.stdout.write(JSON.stringify(bundle) + "\n");
  return 0;
}

const bundleCommand: CommandDefinition = {
  name: "bundle",
  summary: "print a catalog directory (default the shipped catalog) as one catalog bundle to publish",
  description:
    "Example: llm-ledger pricing bundle --data data/pricing > catalog.json, then publish catalog.json where\n" +
    `${PRICING_URL_VARIABLE} points. The bundle's date is catalog.json's "date"; --revision N republishes a date.`,
  options: {
    data: {
      type: "string",
      valueName: "DIR",
      description: "directory laid out as data/pricing (catalog.json and one file per provider)",
    },
    revision: { type: "string", valueName: "N", description: "same-day republication number (default 0)" },
  },
  run: (context) => Promise.resolve(runBundle(context)),
};

/** `pricing update`, `pricing status` and `pricing bundle`. */
export const catalogUpdateCommands = [updateCommand, statusCommand, bundleCommand];
