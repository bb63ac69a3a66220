// The command list of the `llm-ledger` CLI: one file per command, registered here.
import type { CommandDefinition } from "../command.js";
import { billsCommand } from "./bills.js";
import { alertsCommand } from "./alerts.js";
import { budgetsCommand } from "./budgets.js";
import { exportCommand } from "./export.js";
import { importCommand } from "./import.js";
import { keysCommand } from "./keys.js";
import { migrateCommand } from "./migrate.js";
import { pricingCommand } from "./pricing.js";
import { projectsCommand } from "./projects.js";
import { purgeCommand } from "./purge.js";
import { reconcileCommand } from "./reconcile.js";
import { repriceCommand } from "./reprice.js";
import { reportCommand } from "./report.js";
import { serveCommand } from "./serve.js";
import { statusCommand } from "./status.js";
import { topCommand } from "./top.js";

export const commands: CommandDefinition[] = [
  serveCommand,
  statusCommand,
  reportCommand,
  topCommand,
  reconcileCommand,
  billsCommand,
  pricingCommand,
  exportCommand,
  importCommand,
  repriceCommand,
  purgeCommand,
  migrateCommand,
  keysCommand,
  budgetsCommand,
  alertsCommand,
  projectsCommand,
];
