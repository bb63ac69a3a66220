// The llm-ledger dashboard: sign in with a read key, then an overview of where the money goes. Plain
// ES modules, no build step; all data comes from GET /v1/costs and /v1/events with the session cookie.
import { costParams, eventParams, fetchCosts, signIn, signOut, UnauthorizedError } from "./js/api.js";
import { createBillsPanel } from "./js/bills-panel.js";
import { createBreakdowns } from "./js/breakdowns.js";
import { createBudgetsPanel } from "./js/budgets-panel.js";
import { csvButton, csvFilename, downloadCsv } from "./js/download.js";
import { el, replaceChildren } from "./js/dom.js";
import { createFilterBar, filterDimensions } from "./js/filters.js";
import { formatUsd } from "./js/format.js";
import { emptyState, unpricedWarning } from "./js/notices.js";
import { createFilterOptions, topValues } from "./js/filter-options.js";
import { rangePhrase, spendWindows, viewWindow } from "./js/periods.js";
import { createRangeControls } from "./js/range-controls.js";
import { fallbackCard, placeholderCards, spendCard } from "./js/stat-cards.js";
import { drawTrendChart, trendData } from "./js/trend-chart.js";
import { createEventDetail } from "./js/event-detail.js";
import { createRecentCalls } from "./js/recent-calls.js";
import { readViewState, writeViewState } from "./js/view-state.js";

const view = {
  loading: document.getElementById("loading"),
  login: document.getElementById("login-view"),
  loginForm: document.getElementById("login-form"),
  loginKey: document.getElementById("login-key"),
  loginError: document.getElementById("login-error"),
  dashboard: document.getElementById("dashboard"),
  actions: document.getElementById("topbar-actions"),
  logout: document.getElementById("logout"),
  footer: document.getElementById("footer"),
  footerSource: document.getElementById("footer-source"),
  rangeButtons: [...document.querySelectorAll("[data-range]")],
  rangeFrom: document.getElementById("range-from"),
  rangeTo: document.getElementById("range-to"),
};

const state = readViewState(new URLSearchParams(location.search));
let dashboard;
let generation = 0;
const rangeControls = createRangeControls({
  buttons: view.rangeButtons,
  fromInput: view.rangeFrom,
  toInput: view.rangeTo,
  state,
  onChange: () => void refresh(),
});

function show(name) {
  view.loading.hidden = name !== "loading";
  view.login.hidden = name !== "login";
  view.dashboard.hidden = name !== "dashboard";
  view.actions.hidden = name !== "dashboard";
  view.footer.hidden = name !== "dashboard";
  document.body.dataset.view = name;
}

function showLogin(message) {
  show("login");
  view.loginError.hidden = !message;
  view.loginError.textContent = message ?? "";
  view.loginKey.focus();
}

