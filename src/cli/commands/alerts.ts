import type { CommandContext, CommandDefinition } from "../command.js";
import { withAlertClient } from "../alert-client.js";
import { budgetTargetOptions } from "../budget-client.js";
import { integerOption, stringOption } from "../option-values.js";
import { formatCsv, formatOptions, formatTable, outputFormat, type Column } from "../output-format.js";
import { UsageError } from "../usage-error.js";
import type { AlertDelivery, AlertTarget } from "../../budgets/index.js";
import { LedgerError, isLedgerError } from "../../errors.js";

function print<Row>(context: CommandContext, columns: Column<Row>[], rows: Row[]): void {
  const format = outputFormat(context);
  if (format === "json") context.io.stdout.write(JSON.stringify(rows) + "\n");
  else context.io.stdout.write(format === "csv" ? formatCsv(columns, rows) : formatTable(columns, rows));
}

/** A target the command line names badly is a usage error (exit 2), as a bad budget flag is. */
async function targetCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isLedgerError(error, "E_BUDGET_SPEC")) throw new UsageError(error.message);
    throw error;
  }
}

const deliveryColumns: Column<AlertDelivery>[] = [
  { header: "id", value: (row) => row.id, align: "right" },
  { header: "created", value: (row) => row.createdAt.slice(0, 19).replace("T", " ") },
  { header: "type", value: (row) => row.type },
  { header: "budget", value: (row) => row.budget ?? "" },
  { header: "value", value: (row) => (row.value === undefined ? "" : (row.value ?? "-")) },
  {
    header: "threshold",
    value: (row) => (row.threshold === null ? "" : `${row.threshold}%`),
    align: "right",
  },
  { header: "target", value: (row) => `${row.target.kind}:${row.target.host}` },
  { header: "state", value: (row) => row.state },
  { header: "attempts", value: (row) => String(row.attempts), align: "right" },
  {
    header: "last",
    value: (row) => row.lastError ?? (row.lastStatus === null ? "" : String(row.lastStatus)),
  },
];

const targetColumns: Column<AlertTarget>[] = [
  { header: "id", value: (row) => row.id, align: "right" },
  { header: "target", value: (row) => `${row.kind}:${row.url}` },
  { header: "default", value: (row) => (row.isDefault ? "yes" : "no (named by a budget)") },
  { header: "project", value: (row) => row.project ?? "(organization)" },
  { header: "added", value: (row) => row.createdAt.slice(0, 19).replace("T", " ") },
];

const privateOption = {
  "allow-private-webhooks": {
    type: "boolean",
    description: "on a database: send to loopback, private and link-local addresses too",
  },
} as const;

/** `llm-ledger alerts list|test|targets`. */
export const alertsCommand: CommandDefinition = {
  name: "alerts",
  summary: "budget alert deliveries, test messages and the service's default alert targets",
  description:
    "The service evaluates budgets on a schedule and delivers each crossed threshold once per period to the\n" +
    "budget's targets or the default ones. Works on a database or through a running server (--url and an admin key).",
  subcommands: [
    {
      name: "list",
      summary: "the delivery history, newest first",
      options: {
        ...budgetTargetOptions,
        limit: {
          type: "string",
          valueName: "N",
          description: "at most N deliveries (default 100, at most 1000)",
        },
        ...formatOptions,
      },
      async run(context) {
        const limit = integerOption(context, "limit", { min: 1, max: 1000 });
        print(context, deliveryColumns, await withAlertClient(context, (client) => client.list(limit)));
      },
    },
    {
      name: "test",
      summary: "send a test message to a target (added before) now",
      usage: "TARGET",
      positionals: { min: 1, max: 1 },
      options: { ...budgetTargetOptions, ...privateOption, ...formatOptions },
      async run(context) {
        const target = context.positionals[0]!;
        const outcome = await withAlertClient(context, (client) => targetCall(() => client.test(target)));
        if (outputFormat(context) === "json") context.io.stdout.write(JSON.stringify(outcome) + "\n");
        else if (outcome.state === "delivered")
          context.io.stdout.write(`delivered (HTTP ${outcome.status})\n`);
        else context.io.stdout.write(`not delivered (${outcome.state}): ${outcome.error ?? ""}\n`);
        return outcome.state === "delivered" ? 0 : 1;
      },
    },
    {
      name: "targets",
      summary: "add, list and remove the default alert targets",
      subcommands: [
        {
          name: "add",
          summary: "add a default target: webhook:URL or slack:URL (its signing secret is shown once)",
          usage: "TARGET",
          positionals: { min: 1, max: 1 },
          options: {
            ...budgetTargetOptions,
            secret: {
              type: "string",
              valueName: "SECRET",
              description: "the signing secret (16-200 printable characters; default: generated)",
            },
            project: {
              type: "string",
              valueName: "SLUG",
              description:
                "the project whose budgets it serves (default: the organization's; through --url with a project's admin key, that project)",
            },
            ...formatOptions,
          },
          async run(context) {
            const target = context.positionals[0]!;
            const secret = stringOption(context, "secret");
            const project = stringOption(context, "project");
            const added = await withAlertClient(context, (client) =>
              targetCall(() => client.addTarget(target, secret, project)),
            );
            if (outputFormat(context) === "json") context.io.stdout.write(JSON.stringify(added) + "\n");
            else
              context.io.stdout.write(
                `added target ${added.target.id} ${added.target.kind}:${added.target.url}; its signing secret (shown only now):\n${added.secret}\n`,
              );
          },
        },
        {
          name: "list",
          summary: "list targets (never their secrets)",
          options: { ...budgetTargetOptions, ...formatOptions },
          async run(context) {
            print(context, targetColumns, await withAlertClient(context, (client) => client.listTargets()));
          },
        },
        {
          name: "remove",
          summary: "remove a target by id or KIND:URL (with its deliveries and their history)",
          usage: "ID|TARGET",
          positionals: { min: 1, max: 1 },
          options: budgetTargetOptions,
          async run(context) {
            const target = context.positionals[0]!;
            const removed = await withAlertClient(context, (client) =>
              targetCall(() => client.removeTarget(target)),
            );
            if (!removed) throw new LedgerError("E_NOT_FOUND", `no alert target '${target}'`);
            context.io.stdout.write(`removed target ${removed.id} ${removed.kind}:${removed.url}\n`);
          },
        },
      ],
    },
  ],
};
