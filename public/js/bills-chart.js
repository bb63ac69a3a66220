// The "Estimated vs billed" chart: two lines per UTC day, the ledger's estimate and the providers'
// bills, with the gap between them shaded (red where the bill is higher, amber where it is lower).
// Sums are exact decimal strings; Chart.js only gets Number()s to draw.
import { addDecimals } from "./decimal.js";
import { formatDay, formatUsd } from "./format.js";
import { daysOf } from "./periods.js";
import { drawUsdChart } from "./usd-chart.js";

const estimateColor = "#4f46e5";
const billColor = "#0f172a";
const billHigher = "rgba(239, 68, 68, 0.18)";
const billLower = "rgba(245, 158, 11, 0.22)";

/**
 * Chart.js data from a reconciliation by day (and provider): per day of `range`, the exact sums of
 * the estimate and of the bill (a day without either is 0).
 */
export function billsChartData(report, range) {
  const days = daysOf(range).map((iso) => iso.slice(0, 10));
  const index = new Map(days.map((day, position) => [day, position]));
  const estimated = days.map(() => []);
  const billed = days.map(() => []);
  for (const row of report.rows) {
    const position = index.get(row.day);
    if (position === undefined) continue;
    estimated[position].push(row.estimatedUsd);
    billed[position].push(row.billedUsd);
  }
  const exactEstimated = estimated.map((values) => addDecimals(values));
  const exactBilled = billed.map((values) => addDecimals(values));
  return {
    labels: days.map((day) => formatDay(`${day}T00:00:00Z`)),
    datasets: [
      {
        label: "Estimated (ledger)",
        exact: exactEstimated,
        data: exactEstimated.map(Number),
        borderColor: estimateColor,
        backgroundColor: estimateColor,
        pointRadius: 2,
        tension: 0,
      },
      {
        label: "Billed (provider)",
        exact: exactBilled,
        data: exactBilled.map(Number),
        borderColor: billColor,
        backgroundColor: billColor,
        borderDash: [5, 4],
        pointRadius: 2,
        tension: 0,
        // The gap: filled down (or up) to the estimate's line.
        fill: { target: 0, above: billHigher, below: billLower },
      },
    ],
  };
}

/** Draws (or redraws) the chart on `canvas`; returns the Chart instance. */
export function drawBillsChart(canvas, data, previous) {
  return drawUsdChart(canvas, {
    type: "line",
    data,
    previous,
    tooltip: {
      footer: (items) => {
        const [estimate, bill] = items.map((item) => item.dataset.exact[item.dataIndex]);
        return bill === undefined ? "" : `Difference: ${formatUsd(addDecimals([bill, negate(estimate)]))}`;
      },
    },
  });
}

/** The negative of a decimal string. */
function negate(text) {
  return text.startsWith("-") ? text.slice(1) : `-${text}`;
}
