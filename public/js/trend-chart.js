// The daily trend: Chart.js stacked bars of spend per UTC day, one stack per provider or per model.
// Chart.js is the UMD build the server serves at /assets/vendor/chart.umd.min.js (window.Chart).
import { daysOf } from "./periods.js";
import { colorFor, otherColor } from "./palette.js";
import { formatDay, formatUsd } from "./format.js";
import { drawUsdChart } from "./usd-chart.js";
import { addDecimals, compareDecimals } from "./decimal.js";

const MAX_SERIES = 8;

/**
 * Turns a `groupBy=<dimension>&grain=day` report into Chart.js data: the biggest series by spend, the
 * rest summed as "Other", and zero for days without spend. Sums are exact; the chart gets Number()s.
 */
export function trendData(report, dimension, range) {
  const days = daysOf(range);
  const dayIndex = new Map(days.map((day, index) => [Date.parse(day), index]));
  const spendByKey = new Map();
  for (const row of report.rows) {
    const key = row[dimension] ?? "(none)";
    spendByKey.set(key, [...(spendByKey.get(key) ?? []), row.costUsd]);
  }
  const ranked = [...spendByKey.entries()]
    .map(([key, costs]) => ({ key, total: addDecimals(costs) }))
    .sort((left, right) => compareDecimals(right.total, left.total));
  const shown = ranked
    .slice(0, ranked.length > MAX_SERIES ? MAX_SERIES - 1 : MAX_SERIES)
    .map((entry) => entry.key);
  const hasOther = ranked.length > shown.length;
  const series = [...shown, ...(hasOther ? ["Other"] : [])];
  const sums = series.map(() => days.map(() => []));
  for (const row of report.rows) {
    const index = dayIndex.get(Date.parse(row.period));
    if (index === undefined) continue;
    const key = row[dimension] ?? "(none)";
    const seriesIndex = shown.includes(key) ? shown.indexOf(key) : series.length - 1;
    sums[seriesIndex][index].push(row.costUsd);
  }
  return {
    labels: days.map(formatDay),
    datasets: series.map((key, index) => {
      const exact = sums[index].map((costs) => addDecimals(costs));
      return {
        label: key,
        // Exact sums for the tooltip; the bars themselves only need Number()s.
        exact,
        data: exact.map(Number),
        backgroundColor: key === "Other" && hasOther ? otherColor : colorFor(dimension, key, index),
        borderRadius: 3,
        borderSkipped: false,
        maxBarThickness: 36,
      };
    }),
  };
}

/** Draws (or redraws) the chart on `canvas`; returns the Chart instance. */
export function drawTrendChart(canvas, data, previous) {
  return drawUsdChart(canvas, {
    type: "bar",
    data,
    previous,
    stacked: true,
    pointStyle: "rectRounded",
    tooltip: {
      itemSort: (left, right) => right.parsed.y - left.parsed.y,
      filter: (item) => item.parsed.y > 0,
      footer: (items) =>
        `Total: ${formatUsd(addDecimals(items.map((item) => item.dataset.exact[item.dataIndex])))}`,
    },
  });
}
