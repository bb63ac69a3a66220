// The dashboard's charts of dollars by day (spend by dimension, estimated vs billed) share one look:
// axes, legend, tooltip and a short animation, none with reduced motion. Each chart says only what
// differs: its type, whether its series stack, its legend marker and its tooltip's footer.
import { formatAxisUsd, formatUsd } from "./format.js";

/**
 * Draws (or redraws) a chart of exact dollar series on `canvas` (each dataset carries its exact sums
 * in `exact`; Chart.js only gets Number()s); returns the Chart instance.
 */
export function drawUsdChart(canvas, { type, data, previous, stacked = false, pointStyle, tooltip = {} }) {
  const Chart = globalThis.Chart;
  if (!Chart) throw new Error("Chart.js did not load (/assets/vendor/chart.umd.min.js)");
  previous?.destroy();
  const ticks = { color: "#64748b", font: { size: 11 } };
  return new Chart(canvas, {
    type,
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
          stacked,
          grid: { display: false },
          border: { color: "#e2e8f0" },
          ticks: { ...ticks, maxRotation: 0, autoSkipPadding: 12 },
        },
        y: {
          stacked,
          beginAtZero: true,
          border: { display: false },
          grid: { color: "#eef2f7" },
          ticks: { ...ticks, callback: formatAxisUsd, maxTicksLimit: 6 },
        },
      },
      plugins: {
        legend: {
          position: "bottom",
          align: "start",
          labels: {
            usePointStyle: true,
            ...(pointStyle ? { pointStyle } : {}),
            boxWidth: 8,
            boxHeight: 8,
            padding: 16,
            color: "#334155",
          },
        },
        tooltip: {
          backgroundColor: "#0f172a",
          padding: 10,
          boxPadding: 4,
          ...(tooltip.itemSort ? { itemSort: tooltip.itemSort } : {}),
          ...(tooltip.filter ? { filter: tooltip.filter } : {}),
          callbacks: {
            label: (item) => ` ${item.dataset.label}: ${formatUsd(item.dataset.exact[item.dataIndex])}`,
            footer: tooltip.footer,
          },
        },
      },
    },
  });
}
