import { LedgerError } from "../errors.js";
import { unstorableText } from "../events/index.js";
import { checkProjectSlug } from "../projects/index.js";
import { dimensionNames, type Dimension } from "../query/index.js";
import { parsePeriod, type BudgetPeriod } from "./budget-period.js";
import { formatNotifyTarget, parseNotifyTarget } from "./notify-targets.js";
import { parseUsdAmount } from "./usd.js";

/** Which events a budget counts: dimension → values, as `report --filter` (several dimensions: AND). */
export type BudgetScope = Partial<Record<Dimension, ReadonlyArray<string | null> | string | null>>;

/** What a caller gives to create a budget; `updateBudget` takes any subset of it. */
export interface BudgetSpec {
  /** Unique; not only digits (so an id and a name never look alike). */
  name: string;
  /** Filters on the events; none counts every event. */
  scope?: BudgetScope | undefined;
  /** Give every value of this dimension the whole amount, tracked on its own (`userId`: per user). */
  per?: Dimension | null | undefined;
  /** `day`, `week`, `month` or `rolling:Nd` (see `BudgetPeriod`; any text is checked). */
  period: string;
  /** IANA time zone in which calendar periods start; default UTC. */
  timeZone?: string | undefined;
  /** US dollars, as a decimal string (`"500"`, `"12.50"`); a whole number is accepted too. */
  amountUsd: string | number;
  /** Percentages of the amount that alert, 1 to 1000; default 50, 80, 100. */
  thresholds?: readonly number[] | undefined;
  /** `block`: the budget guard refuses calls in scope once the amount is spent. */
  action?: "block" | null | undefined;
  /** `webhook:URL` or `slack:URL`; none: the default targets of the budget's project (see `project`). */
  notify?: readonly string[] | undefined;
  /**
   * The project that owns the budget (a slug), fixed at creation: it counts that project's events only
   * and alerts that project's targets. Absent or null: the organization's, seen by keys of every project.
   */
  project?: string | null | undefined;
}

/** A stored budget. */
export interface Budget {
  id: string;
  name: string;
  scope: Partial<Record<Dimension, Array<string | null>>>;
  per: Dimension | null;
  period: BudgetPeriod;
  timeZone: string;
  amountUsd: string;
  thresholds: number[];
  action: "block" | null;
  notify: string[];
  /** The owning project; null: the organization. A project's budget has `scope.project` = [it]. */
  project: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The fields of a budget a caller sets: a checked spec. */
export type BudgetFields = Omit<Budget, "id" | "createdAt" | "updatedAt">;

export const defaultThresholds: readonly number[] = [50, 80, 100];
const specFields = [
  "name",
  "scope",
  "per",
  "period",
  "timeZone",
  "amountUsd",
  "thresholds",
  "action",
  "notify",
  "project",
];
const maxNameLength = 200;
const maxScopeValues = 1000;
const maxTargets = 20;

function fail(message: string): never {
  throw new LedgerError("E_BUDGET_SPEC", message);
}

/** Checks a whole spec (create), throwing `E_BUDGET_SPEC` with a message that starts with the field. */
export function parseBudgetSpec(input: unknown): BudgetFields {
  const fields = parseBudgetChanges(input);
  for (const required of ["name", "period", "amountUsd"] as const) {
    if (fields[required] === undefined) fail(`${required}: required`);
  }
  const owner = fields.project ?? null;
  const spec = {
    scope: {},
    per: null,
    timeZone: "UTC",
    thresholds: [...defaultThresholds],
    action: null,
    notify: [],
    ...fields,
    project: owner,
  } as BudgetFields;
  return { ...spec, scope: ownedScope(spec.scope, owner) };
}

/**
 * A scope confined to its budget's project: a project's budget counts that project's events only,
 * whatever else its scope says, so `project: [owner]` is always part of it; naming another project
 * there is refused rather than silently matching nothing.
 */
export function ownedScope(scope: BudgetFields["scope"], project: string | null): BudgetFields["scope"] {
  if (project === null) return scope;
  const named = scope.project;
  if (named !== undefined && !(named.length === 1 && named[0] === project)) {
    fail(`scope.project: a budget of project "${project}" counts that project's events only`);
  }
  return { ...scope, project: [project] };
}

function parseProject(value: unknown): string {
  try {
    return checkProjectSlug(value);
  } catch (error) {
    return fail(`project: ${(error as Error).message}`);
  }
}

/** Checks the fields given (update): each present one as `parseBudgetSpec` does; absent ones stay absent. */
export function parseBudgetChanges(input: unknown): Partial<BudgetFields> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    fail("expected an object with name, period, amountUsd and optional fields");
  }
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!specFields.includes(key)) fail(`${key}: unknown field; accepted: ${specFields.join(", ")}`);
  }
  const changes: Partial<BudgetFields> = {};
  if (record.name !== undefined) changes.name = parseName(record.name);
  if (record.scope !== undefined) changes.scope = parseScope(record.scope);
  if (record.per !== undefined)
    changes.per = record.per === null ? null : parseDimensionName(record.per, "per");
  if (record.period !== undefined) changes.period = parsePeriod(record.period);
  if (record.timeZone !== undefined) changes.timeZone = parseTimeZone(record.timeZone);
  if (record.amountUsd !== undefined) changes.amountUsd = parseUsdAmount(record.amountUsd, "amountUsd");
  if (record.thresholds !== undefined) changes.thresholds = parseThresholds(record.thresholds);
  if (record.action !== undefined) changes.action = parseAction(record.action);
  if (record.notify !== undefined) changes.notify = parseNotify(record.notify);
  // On an update it may only repeat the budget's own (budget-store checks): ownership does not move.
  if (record.project !== undefined)
    changes.project = record.project === null ? null : parseProject(record.project);
  return changes;
}

