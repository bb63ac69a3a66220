import { adminApi, withAdminTarget } from "../admin-target.js";
import type { CommandContext, CommandDefinition } from "../command.js";
import { databaseOptions, openCliDatabase } from "../database-option.js";
import { costExplanationTable } from "../cost-explanation-table.js";
import { stringOption } from "../option-values.js";
import { UsageError } from "../usage-error.js";
import { explainEventCost, type CostExplanation } from "../../query/index.js";
import { migrateUp } from "../../store/migrator.js";
import { pricingFor } from "./pricing-options.js";

/** Explains one event on a database or through a service: the same answer either way. */
interface ExplainClient {
  explain(eventId: string, project: string | undefined): Promise<CostExplanation | undefined>;
  close(): Promise<void>;
}

async function databaseClient(context: CommandContext): Promise<ExplainClient> {
  const database = await openCliDatabase(context);
  try {
    const schema = stringOption(context, "schema") ?? "public";
    await migrateUp(database, { schema });
    const pricing = pricingFor(context);
    return {
      explain: (eventId, project) => explainEventCost({ database, schema }, eventId, { project, pricing }),
      close: () => database.close(),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

function httpClient(context: CommandContext, url: string): ExplainClient {
  const api = adminApi(context, url, { verbatimCodes: ["E_QUERY_EVENT_ID"] });
  return {
    async explain(eventId, project) {
      const query = project === undefined ? "" : `?project=${encodeURIComponent(project)}`;
      const answer = await api(`/v1/events/${encodeURIComponent(eventId)}/cost${query}`, {
        missingOk: `no event with id ${eventId}`,
      });
      return answer as CostExplanation | undefined;
    },
    close: () => Promise.resolve(),
  };
}

async function runExplain(context: CommandContext): Promise<number> {
  const eventId = context.positionals[0];
  if (eventId === undefined || eventId === "") throw new UsageError("'explain' needs EVENT_ID");
  const project = stringOption(context, "project");
  const explanation = await withAdminTarget(
    context,
    { database: databaseClient, http: httpClient },
    (client) => client.explain(eventId, project),
  );
  if (!explanation) {
    context.io.stderr.write(
      `llm-ledger: no event with id ${eventId}${project === undefined ? "" : ` in project ${project}`}\n`,
    );
    return 1;
  }
  const format = context.options.format === "json" || context.options.json === true ? "json" : "table";
  context.io.stdout.write(
    format === "json" ? JSON.stringify(explanation) + "\n" : costExplanationTable(explanation),
  );
  return 0;
}

/** `llm-ledger pricing explain EVENT_ID`: why a stored event costs what it does, from the rates it kept. */
export const explainCommand: CommandDefinition = {
  name: "explain",
  summary: "why a stored event costs what it does: entry, rates, tokens × rate, source",
  usage: "EVENT_ID",
  description:
    "Explains from the rates kept with the event (never by pricing it again), so the lines add up to the stored cost; " +
    "'today' says what the catalog in force now would charge. Works on a database (--database-url) or " +
    "through a running server (--url and a key with the read scope).",
  positionals: { min: 1, max: 1 },
  options: {
    ...databaseOptions,
    schema: { type: "string", valueName: "NAME", description: "schema holding the tables (default public)" },
    url: { type: "string", valueName: "URL", description: "a running server's URL: ask its API" },
    "admin-key": {
      type: "string",
      valueName: "KEY",
      description: "key for --url, a read key suffices (default $LLM_LEDGER_ADMIN_KEY)",
    },
    project: { type: "string", valueName: "SLUG", description: "the project the event belongs to" },
    format: {
      type: "string",
      valueName: "FORMAT",
      choices: ["table", "json"],
      description: "output format: table (default) or json",
    },
    json: { type: "boolean", description: "same as --format json" },
  },
  run: runExplain,
};
