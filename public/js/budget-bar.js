// One budget as a bar: spent against the amount, its thresholds marked, the forecast as a ghost bar
// behind it, its state and its top driver. Widths are set through the CSSOM (the CSP forbids style
// attributes); money stays in exact decimal strings, only the drawing uses a ratio.
import { el } from "./dom.js";
import { parseDecimal } from "./decimal.js";
import { formatUsd } from "./format.js";

const stateLabels = { ok: "On track", warning: "Warning", exceeded: "Exceeded", blocked: "Blocked" };

/** `part` as a percentage of `whole` (decimal strings), to hundredths; 0 when either is not a number. */
export function percentOf(part, whole) {
  const a = parseDecimal(part);
  const b = parseDecimal(whole);
  if (!a || !b || b.units === 0n) return 0;
  const scale = Math.max(a.scale, b.scale);
  const numerator = a.units * 10n ** BigInt(scale - a.scale) * 10_000n;
  const denominator = b.units * 10n ** BigInt(scale - b.scale);
  return Number(numerator / denominator) / 100;
}

function widthOf(element, percent, scale) {
  element.style.width = `${Math.min(100, (Math.max(0, percent) / scale) * 100).toFixed(2)}%`;
  return element;
}

function driverText(driver) {
  if (!driver) return null;
  return `Top driver: ${driver.dimension} ${driver.value ?? "(none)"} at ${formatUsd(driver.dailyRateUsd)}/day`;
}

/**
 * The bar of one status of `GET /v1/budget-status`.
 * @param {object} status a BudgetStatus
 * @param {{ onEdit?: (budget: object) => void }} options `onEdit` only for admin sessions
 */
export function budgetBar(status, { onEdit } = {}) {
  const { budget } = status;
  const forecastPercent = percentOf(status.forecast.projectedUsd, budget.amountUsd);
  // The track shows at least the amount, and stretches to the spend, the forecast or the last threshold.
  const scale = Math.min(1000, Math.max(100, status.percent, forecastPercent, ...budget.thresholds));
  const ticks = budget.thresholds.map((threshold) => {
    const tick = el("span", {
      className: "budget-tick",
      title: `${threshold} %`,
      "data-threshold": threshold,
    });
    tick.style.left = `${((threshold / scale) * 100).toFixed(2)}%`;
    return tick;
  });
  const who = status.value === undefined ? "" : ` · ${budget.per} ${status.value ?? "(none)"}`;
  return el(
    "li",
    { className: `budget budget-${status.state}`, "data-testid": "budget", "data-budget-id": budget.id },
    el(
      "div",
      { className: "budget-head" },
      el("span", { className: "budget-name" }, budget.name, who),
      el(
        "span",
        { className: `badge budget-state-${status.state}`, "data-testid": "budget-state" },
        stateLabels[status.state] ?? status.state,
      ),
      onEdit &&
        el(
          "button",
          {
            type: "button",
            className: "button-link budget-edit",
            "data-testid": "budget-edit",
            "aria-label": `Edit budget ${budget.name}`,
            onClick: () => onEdit(budget),
          },
          "Edit",
        ),
    ),
    el(
      "div",
      {
        className: "budget-track",
        role: "img",
        "aria-label": `${formatUsd(status.spentUsd)} of ${formatUsd(budget.amountUsd)} spent, ${status.percent} %; forecast ${formatUsd(status.forecast.projectedUsd)}`,
      },
      widthOf(
        el("span", { className: "budget-forecast", "data-testid": "budget-forecast" }),
        forecastPercent,
        scale,
      ),
      widthOf(el("span", { className: "budget-fill" }), status.percent, scale),
      ticks,
    ),
    el(
      "p",
      { className: "budget-figures" },
      el(
        "span",
        { "data-testid": "budget-spent", "data-spent": status.spentUsd, "data-amount": budget.amountUsd },
        `${formatUsd(status.spentUsd)} of ${formatUsd(budget.amountUsd)}`,
      ),
      ` · ${status.percent} % · ${budget.period}`,
      ` · forecast ${formatUsd(status.forecast.projectedUsd)}`,
      status.forecast.crossesAt ? ` (crosses ${status.forecast.crossesAt.slice(0, 10)})` : "",
    ),
    driverText(status.topDriver) &&
      el("p", { className: "budget-driver muted" }, driverText(status.topDriver)),
  );
}
