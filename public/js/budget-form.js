// The form that creates or edits a budget, for admin sessions. Fields map one to one onto the API's
// budget spec; the service checks them and its message (which names the field) is shown as it is.
import { el } from "./dom.js";

const periods = ["day", "week", "month", "rolling:7d", "rolling:30d"];

/** `repo=acme/api` lines → `{ repo: ["acme/api"] }`; a dimension on several lines takes every value. */
export function parseScopeLines(text) {
  const scope = {};
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    const split = trimmed.indexOf("=");
    if (split <= 0) throw new Error(`scope: "${trimmed}" is not DIMENSION=VALUE`);
    const dimension = trimmed.slice(0, split).trim();
    (scope[dimension] ??= []).push(trimmed.slice(split + 1).trim());
  }
  return scope;
}

function scopeLines(scope, project) {
  return Object.entries(scope ?? {})
    .filter(([dimension]) => !(project && dimension === "project"))
    .flatMap(([dimension, values]) => values.map((value) => `${dimension}=${value ?? ""}`))
    .join("\n");
}

function field(label, input, hint) {
  return el(
    "label",
    { className: "budget-field" },
    el("span", { className: "filter-label" }, label),
    input,
    hint && el("span", { className: "muted budget-hint" }, hint),
  );
}

/**
 * A budget form. `open(budget?)` shows it empty (create) or filled (edit); `onSave(id, fields)`
 * answers the saved budget or rejects with the service's error, shown in the form.
 * @param {{ onSave: (id: string | undefined, fields: object) => Promise<unknown>, onDone: () => void, chooseProject: boolean }} options
 */
export function createBudgetForm({ onSave, onDone, chooseProject }) {
  const inputs = {
    name: el("input", { name: "name", required: true, maxlength: "200", "data-testid": "budget-name" }),
    amountUsd: el("input", {
      name: "amountUsd",
      required: true,
      inputmode: "decimal",
      "data-testid": "budget-amount",
    }),
    period: el(
      "select",
      { name: "period", "data-testid": "budget-period" },
      periods.map((period) => el("option", { value: period }, period)),
    ),
    timeZone: el("input", { name: "timeZone", value: "UTC", "data-testid": "budget-time-zone" }),
    thresholds: el("input", { name: "thresholds", value: "50,80,100", "data-testid": "budget-thresholds" }),
    scope: el("textarea", { name: "scope", rows: "2", spellcheck: "false", "data-testid": "budget-scope" }),
    block: el("input", { type: "checkbox", name: "block", "data-testid": "budget-block" }),
    project: el("input", { name: "project", spellcheck: "false", "data-testid": "budget-project" }),
  };
  const error = el("p", {
    className: "form-error",
    role: "alert",
    hidden: true,
    "data-testid": "budget-form-error",
  });
  const title = el("h3", { className: "card-title" });
  const submit = el(
    "button",
    { type: "submit", className: "button-primary", "data-testid": "budget-save" },
    "Save",
  );
  const cancel = el(
    "button",
    { type: "button", className: "button-quiet", onClick: () => close() },
    "Cancel",
  );
  const projectField = field("Project", inputs.project, "a project's slug; empty: the organization's");
  const element = el(
    "form",
    { className: "budget-form", hidden: true, "data-testid": "budget-form", novalidate: true },
    title,
    el(
      "div",
      { className: "budget-fields" },
      field("Name", inputs.name),
      field("Amount (USD)", inputs.amountUsd),
      field("Period", inputs.period),
      field("Time zone", inputs.timeZone),
      field("Thresholds (%)", inputs.thresholds),
      field("Scope", inputs.scope, "one DIMENSION=VALUE a line, e.g. repo=acme/api"),
      projectField,
    ),
    el("label", { className: "budget-check" }, inputs.block, " Block calls in scope at 100 %"),
    error,
    el("div", { className: "budget-actions" }, submit, cancel),
  );
  let editing;

  function close() {
    element.hidden = true;
    onDone();
  }

  function fields() {
    const thresholds = inputs.thresholds.value
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean)
      .map(Number);
    const spec = {
      name: inputs.name.value.trim(),
      amountUsd: inputs.amountUsd.value.trim(),
      period: inputs.period.value,
      timeZone: inputs.timeZone.value.trim() || "UTC",
      thresholds,
      scope: parseScopeLines(inputs.scope.value),
      action: inputs.block.checked ? "block" : null,
    };
    if (!editing && chooseProject && inputs.project.value.trim() !== "")
      spec.project = inputs.project.value.trim();
    return spec;
  }

  element.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    Promise.resolve()
      .then(() => onSave(editing?.id, fields()))
      .then(() => close())
      .catch((failure) => {
        error.hidden = false;
        error.textContent = failure instanceof Error ? failure.message : String(failure);
      })
      .finally(() => (submit.disabled = false));
  });

  return {
    element,
    open(budget) {
      editing = budget;
      title.textContent = budget ? `Edit budget ${budget.name}` : "New budget";
      inputs.name.value = budget?.name ?? "";
      inputs.amountUsd.value = budget?.amountUsd ?? "";
      inputs.period.value = budget?.period ?? "month";
      if (budget && !periods.includes(budget.period))
        inputs.period.append(el("option", { value: budget.period }, budget.period));
      inputs.period.value = budget?.period ?? "month";
      inputs.timeZone.value = budget?.timeZone ?? "UTC";
      inputs.thresholds.value = (budget?.thresholds ?? [50, 80, 100]).join(",");
      inputs.scope.value = scopeLines(budget?.scope, budget?.project);
      inputs.block.checked = budget?.action === "block";
      inputs.project.value = budget?.project ?? "";
      projectField.hidden = !chooseProject || budget !== undefined;
      error.hidden = true;
      element.hidden = false;
      inputs.name.focus();
    },
  };
}