function parseName(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "" || value.length > maxNameLength) {
    fail(`name: expected 1 to ${maxNameLength} characters`);
  }
  if (/^\d+$/.test(value)) fail("name: must not be only digits (those are budget ids)");
  // Control characters would garble the CLI's tables and log lines.
  const unstorable =
    unstorableText(value) ?? (hasControlCharacter(value) ? "contains a control character" : undefined);
  if (unstorable) fail(`name: ${unstorable}`);
  return value;
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A dimension as the library names it: one of `dimensionNames`, or `metadata.<key>`. */
export function parseDimensionName(value: unknown, field: string): Dimension {
  if (typeof value === "string") {
    if ((dimensionNames as readonly string[]).includes(value)) return value as Dimension;
    if (/^metadata\..{1,200}$/s.test(value) && unstorableText(value) === undefined) return value as Dimension;
  }
  return fail(
    `${field}: unknown dimension ${JSON.stringify(value) ?? typeof value}; accepted: ${dimensionNames.join(", ")}, metadata.<key>`,
  );
}

function parseScope(value: unknown): BudgetFields["scope"] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail('scope: expected an object of dimension → values, e.g. { "repo": ["acme/api"] }');
  }
  const scope: BudgetFields["scope"] = {};
  for (const [name, given] of Object.entries(value as Record<string, unknown>)) {
    const dimension = parseDimensionName(name, "scope");
    const values: unknown[] = Array.isArray(given) ? given : [given];
    if (values.length === 0 || values.length > maxScopeValues) {
      fail(`scope.${dimension}: expected 1 to ${maxScopeValues} values, got ${values.length}`);
    }
    for (const item of values) {
      if (item === null) continue;
      if (typeof item !== "string" || item === "")
        fail(`scope.${dimension}: values must be non-empty strings or null`);
      const unstorable = unstorableText(item);
      if (unstorable) fail(`scope.${dimension}: a value ${unstorable}`);
    }
    scope[dimension] = [...new Set(values as Array<string | null>)];
  }
  return scope;
}

function parseTimeZone(value: unknown): string {
  if (typeof value === "string" && value.length > 0 && value.length <= 64) {
    try {
      // Canonical spelling ("europe/berlin" → "Europe/Berlin"), which Postgres also accepts.
      return new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
    } catch {
      // reported below
    }
  }
  return fail(
    `timeZone: unknown time zone ${JSON.stringify(value) ?? typeof value}; use an IANA name such as "UTC" or "Europe/Berlin"`,
  );
}

function parseThresholds(value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 20) {
    fail("thresholds: expected 1 to 20 percentages, e.g. [50, 80, 100]");
  }
  for (const item of value) {
    if (typeof item !== "number" || !Number.isInteger(item) || item < 1 || item > 1000) {
      fail(
        `thresholds: each must be a whole percentage from 1 to 1000, got ${JSON.stringify(item) ?? typeof item}`,
      );
    }
  }
  return [...new Set(value as number[])].sort((a, b) => a - b);
}

function parseAction(value: unknown): "block" | null {
  if (value === null || value === "block") return value;
  return fail(`action: expected "block" or null, got ${JSON.stringify(value) ?? typeof value}`);
}

function parseNotify(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > maxTargets)
    fail(`notify: expected a list of at most ${maxTargets} targets`);
  const targets = (value as unknown[]).map((item, index) =>
    formatNotifyTarget(parseNotifyTarget(item, `notify[${index}]`)),
  );
  return [...new Set(targets)];
}
