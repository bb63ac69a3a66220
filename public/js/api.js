// The dashboard's calls to the llm-ledger API: a session cookie (HttpOnly, SameSite=Strict) set by
// POST /v1/session carries the read key's authority; the page never holds the key after signing in.
import { filterParameter } from "./filter-values.js";

/** The session is missing or expired: show the sign-in form. */
export class UnauthorizedError extends Error {
  constructor() {
    super("not signed in");
    this.name = "UnauthorizedError";
  }
}

/** Any other failed call, with the API's own message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/** The ApiError of a failed response, with the API's own code and message. */
export async function errorFrom(response) {
  const body = await response.json().catch(() => null);
  const error = body && typeof body === "object" ? body.error : undefined;
  return new ApiError(
    response.status,
    error?.code ?? `HTTP_${response.status}`,
    error?.message ?? `the server answered ${response.status} ${response.statusText}`,
  );
}

/** GET a JSON route; 401 → UnauthorizedError. */
export async function getJson(path, params = new URLSearchParams()) {
  const query = params.toString();
  const response = await fetch(query ? `${path}?${query}` : path, {
    credentials: "same-origin",
    headers: { accept: "application/json" },
  });
  if (response.status === 401) throw new UnauthorizedError();
  if (!response.ok) throw await errorFrom(response);
  return response.json();
}

/**
 * Exchanges a read key for a session cookie.
 * @returns {Promise<void>} rejects with an ApiError whose message suits the sign-in form
 */
export async function signIn(key) {
  const response = await fetch("/v1/session", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ key }),
  });
  if (response.ok) return;
  const error = await errorFrom(response);
  if (response.status === 401) error.message = "That key is not valid (or it was revoked).";
  if (response.status === 403)
    error.message = "That key has no read scope. Use a key created with --scopes read.";
  throw error;
}

/** Ends the session (the server forgets it and clears the cookie). */
export async function signOut() {
  await fetch("/v1/session", { method: "DELETE", credentials: "same-origin" });
}

/** Adds filters to query parameters: flags (`priced=false`) as they are, dimension values escaped. */
function addFilters(params, filters = {}) {
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) continue;
    // Escaped, so a comma stays inside its value.
    params.set(name, typeof value === "boolean" ? String(value) : filterParameter(value));
  }
}

/**
 * The query parameters of `GET /v1/costs`.
 * @param {{ from?: Date, to?: Date, groupBy?: string[], grain?: string, orderBy?: string, limit?: number, filters?: Record<string, string | string[] | boolean> }} query
 */
export function costParams(query = {}) {
  const params = new URLSearchParams();
  if (query.from) params.set("from", query.from.toISOString());
  if (query.to) params.set("to", query.to.toISOString());
  if (query.groupBy?.length) params.set("groupBy", query.groupBy.join(","));
  if (query.grain) {
    params.set("grain", query.grain);
    params.set("timeZone", "UTC");
  }
  if (query.orderBy) params.set("orderBy", query.orderBy);
  if (query.limit) params.set("limit", String(query.limit));
  addFilters(params, query.filters);
  return params;
}

/** `GET /v1/costs`: the queryCosts report `{ rows, totals, source }` (parameters as `costParams`). */
export function fetchCosts(query = {}) {
  return getJson("/v1/costs", costParams(query));
}

/**
 * The query parameters of `GET /v1/events`; without `limit`, none is sent (the CSV then holds every call).
 * @param {{ from?: Date, to?: Date, filters?: Record<string, string>, limit?: number, cursor?: string | null }} query
 */
export function eventParams(query = {}) {
  const params = new URLSearchParams();
  if (query.from) params.set("from", query.from.toISOString());
  if (query.to) params.set("to", query.to.toISOString());
  if (query.limit) params.set("limit", String(query.limit));
  if (query.cursor) params.set("cursor", query.cursor);
  addFilters(params, query.filters);
  return params;
}

/**
 * `GET /v1/events`: the calls behind the figures, newest first, a page at a time.
 * @returns {Promise<{ events: object[], nextCursor: string | null }>}
 */
export function fetchEvents(query = {}) {
  return getJson("/v1/events", eventParams({ ...query, limit: query.limit ?? 25 }));
}

/**
 * A route's answer as CSV (`Accept: text/csv`, with the session cookie), as a Blob to save.
 * @returns {Promise<Blob>}
 */
export async function getCsv(path, params) {
  const response = await fetch(`${path}?${params.toString()}`, {
    credentials: "same-origin",
    headers: { accept: "text/csv" },
  });
  if (response.status === 401) throw new UnauthorizedError();
  if (!response.ok) throw await errorFrom(response);
  return response.blob();
}

/**
 * `GET /v1/events/{eventId}`: one call with every field.
 * @param {string} eventId
 */
export function fetchEvent(eventId) {
  return getJson(`/v1/events/${encodeURIComponent(eventId)}`);
}

/** `GET /v1/session`: who is signed in, `{ name, scopes, project }` (`project` null: every project). */
export function fetchSession() {
  return getJson("/v1/session");
}

/**
 * `GET /v1/reconciliation` (admin): the estimate beside the imported bills per UTC day and provider.
 * @param {{ from: Date, to: Date }} range
 */
export function fetchReconciliation(range) {
  const params = new URLSearchParams({
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    by: "day,provider",
  });
  return getJson("/v1/reconciliation", params);
}

/** Why an event costs what it does, from the rates kept with it (`GET /v1/events/{id}/cost`). */
export function fetchEventCost(eventId) {
  return getJson(`/v1/events/${encodeURIComponent(eventId)}/cost`);
}