/** Builds the dashboard's frame once; `refresh` fills it. */
function buildDashboard() {
  const filterBar = createFilterBar({
    initial: state.filters,
    onChange: (filters) => {
      const projectChanged = filters.project !== state.filters.project;
      state.filters = filters;
      void refresh();
      // Budgets follow the project switcher only (not the range or the other filters).
      if (projectChanged) void dashboard?.budgets.load({ project: filters.project });
    },
    onMetadataKey: () => {},
  });
  const onError = (error) => handleError(error);
  const tables = createBreakdowns({
    onPick: (dimension, value) => filterBar.set({ ...state.filters, [dimension]: value }),
    onError,
    currentQuery,
  });
  const detail = createEventDetail({ onError });
  const bills = createBillsPanel({ onError });
  const recent = createRecentCalls({
    onError,
    onOpen: (eventId) => void detail.open(eventId),
    header: [
      csvButton({
        label: "Download the calls behind the figures as CSV",
        testId: "csv-calls",
        // Every call of the range and filters (GET /v1/events streams them all as CSV).
        download: () =>
          downloadCsv("/v1/events", eventParams(currentQuery()), csvFilename("calls", currentQuery())),
        onError,
      }),
    ],
  });
  const canvas = el("canvas", { "aria-label": "Daily spend, stacked", role: "img" });
  const stackButtons = ["provider", "model"].map((dimension) =>
    el(
      "button",
      {
        type: "button",
        "data-stack": dimension,
        "data-testid": `stack-${dimension}`,
        onClick: () => {
          state.stackBy = dimension;
          void refreshTrend(generation);
        },
      },
      dimension === "provider" ? "By provider" : "By model",
    ),
  );
  const parts = {
    budgets: createBudgetsPanel({ onError }),
    filterBar,
    tables,
    bills,
    recent,
    canvas,
    stackButtons,
    chart: undefined,
    error: el("div", {
      className: "notice notice-error",
      role: "alert",
      hidden: true,
      "data-testid": "load-error",
    }),
    unpriced: el("div", { className: "unpriced-slot" }),
    stats: el("section", { className: "stats", "data-testid": "stats" }, placeholderCards(4)),
    trendTotal: el("span", { className: "card-subtitle", "data-testid": "trend-total" }),
    empty: el("div", { className: "empty-slot" }),
    heading: el("p", { className: "page-subtitle", "data-testid": "scope" }),
  };
  parts.content = el(
    "div",
    { className: "content" },
    parts.stats,
    el(
      "section",
      { className: "card chart-card", "data-testid": "trend" },
      el(
        "header",
        { className: "card-header" },
        el("div", {}, el("h2", { className: "card-title" }, "Daily spend"), parts.trendTotal),
        el(
          "div",
          { className: "card-actions" },
          el(
            "div",
            { className: "segmented segmented-small", role: "group", "aria-label": "Stack bars by" },
            stackButtons,
          ),
          csvButton({
            label: "Download the daily spend as CSV",
            testId: "csv-trend",
            download: () => {
              const query = currentQuery();
              const params = costParams({ ...query, groupBy: [state.stackBy], grain: "day" });
              return downloadCsv("/v1/costs", params, csvFilename(`daily-by-${state.stackBy}`, query));
            },
            onError,
          }),
        ),
      ),
      el("div", { className: "chart-box" }, canvas),
    ),
    bills.element,
    tables.element,
    recent.element,
    detail.element,
  );
  const title = el(
    "div",
    { className: "page-head" },
    el("h1", { className: "page-title" }, "Spend overview"),
    parts.heading,
  );
  replaceChildren(
    view.dashboard,
    title,
    filterBar.element,
    parts.error,
    parts.empty,
    parts.unpriced,
    parts.content,
    parts.budgets.element,
  );
  return parts;
}

/** The range and filters on screen, as the API takes them. */
function currentQuery() {
  return { ...viewWindow(new Date(), state), filters: state.filters };
}

function syncControls() {
  rangeControls.sync();
  for (const button of dashboard.stackButtons)
    button.classList.toggle("is-active", button.dataset.stack === state.stackBy);
  writeViewState(state);
  const scope = Object.entries(state.filters).map(([dimension, value]) => `${labelOf(dimension)} ${value}`);
  const phrase = rangePhrase(state);
  dashboard.heading.textContent = [
    phrase.charAt(0).toUpperCase() + phrase.slice(1),
    ...(scope.length ? scope : ["all calls"]),
  ].join(" · ");
}

function labelOf(dimension) {
  return filterDimensions.find((entry) => entry.dimension === dimension)?.label.toLowerCase() ?? dimension;
}

