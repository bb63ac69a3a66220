// The "Estimated vs billed" chart: two lines per UTC day, the ledger's estimate and the providers'
// bills, with the gap between them shaded (red where the bill is higher, amber where it is lower).
// Sums are exact decimal strings; Chart.js only gets Number()s to draw.
import { addDecimals } from "./decimal.js";
import { formatAxisUsd, formatDay, formatUsd } from "./format.js";
import { daysOf } from "./periods.js";

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
  const Chart = globalThis.Chart;
  if (!Chart) throw new Error("Chart.js did not load (/assets/vendor/chart.umd.min.js)");
  previous?.destroy();
  return new Chart(canvas, {
    type: "line",
    data,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches
        ? false
        : { duration: 250 },
      interaction: { mode: "index", intersect: false },
      scales: {
        x: {
          grid: { display: false },
          border: { color: "#e2e8f0" },
          ticks: { color: "#64748b", maxRotation: 0, autoSkipPadding: 12, font: { size: 11 } },
        },
        y: {
          beginAtZero: true,
          border: { display: false },
          grid: { color: "#eef2f7" },
          ticks: { color: "#64748b", callback: formatAxisUsd, maxTicksLimit: 6, font: { size: 11 } },
        },
      },
      plugins: {
        legend: {
          position: "bottom",
          align: "start",
          labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8, padding: 16, color: "#334155" },
        },
        tooltip: {
          backgroundColor: "#0f172a",
          padding: 10,
          boxPadding: 4,
          callbacks: {
            label: (item) => ` ${item.dataset.label}: ${formatUsd(item.dataset.exact[item.dataIndex])}`,
            footer: (items) => {
              const [estimate, bill] = items.map((item) => item.dataset.exact[item.dataIndex]);
              return bill === undefined
                ? ""
                : `Difference: ${formatUsd(addDecimals([bill, negate(estimate)]))}`;
            },
          },
        },
      },
    },
  });
}

/** The negative of a decimal string. */
function negate(text) {
  return text.startsWith("-") ? text.slice(1) : `-${text}`;
}
