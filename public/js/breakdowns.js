// The breakdown tables: spend by repo, task type, model, provider, user, environment, session and one
// metadata key, each with its CSV download (the same report from GET /v1/costs as text/csv).
import { costParams, fetchCosts } from "./api.js";
import { createBreakdownTable } from "./breakdown-table.js";
import { csvButton, csvFilename, downloadCsv } from "./download.js";
import { el } from "./dom.js";

/** The tables shown, in order; sessions are many, so only the 100 that cost most are listed. */
export const breakdownDimensions = [
  { dimension: "repo", title: "Spend by repo", noun: "repo" },
  { dimension: "taskType", title: "Spend by task type", noun: "task type" },
  { dimension: "model", title: "Spend by model", noun: "model" },
  { dimension: "provider", title: "Spend by provider", noun: "provider" },
  { dimension: "userId", title: "Spend by user", noun: "user" },
  { dimension: "environment", title: "Spend by environment", noun: "environment" },
  { dimension: "sessionId", title: "Spend by session (top 100)", noun: "session", limit: 100 },
];

/**
 * Creates the tables. `load({ from, to, filters }, metadataKey)` fills them and resolves with the
 * reports in `breakdownDimensions` order; the metadata table shows `metadataKey` (hidden without one).
 * @param {{ onPick: (dimension: string, value: string) => void, onError: (error: unknown) => void, currentQuery: () => { from: Date, to: Date, filters: object } }} options
 */
export function createBreakdowns({ onPick, onError, currentQuery }) {
  let metadataDimension = "";
  const download = (dimension) => async () => {
    const query = currentQuery();
    await downloadCsv(
      "/v1/costs",
      costParams({ ...query, groupBy: [dimension], orderBy: "costUsd:desc" }),
      csvFilename(`by-${dimension}`, query),
    );
  };
  const table = (dimension, title, noun, csvDimension = () => dimension) =>
    createBreakdownTable({
      dimension,
      title,
      noun,
      onPick: (value) => onPick(csvDimension(), value),
      header: [
        csvButton({
          label: `Download ${title.toLowerCase()} as CSV`,
          testId: `csv-${dimension}`,
          download: () => download(csvDimension())(),
          onError,
        }),
      ],
    });
  const tables = breakdownDimensions.map(({ dimension, title, noun }) => table(dimension, title, noun));
  const metadata = table("metadata", "Spend by metadata", "value", () => metadataDimension);
  const element = el(
    "div",
    { className: "tables" },
    tables.map((entry) => entry.element),
    metadata.element,
  );

  return {
    element,
    tables,
    async load(query, metadataKey) {
      metadataDimension = metadataKey ? `metadata.${metadataKey}` : "";
      const [reports, metadataReport] = await Promise.all([
        Promise.all(
          breakdownDimensions.map(({ dimension, limit }) =>
            fetchCosts({ ...query, groupBy: [dimension], orderBy: "costUsd:desc", limit }),
          ),
        ),
        metadataDimension ? fetchCosts({ ...query, groupBy: [metadataDimension] }) : undefined,
      ]);
      return () => {
        reports.forEach((report, index) => tables[index].update(report));
        metadata.element.hidden = !metadataReport;
        if (metadataReport) {
          metadata.update(metadataReport, {
            dimension: metadataDimension,
            title: `Spend by ${metadataDimension}`,
          });
        }
        return reports;
      };
    },
  };
}