/** Reloads every figure for the current range and filters; stale answers are dropped. */
async function refresh() {
  const current = ++generation;
  syncControls();
  const now = new Date();
  const range = viewWindow(now, state);
  const filters = state.filters;
  view.dashboard.classList.add("is-refreshing");
  try {
    const windows = spendWindows(now);
    const options = await filterOptions(range, state.range !== "custom");
    if (current !== generation) return;
    dashboard.filterBar.metadata.setKeys(options.metadataKeys);
    const metadataKey = dashboard.filterBar.metadata.key || options.metadataKeys[0];
    const [cards, showBreakdowns, unpriced, metadataValues] = await Promise.all([
      Promise.all(
        windows.map((window) =>
          Promise.all([
            fetchCosts({ ...window.current, filters }),
            fetchCosts({ ...window.previous, filters }),
          ]),
        ),
      ),
      dashboard.tables.load({ ...range, filters }, metadataKey),
      fetchCosts({ ...range, groupBy: ["model", "provider"], filters: { ...filters, priced: false } }),
      dashboard.filterBar.metadata.key
        ? fetchCosts({ ...range, groupBy: [`metadata.${dashboard.filterBar.metadata.key}`], ...topValues })
        : undefined,
      refreshTrend(current, now),
      dashboard.recent.load({ ...range, filters }),
      dashboard.bills.load(range),
    ]);
    if (current !== generation) return;
    const breakdowns = showBreakdowns();
    dashboard.error.hidden = true;
    replaceChildren(
      dashboard.stats,
      windows.map((window, index) => spendCard(window, cards[index][0], cards[index][1])),
      fallbackCard(breakdowns[0].totals, rangePhrase(state)),
    );
    replaceChildren(dashboard.unpriced, unpricedWarning(unpriced));
    filterDimensions.forEach(({ dimension }, index) =>
      dashboard.filterBar.setOptions(dimension, options.reports[index]),
    );
    if (metadataValues) dashboard.filterBar.metadata.setValues(metadataValues);
    view.footerSource.textContent = sourceNote(breakdowns[0].source);
  } catch (error) {
    if (current === generation) handleError(error);
  } finally {
    if (current === generation) view.dashboard.classList.remove("is-refreshing");
  }
}

const filterOptions = createFilterOptions();

/** Reloads the trend chart only (its stacking changed), or as part of `refresh`. */
async function refreshTrend(current, now = new Date()) {
  syncControls();
  const range = viewWindow(now, state);
  try {
    const report = await fetchCosts({
      ...range,
      groupBy: [state.stackBy],
      grain: "day",
      filters: state.filters,
    });
    if (current !== generation) return;
    const phrase = rangePhrase(state);
    dashboard.trendTotal.textContent = `${formatUsd(report.totals.costUsd)} ${state.range === "custom" ? "from" : "in the"} ${phrase}`;
    dashboard.chart = drawTrendChart(
      dashboard.canvas,
      trendData(report, state.stackBy, range),
      dashboard.chart,
    );
  } catch (error) {
    if (current === generation) handleError(error);
  }
}

function sourceNote(source) {
  if (source === "rollup") return "Served from hourly rollups.";
  if (source === "mixed") return "Served from hourly rollups and raw events.";
  return "Served from raw events.";
}

function handleError(error) {
  if (error instanceof UnauthorizedError) {
    showLogin("Your session has ended. Sign in again.");
    return;
  }
  dashboard.error.hidden = false;
  replaceChildren(
    dashboard.error,
    el("strong", {}, "Could not load the figures. "),
    error instanceof Error ? error.message : String(error),
    " ",
    el("button", { type: "button", className: "button-link", onClick: () => void refresh() }, "Try again"),
  );
}

/** Decides what to show: sign-in, the empty ledger's instructions, or the overview. */
async function start() {
  show("loading");
  try {
    const everything = await fetchCosts({});
    dashboard ??= buildDashboard();
    show("dashboard");
    const empty = everything.totals.events === 0;
    replaceChildren(dashboard.empty, empty ? emptyState(location.origin) : null);
    dashboard.content.hidden = empty;
    dashboard.filterBar.element.hidden = empty;
    if (empty) syncControls();
    else await refresh();
    // Budgets follow neither the range nor the filters but the project, and matter before the first
    // event too; they load once the figures above them are in, which come first.
    void dashboard.budgets.load({ project: state.filters.project });
  } catch (error) {
    if (error instanceof UnauthorizedError) showLogin();
    else {
      dashboard ??= buildDashboard();
      show("dashboard");
      handleError(error);
    }
  }
}

view.loginForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = view.loginKey.value.trim();
  const button = view.loginForm.querySelector("button[type=submit]");
  button.disabled = true;
  signIn(key)
    .then(() => {
      view.loginKey.value = "";
      return start();
    })
    .catch((error) => showLogin(error instanceof Error ? error.message : String(error)))
    .finally(() => (button.disabled = false));
});

view.logout.addEventListener("click", () => {
  void signOut().then(() => showLogin());
});

document.getElementById("login-hint-command").textContent =
  // npx finds the CLI in a clone, a project that installed it and a global install alike.
  `npx llm-ledger keys create --url ${location.origin} --name dashboard --scopes read`;

void start();
