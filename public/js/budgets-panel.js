// The budgets panel: one bar per budget the session sees (those of the project the dashboard's project
// switcher picked, when it picked one), the alerts list, and for a session signed in with an admin
// key, a form to create and edit budgets. A read session sees the same bars without any edit control
// (the service refuses its writes in any case).
import { fetchSession, UnauthorizedError } from "./api.js";
import { fetchAlerts, fetchBudgetStatus, saveBudget } from "./budget-api.js";
import { alertList } from "./alert-list.js";
import { budgetBar } from "./budget-bar.js";
import { createBudgetForm } from "./budget-form.js";
import { el, replaceChildren } from "./dom.js";

/**
 * @param {{ onError: (error: unknown) => void }} options told of a lost session; other failures show in the panel
 * @returns {{ element: HTMLElement, load: (options?: { project?: string }) => Promise<void> }}
 */
export function createBudgetsPanel({ onError }) {
  const list = el("ul", { className: "budget-list", "data-testid": "budget-list" });
  const alerts = el("div", { className: "budget-alerts", "data-testid": "alerts" });
  const problem = el("p", {
    className: "form-error",
    role: "alert",
    hidden: true,
    "data-testid": "budgets-error",
  });
  const actions = el("div", { className: "card-actions" });
  const formSlot = el("div", { className: "budget-form-slot" });
  const element = el(
    "section",
    { className: "card budgets-card", "data-testid": "budgets", "aria-labelledby": "budgets-title" },
    el(
      "header",
      { className: "card-header" },
      el(
        "div",
        {},
        el("h2", { className: "card-title", id: "budgets-title" }, "Budgets"),
        el(
          "span",
          { className: "card-subtitle" },
          "Spend in each budget's current period; the pale bar is the forecast at its end",
        ),
      ),
      actions,
    ),
    problem,
    formSlot,
    list,
    el("h3", { className: "card-title budget-alerts-title" }, "Alerts"),
    alerts,
  );
  let form;
  let newButton;
  /** The project switcher's choice (undefined: every project the session sees), kept across reloads. */
  let project;
  /** Only the newest load draws: a slow answer for the previous project must not replace it. */
  let generation = 0;

  async function load(options) {
    if (options) project = options.project || undefined;
    const current = ++generation;
    try {
      const [session, status, deliveries] = await Promise.all([
        fetchSession(),
        fetchBudgetStatus(project),
        fetchAlerts(),
      ]);
      if (current !== generation) return;
      element.dataset.project = project ?? "";
      const admin = session.scopes.includes("admin");
      if (admin && !form) {
        form = createBudgetForm({
          chooseProject: session.project === null,
          onSave: async (id, fields) => {
            await saveBudget(id, fields);
            await load();
          },
          onDone: () => newButton?.focus(),
        });
        newButton = el(
          "button",
          {
            type: "button",
            className: "button-quiet",
            "data-testid": "budget-new",
            onClick: () => form.open(),
          },
          "New budget",
        );
        replaceChildren(actions, newButton);
        replaceChildren(formSlot, form.element);
      }
      const onEdit = admin ? (budget) => form.open(budget) : undefined;
      replaceChildren(
        list,
        status.budgets.length === 0
          ? el(
              "li",
              { className: "muted budget-empty", "data-testid": "budgets-empty" },
              admin ? "No budgets yet: create one." : "No budgets yet.",
            )
          : status.budgets.map((entry) => budgetBar(entry, { onEdit })),
      );
      replaceChildren(alerts, alertList(deliveries.alerts));
      problem.hidden = true;
    } catch (error) {
      if (current !== generation) return;
      if (error instanceof UnauthorizedError) return onError(error);
      problem.hidden = false;
      problem.textContent = `Could not load the budgets: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  return { element, load };
}
