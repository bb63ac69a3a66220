import type { CommandContext, CommandDefinition } from "../command.js";
import { budgetTargetOptions, withBudgetClient } from "../budget-client.js";
import { budgetSpecFromFlags, budgetSpecOptions, specFlagError } from "../budget-spec-flags.js";
import { budgetColumns, statusColumns, statusRows } from "../budget-tables.js";
import { stringOption } from "../option-values.js";
import { formatCsv, formatOptions, formatTable, outputFormat, type Column } from "../output-format.js";
import { parseTime } from "../report-options.js";
import type { BudgetSpec } from "../../budgets/index.js";
import { LedgerError } from "../../errors.js";

function print<Row>(context: CommandContext, json: unknown, columns: Column<Row>[], rows: Row[]): void {
  const format = outputFormat(context);
  if (format === "json") context.io.stdout.write(JSON.stringify(json) + "\n");
  else context.io.stdout.write(format === "csv" ? formatCsv(columns, rows) : formatTable(columns, rows));
}

async function specCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw specFlagError(error);
  }
}

/** `llm-ledger budgets create|list|status|update|delete`. */
export const budgetsCommand: CommandDefinition = {
  name: "budgets",
  summary: "create, list, update and delete budgets, and show spend against them",
  description:
    "A budget counts the spend of a scope (filters as report --filter) per day, week, month (calendar, in a\n" +
    "time zone) or rolling:Nd window, optionally per value of a dimension, with alert thresholds and a forecast.\n" +
    "Works on a database (--database-url) or through a running server (--url and a key).",
  subcommands: [
    {
      name: "create",
      summary: "create a budget",
      options: { ...budgetTargetOptions, ...budgetSpecOptions, ...formatOptions },
      async run(context) {
        const spec = budgetSpecFromFlags(context);
        const budget = await withBudgetClient(context, (client) =>
          // Missing fields are the library's to name ("name: required"), as over HTTP.
          specCall(() => client.create(spec as BudgetSpec)),
        );
        if (outputFormat(context) === "json") context.io.stdout.write(JSON.stringify(budget) + "\n");
        else context.io.stdout.write(`created budget ${budget.id} '${budget.name}'\n`);
      },
    },
    {
      name: "list",
      summary: "list budgets",
      options: { ...budgetTargetOptions, ...formatOptions },
      async run(context) {
        const budgets = await withBudgetClient(context, (client) => client.list());
        print(context, budgets, budgetColumns, budgets);
      },
    },
    {
      name: "status",
      summary: "spend against each budget (or those named): spent, percent, state, forecast",
      usage: "[ID|NAME…]",
      positionals: { min: 0, max: 1000 },
      options: {
        ...budgetTargetOptions,
        at: {
          type: "string",
          valueName: "TIME",
          description: "the moment to report on (default now), e.g. 2024-03-15T12:00:00Z",
        },
        ...formatOptions,
      },
      async run(context) {
        const atText = stringOption(context, "at");
        const at = atText === undefined ? undefined : parseTime(atText, "at").toISOString();
        const budgets = context.positionals.length > 0 ? context.positionals : undefined;
        const result = await withBudgetClient(context, (client) => client.status({ at, budgets }));
        print(context, result, statusColumns, statusRows(result.budgets));
      },
    },
    {
      name: "update",
      summary: "change the fields given of a budget",
      usage: "ID|NAME",
      positionals: { min: 1, max: 1 },
      options: { ...budgetTargetOptions, ...budgetSpecOptions, ...formatOptions },
      async run(context) {
        const target = context.positionals[0]!;
        const changes = budgetSpecFromFlags(context);
        const budget = await withBudgetClient(context, (client) =>
          specCall(() => client.update(target, changes)),
        );
        if (!budget) throw new LedgerError("E_NOT_FOUND", `no budget with id or name '${target}'`);
        if (outputFormat(context) === "json") context.io.stdout.write(JSON.stringify(budget) + "\n");
        else context.io.stdout.write(`updated budget ${budget.id} '${budget.name}'\n`);
      },
    },
    {
      name: "delete",
      summary: "delete a budget (and its alert history's claims)",
      usage: "ID|NAME",
      positionals: { min: 1, max: 1 },
      options: budgetTargetOptions,
      async run(context) {
        const target = context.positionals[0]!;
        const budget = await withBudgetClient(context, (client) => client.remove(target));
        if (!budget) throw new LedgerError("E_NOT_FOUND", `no budget with id or name '${target}'`);
        context.io.stdout.write(`deleted budget ${budget.id} '${budget.name}'\n`);
      },
    },
  ],
};
