import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CommandDefinition } from "../command.js";
import { databaseOptions, databaseUrlOf } from "../database-option.js";
import { booleanOption, integerOption, parseIntegerValue, stringOption } from "../option-values.js";
import { UsageError } from "../usage-error.js";
import { cliInvocation } from "../cli-invocation.js";
import { parseDurationValue } from "../duration-value.js";
import { catalogFetchOptions, catalogSourceOf, fetchLimitsOf } from "./pricing-updates.js";
import { billsRefreshOf, billsRefreshOptions } from "./bills-refresh-option.js";
import { billDriftOf, billDriftOptions } from "./bill-drift-option.js";
import {
  createCatalogRefresh,
  createPricingInForce,
  PRICING_URL_VARIABLE,
} from "../../pricing-updates/index.js";
import { parseSpanAttribution } from "../../integrations/opentelemetry/index.js";
import { createJsonLogger } from "../../server/server-logger.js";
import { createTextLogger } from "../text-logger.js";
import { defaultMaxConnectionsPerClient, startServer } from "../../server/start-server.js";

/** `llm-ledger serve`: the HTTP API and the dashboard (what `npm start` runs). */
export const serveCommand: CommandDefinition = {
  name: "serve",
  summary: "serve the HTTP API and the dashboard",
  description: [
    "Listens on HOST:PORT (default 127.0.0.1:8787; --port 0 picks a free port) over the database of",
    "--database-url / DATABASE_URL (default: the embedded PGlite under LLM_LEDGER_HOME). The admin key comes",
    "from LLM_LEDGER_ADMIN_KEY, or is generated on the first start and shown once. SIGINT/SIGTERM stop it",
    "gracefully: requests in flight finish and the database is closed. Behind a reverse proxy, pass",
    "--trust-proxy so its X-Forwarded-For/-Host/-Proto count (never without one); over HTTPS the session",
    "cookie is Secure by X-Forwarded-Proto from that proxy, or always with --secure-cookies.",
    "--pricing-refresh 24h fetches a newer pricing catalog on that schedule (and at start); a failed",
    "fetch keeps the catalog in force, is logged and counted in /metrics.",
    "--bills-refresh 24h imports the last 30 days of OpenAI's and Anthropic's bills on that schedule (and at",
    "start) with the admin keys in OPENAI_ADMIN_KEY / ANTHROPIC_ADMIN_KEY; /metrics has the last success.",
    "--bill-drift-percent 10 [--bill-drift-days 7] alerts the default targets when a provider's bill and the",
    "ledger's estimate differ by more than 10% over the last 7 days its bill covers (docs/budgets.md).",
    "--otlp-attribution FILE (JSON) changes which span attributes give the repo, task type, user, session,",
    "environment and metadata of events received on POST /v1/traces (docs/opentelemetry.md).",
  ].join("\n"),
  options: {
    ...databaseOptions,
    schema: { type: "string", valueName: "NAME", description: "schema holding the tables (default public)" },
    "read-database-url": {
      type: "string",
      valueName: "URL",
      description: "a read replica (postgres://) for reports and the dashboard; writes go to --database-url",
    },
    host: {
      type: "string",
      valueName: "HOST",
      description: "address to listen on (default $HOST, else 127.0.0.1)",
    },
    port: {
      type: "string",
      valueName: "PORT",
      description: "port (default $PORT, else 8787; 0 picks a free port)",
    },
    demo: {
      type: "boolean",
      description: "fill an in-memory database with 30 days of generated events (not with --database-url)",
    },
    "trust-proxy": {
      type: "boolean",
      description: "believe X-Forwarded-For/-Host/-Proto (only behind a reverse proxy that sets them)",
    },
    "secure-cookies": { type: "boolean", description: "always mark the session cookie Secure (HTTPS)" },
    "log-format": {
      type: "string",
      valueName: "FORMAT",
      choices: ["text", "json"],
      description: "the log on stderr: text lines (default) or one JSON object per line, for a log collector",
    },
    "pricing-refresh": {
      type: "string",
      valueName: "DURATION",
      description: `fetch a newer pricing catalog this often (e.g. 24h) from --pricing-from or $${PRICING_URL_VARIABLE}`,
    },
    "pricing-from": {
      type: "string",
      valueName: "URL|FILE",
      description: `catalog bundle the refresh reads (default $${PRICING_URL_VARIABLE})`,
    },
    ...catalogFetchOptions,
    ...billsRefreshOptions,
    "otlp-attribution": {
      type: "string",
      valueName: "FILE",
      description: "a JSON file mapping span attributes to repo, taskType, userId, … for POST /v1/traces",
    },
    "alert-interval": {
      type: "string",
      valueName: "DURATION",
      description: "evaluate budgets and deliver alerts this often (default 60s; also soon after an ingest)",
    },
    ...billDriftOptions,
    "allow-private-webhooks": {
      type: "boolean",
      description: "deliver alerts to loopback, private and link-local addresses too (refused by default)",
    },
    "max-connections-per-client": {
      type: "string",
      valueName: "N",
      description: `open connections allowed per client address (default ${defaultMaxConnectionsPerClient})`,
    },
  },
  async run(context) {
    const { env } = context.io;
    const portText = stringOption(context, "port") ?? env.PORT;
    const port = portText === undefined ? 8787 : parseIntegerValue("port", portText, { max: 65535 });
    const demo = booleanOption(context, "demo");
    // The demo fills an in-memory database of its own; a URL beside it would be silently ignored.
    if (demo && stringOption(context, "database-url") !== undefined) {
      throw new UsageError(
        "--demo runs on an in-memory database of its own and cannot use --database-url; drop one of them",
      );
    }
    const refreshText = stringOption(context, "pricing-refresh");
    const pricingFrom = catalogSourceOf(context, "pricing-from");
    if (refreshText !== undefined && pricingFrom === undefined) {
      throw new UsageError(
        `--pricing-refresh needs a catalog to fetch: --pricing-from URL|FILE or ${PRICING_URL_VARIABLE}`,
      );
    }
    // Parsed before the server starts, so a bad value is a usage error rather than a failed start.
    const pricingRefresh =
      refreshText === undefined || pricingFrom === undefined
        ? undefined
        : {
            everyMs: parseDurationValue("pricing-refresh", refreshText, { minMs: 1_000 }),
            refresh: createCatalogRefresh({
              from: pricingFrom,
              environment: context.io,
              ...fetchLimitsOf(context),
            }),
          };
    const billsRefresh = billsRefreshOf(context);
    const billDrift = billDriftOf(context);
    const attributionFile = stringOption(context, "otlp-attribution");
    const otlpAttribution =
      attributionFile === undefined
        ? undefined
        : await readAttribution(path.resolve(context.io.cwd, attributionFile));
    const alertText = stringOption(context, "alert-interval");
    const alertInterval =
      alertText === undefined ? undefined : parseDurationValue("alert-interval", alertText, { minMs: 1_000 });
    // Human lines by default: a JSON line amid the startup text above is noise to the person reading it.
    const logger =
      stringOption(context, "log-format") === "json"
        ? createJsonLogger(context.io.stderr)
        : createTextLogger(context.io.stderr);
    const server = await startServer({
      databaseUrl: databaseUrlOf(context),
      cwd: context.io.cwd,
      home: env.LLM_LEDGER_HOME || undefined,
      schema: stringOption(context, "schema"),
      readDatabaseUrl: stringOption(context, "read-database-url"),
      host: stringOption(context, "host") ?? (env.HOST || undefined),
      port,
      adminKey: env.LLM_LEDGER_ADMIN_KEY || undefined,
      // The catalog in force: a newer one cached by `pricing update` or a refresh, else the shipped one.
      pricing: createPricingInForce(context.io).pricing,
      pricingRefresh,
      billsRefresh,
      demo,
      trustProxy: booleanOption(context, "trust-proxy"),
      secureCookies: booleanOption(context, "secure-cookies"),
      maxConnectionsPerClient: integerOption(context, "max-connections-per-client", { min: 1 }),
      otlpAttribution,
      alerts: {
        intervalMs: alertInterval,
        allowPrivateWebhooks: booleanOption(context, "allow-private-webhooks"),
        billDrift,
      },
      logger,
    });
    const out = context.io.stdout;
    out.write(`llm-ledger is listening on ${server.url}\n`);
    out.write(`database: ${server.store.database.description}${demo ? " (demo data)" : ""}\n`);
    if (server.generatedAdminKey) {
      out.write(`\nadmin key (shown once; store it now): ${server.generatedAdminKey}\n`);
      // Never suggest the key on a command line: shell history and the process list would keep it.
      out.write(
        [
          "give it to the CLI through the environment, typed at a prompt rather than on a command line:",
          "  read -rs LLM_LEDGER_ADMIN_KEY && export LLM_LEDGER_ADMIN_KEY",
          `then create keys with: ${cliInvocation(env)} keys create --url ${server.url} --name NAME --scopes read`,
        ].join("\n") + "\n",
      );
    }
    if (server.demoReadKey) out.write(`\ndemo read key for the dashboard: ${server.demoReadKey}\n`);
    out.write(`\nopen ${server.url}/ and sign in with a read key (or the admin key); stop with Ctrl-C\n`);
    const signal = await (context.io.waitForStop?.() ?? new Promise<string>(() => {}));
    logger.info({ signal }, "stopping: finishing requests in flight, then closing the database");
    await server.close();
    logger.info({}, "stopped");
  },
};

/** The attribution config of `--otlp-attribution`: a usage error when it cannot be read or is not valid. */
async function readAttribution(file: string) {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`--otlp-attribution: cannot read ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`--otlp-attribution: ${file} is not valid JSON`);
  }
  try {
    return parseSpanAttribution(value);
  } catch (error) {
    throw new UsageError(`--otlp-attribution: ${(error as Error).message}`);
  }
}
