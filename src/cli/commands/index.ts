// The command list of the `llm-ledger` CLI: one file per command, registered here.
import type { CommandDefinition } from "../command.js";
import { keysCommand } from "./keys.js";
import { migrateCommand } from "./migrate.js";
import { serveCommand } from "./serve.js";
import { statusCommand } from "./status.js";

export const commands: CommandDefinition[] = [serveCommand, statusCommand, migrateCommand, keysCommand];
