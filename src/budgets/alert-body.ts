import type { Contributor, TopContributors } from "./alert-contributors.js";
import type { BudgetStatus, SpendStatus } from "./budget-status.js";

export type { Contributor } from "./alert-contributors.js";

/** The JSON body of a budget alert, as receivers get it (signed; see docs/budgets.md). */
export interface BudgetAlertBody {
  type: "budget.threshold";
  budget: { id: string; name: string };
  scope: BudgetStatus["budget"]["scope"];
  per: string | null;
  /** The value of the `per` dimension this alert is about (absent for a budget without `per`). */
  value?: string | null;
  period: { period: string; timeZone: string; start: string; end: string };
  threshold: number;
  spentUsd: string;
  amountUsd: string;
  percent: number;
  state: SpendStatus["state"];
  forecast: SpendStatus["forecast"];
  topDriver: BudgetStatus["topDriver"];
  /** The three largest contributors in the period, by model and by repo. */
  topContributors: { model: Contributor[]; repo: Contributor[] };
  dashboardUrl: string | null;
  firedAt: string;
}

/** The body of one crossed threshold, with the period's top contributors (`topContributors`). */
export function budgetAlertBody(input: {
  status: BudgetStatus;
  figures: SpendStatus;
  value: string | null | undefined;
  threshold: number;
  at: Date;
  dashboardUrl: string | undefined;
  contributors: TopContributors;
}): BudgetAlertBody {
  const { status, figures, value, threshold, at } = input;
  const { budget } = status;
  return {
    type: "budget.threshold",
    budget: { id: budget.id, name: budget.name },
    scope: budget.scope,
    per: budget.per,
    ...(budget.per ? { value: value ?? null } : {}),
    period: {
      period: budget.period,
      timeZone: budget.timeZone,
      start: figures.periodStart,
      end: figures.periodEnd,
    },
    threshold,
    spentUsd: figures.spentUsd,
    amountUsd: budget.amountUsd,
    percent: figures.percent,
    state: figures.state,
    forecast: figures.forecast,
    topDriver: status.topDriver,
    topContributors: { model: input.contributors.model, repo: input.contributors.repo },
    dashboardUrl: input.dashboardUrl ?? null,
    firedAt: at.toISOString(),
  };
}

// Slack's mrkdwn treats these three as control characters (api.slack.com, "Formatting text").
const escapeSlack = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** The Slack incoming-webhook message for an alert body: one `text` in Slack's mrkdwn. */
export function slackMessage(body: { type: string } & Record<string, unknown>): { text: string } {
  if (body.type !== "budget.threshold") {
    return { text: escapeSlack(typeof body.text === "string" ? body.text : `llm-ledger: ${body.type}`) };
  }
  const alert = body as unknown as BudgetAlertBody;
  const who = alert.value === undefined ? "" : ` for ${alert.per} ${alert.value ?? "(none)"}`;
  const lines = [
    `*llm-ledger budget ${escapeSlack(alert.budget.name)}${escapeSlack(who)}: ${alert.threshold}% reached*`,
    `Spent $${alert.spentUsd} of $${alert.amountUsd} (${alert.percent}%) in the ${alert.period.period} from ${alert.period.start}.`,
    `Forecast at period end: $${alert.forecast.projectedUsd}${alert.forecast.crossesAt ? `, amount crossed ${alert.forecast.crossesAt}` : ""}.`,
  ];
  const models = alert.topContributors.model.map(
    (entry) => `${escapeSlack(entry.value ?? "-")} $${entry.costUsd}`,
  );
  if (models.length > 0) lines.push(`Top models: ${models.join(", ")}`);
  if (alert.dashboardUrl) lines.push(`<${encodeURI(alert.dashboardUrl)}|Open the dashboard>`);
  return { text: lines.join("\n") };
}
