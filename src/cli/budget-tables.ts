import type { Column } from "./output-format.js";
import { formatMoney } from "./human-figures.js";
import { cliDimensionName } from "./report-options.js";
import type { Budget, BudgetStatus, SpendStatus } from "../budgets/index.js";
import { joinFilterValues } from "../query/index.js";

// How the budget commands print budgets and their status for people; json keeps the exact figures.

/** `repo=acme/api;model=a,b` — the scope as `--scope` flags spell it ('-' for an absent value). */
function scopeText(budget: Budget): string {
  const parts = Object.entries(budget.scope).map(
    ([dimension, values]) =>
      `${cliDimensionName(dimension)}=${joinFilterValues((values ?? []).map((value) => value ?? "-"))}`,
  );
  return parts.length === 0 ? "all" : parts.join(" ");
}

export const budgetColumns: Column<Budget>[] = [
  { header: "id", value: (budget) => budget.id, align: "right" },
  { header: "name", value: (budget) => budget.name },
  { header: "scope", value: scopeText },
  { header: "per", value: (budget) => (budget.per ? cliDimensionName(budget.per) : "") },
  { header: "period", value: (budget) => budget.period },
  { header: "tz", value: (budget) => budget.timeZone },
  { header: "amount", value: (budget) => formatMoney(budget.amountUsd, 2), align: "right" },
  {
    header: "thresholds",
    value: (budget) => budget.thresholds.map((threshold) => `${threshold}%`).join(","),
  },
  { header: "action", value: (budget) => budget.action ?? "" },
  { header: "notify", value: (budget) => (budget.notify.length === 0 ? "default" : budget.notify.join(" ")) },
  { header: "project", value: (budget) => budget.project ?? "(organization)" },
];

/** One line of the status table: a budget, or one value of a `per` budget. */
export interface StatusRow {
  status: BudgetStatus;
  figures: SpendStatus;
  value: string | null | undefined;
}

/** A row per budget; a `per` budget gets a row per value instead (or one empty row without any). */
export function statusRows(statuses: readonly BudgetStatus[]): StatusRow[] {
  return statuses.flatMap((status): StatusRow[] =>
    status.values && status.values.length > 0
      ? status.values.map((figures) => ({ status, figures, value: figures.value }))
      : [{ status, figures: status, value: undefined }],
  );
}

const day = (iso: string) => iso.slice(0, 10);

export const statusColumns: Column<StatusRow>[] = [
  { header: "budget", value: (row) => row.status.budget.name },
  { header: "value", value: (row) => (row.value === undefined ? "" : (row.value ?? "-")) },
  { header: "period", value: (row) => `${day(row.figures.periodStart)}..${day(row.figures.periodEnd)}` },
  { header: "spent", value: (row) => formatMoney(row.figures.spentUsd, 2), align: "right" },
  { header: "amount", value: (row) => formatMoney(row.status.budget.amountUsd, 2), align: "right" },
  { header: "percent", value: (row) => `${row.figures.percent.toFixed(2)}%`, align: "right" },
  { header: "state", value: (row) => row.figures.state },
  { header: "forecast", value: (row) => formatMoney(row.figures.forecast.projectedUsd, 2), align: "right" },
  { header: "crosses", value: (row) => row.figures.forecast.crossesAt?.slice(0, 16).replace("T", " ") ?? "" },
  {
    header: "top driver",
    value: (row) =>
      row.status.topDriver
        ? `${cliDimensionName(row.status.topDriver.dimension)}=${row.status.topDriver.value ?? "-"}`
        : "",
  },
];
