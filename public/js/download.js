// CSV downloads with the session cookie: a plain link cannot send `Accept: text/csv`, and the strict
// CSP allows no inline script, so the file is fetched, held as a Blob and saved through an object URL.
import { getCsv } from "./api.js";
import { el } from "./dom.js";

/** Fetches `path?params` as CSV and saves it as `filename`. */
export async function downloadCsv(path, params, filename) {
  const blob = await getCsv(path, params);
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the file once the click's navigation started; free the Blob afterwards.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A small "CSV" button that runs `download()`, disabled while it runs; failures go to `onError`.
 * @param {{ label: string, testId: string, download: () => Promise<void>, onError: (error: unknown) => void }} options
 */
export function csvButton({ label, testId, download, onError }) {
  const button = el(
    "button",
    {
      type: "button",
      className: "button-quiet button-small",
      "data-testid": testId,
      title: label,
      "aria-label": label,
      onClick: () => {
        button.disabled = true;
        download()
          .catch(onError)
          .finally(() => (button.disabled = false));
      },
    },
    "CSV",
  );
  return button;
}

/** A file name for a download: `llm-ledger-<what>-<from>-to-<to>.csv`, days in UTC. */
export function csvFilename(what, range) {
  const day = (instant) => instant.toISOString().slice(0, 10);
  const last = new Date(range.to.getTime() - 1);
  return `llm-ledger-${what.replace(/[^a-z0-9.-]+/gi, "-")}-${day(range.from)}-to-${day(last)}.csv`;
}
