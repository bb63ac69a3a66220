// The budgets panel's calls: reads with the session cookie (any read session), writes as same-origin
// JSON, which the service accepts only from a session signed in with an admin key.
import { errorFrom, getJson, UnauthorizedError } from "./api.js";

/**
 * `GET /v1/budget-status`: every budget this session sees, with spend, state and forecast; with a
 * `project` (the project switcher's), that project's budgets only.
 * @param {string | undefined} project
 */
export function fetchBudgetStatus(project) {
  return getJson("/v1/budget-status", new URLSearchParams(project ? { project } : {}));
}

/** `GET /v1/alerts`: the newest deliveries first. */
export function fetchAlerts(limit = 20) {
  return getJson("/v1/alerts", new URLSearchParams({ limit: String(limit) }));
}

/**
 * Creates a budget (`id` absent, POST) or changes one (PATCH with the fields given).
 * @returns {Promise<object>} the budget as stored; rejects with an ApiError naming the field
 */
export async function saveBudget(id, fields) {
  const response = await fetch(id ? `/v1/budgets/${encodeURIComponent(id)}` : "/v1/budgets", {
    method: id ? "PATCH" : "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(fields),
  });
  if (response.status === 401) throw new UnauthorizedError();
  if (!response.ok) throw await errorFrom(response);
  return (await response.json()).budget;
}
