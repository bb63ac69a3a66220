import { readFileSync } from "node:fs";
import type { CommandDefinition } from "./command.js";
import { commands } from "./commands/index.js";

const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/** `llm-ledger`: the root of the command tree. */
export const rootCommand: CommandDefinition = {
  name: "llm-ledger",
  summary: "Record, price and report the cost of every LLM call.",
  description: [
    "Environment: DATABASE_URL (postgres://…, pglite:<dir>, memory:), LLM_LEDGER_HOME (default ./.llm-ledger),",
    "LLM_LEDGER_PRICING_FILE (price overrides), LLM_LEDGER_DEBUG=1 (stack traces on errors).",
    "Exit codes: 0 success, 1 failure, 2 bad usage.",
  ].join("\n"),
  version: packageJson.version,
  subcommands: commands,
};
