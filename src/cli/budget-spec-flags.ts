import type { CommandContext, OptionDefinition } from "./command.js";
import { listOption, stringOption } from "./option-values.js";
import { parseDimension, parseFilters } from "./report-options.js";
import { UsageError } from "./usage-error.js";
import type { BudgetSpec } from "../budgets/index.js";
import { isLedgerError } from "../errors.js";

/** The flags that spell a budget spec, for `budgets create` and `budgets update`. */
export const budgetSpecOptions = {
  name: { type: "string", valueName: "NAME", description: "unique name (not only digits)" },
  scope: {
    type: "string",
    valueName: "DIM=VALUES",
    multiple: true,
    description:
      "count only events whose dimension has one of the values, as report --filter (repeatable: all must match); 'all' with update clears it",
  },
  per: {
    type: "string",
    valueName: "DIM",
    description:
      "give every value of this dimension the whole amount, each tracked on its own (e.g. user); 'none' clears",
  },
  period: {
    type: "string",
    valueName: "PERIOD",
    description: "day, week (from Monday), month, or rolling:Nd (e.g. rolling:7d)",
  },
  tz: {
    type: "string",
    valueName: "ZONE",
    description: "IANA time zone in which calendar periods start (default UTC)",
  },
  amount: { type: "string", valueName: "USD", description: "the amount in US dollars, e.g. 500 or 12.50" },
  thresholds: {
    type: "string",
    valueName: "LIST",
    description: "alert at these percentages (1-1000; default 50,80,100)",
  },
  action: {
    type: "string",
    valueName: "ACTION",
    choices: ["block", "none"],
    description: "block: the budget guard refuses calls in scope at 100 %",
  },
  notify: {
    type: "string",
    valueName: "TARGET",
    multiple: true,
    description:
      "webhook:URL or slack:URL (repeatable; none: the default targets of the budget's project, or the service's); 'none' with update clears",
  },
  project: {
    type: "string",
    valueName: "SLUG",
    description:
      "the project that owns the budget: it counts and alerts that project only (default: the organization's; through --url with a project's admin key, that project)",
  },
} as const satisfies Record<string, OptionDefinition>;

// The spec's fields as the flags spell them, so an error names the flag that was typed.
const flagOfField: Record<string, string> = {
  name: "name",
  scope: "scope",
  per: "per",
  period: "period",
  timeZone: "tz",
  amountUsd: "amount",
  thresholds: "thresholds",
  action: "action",
  notify: "notify",
  project: "project",
};

/** The spec fields the flags give (absent flags stay absent). */
export function budgetSpecFromFlags(context: CommandContext): Partial<BudgetSpec> {
  const spec: Partial<BudgetSpec> = {};
  const name = stringOption(context, "name");
  if (name !== undefined) spec.name = name;
  const scope = context.options.scope;
  if (scope !== undefined) {
    const items = Array.isArray(scope) ? scope : [String(scope)];
    spec.scope = items.length === 1 && items[0] === "all" ? {} : scopeFilters(context, items);
  }
  const per = stringOption(context, "per");
  if (per !== undefined) spec.per = per === "none" ? null : parseDimension(per, "per");
  const period = stringOption(context, "period");
  if (period !== undefined) spec.period = period;
  const timeZone = stringOption(context, "tz");
  if (timeZone !== undefined) spec.timeZone = timeZone;
  const amount = stringOption(context, "amount");
  if (amount !== undefined) spec.amountUsd = amount;
  const thresholds = listOption(context, "thresholds");
  if (thresholds !== undefined) {
    spec.thresholds = thresholds.map((item) => {
      const value = Number(item.replace(/%$/, ""));
      if (!/^\d+%?$/.test(item))
        throw new UsageError(`--thresholds takes whole percentages such as 50,80,100; got '${item}'`);
      return value;
    });
  }
  const action = stringOption(context, "action");
  if (action !== undefined) spec.action = action === "none" ? null : "block";
  const notify = context.options.notify;
  if (notify !== undefined) {
    const items = Array.isArray(notify) ? notify : [String(notify)];
    spec.notify = items.length === 1 && items[0] === "none" ? [] : items;
  }
  const project = stringOption(context, "project");
  if (project !== undefined) spec.project = project;
  return spec;
}

/** `--scope` is `report --filter` under another name: the same parser, its errors naming `--scope`. */
function scopeFilters(context: CommandContext, items: string[]): BudgetSpec["scope"] {
  try {
    return parseFilters({ ...context, options: { filter: items } });
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.message.replace(/^--filter\b/, "--scope"));
    throw error;
  }
}

/** A refused spec as the usage error of the flag that carried the field (exit 2). */
export function specFlagError(error: unknown): unknown {
  if (!isLedgerError(error, "E_BUDGET_SPEC")) return error;
  const field = /^(\w+)/.exec(error.message)?.[1];
  const flag = field === undefined ? undefined : flagOfField[field];
  // The field stays in the message: `scope.repo` or `notify[1]` says which of several values.
  return new UsageError(flag ? `--${flag}: ${error.message}` : error.message);
}
