import { checkString, checkUnknownKeys, describe, isRecord } from "./json-checks.js";
import { isProvider } from "./providers.js";

// The `discounts` of an overrides file arrive as untrusted JSON: every problem is listed with its
// JSON path, like the rest of the file's, and nothing is applied until the whole file is valid.

const DISCOUNT_KEYS = new Set(["provider", "model", "project", "percent", "source", "notes"]);

/**
 * A percent off: "0" to "99.9999", at most 4 decimal places, as a string so it stays exact. 100 is
 * refused: a model that costs nothing is a $0 price override, which says so instead of hiding a
 * list price behind a discount.
 */
const PERCENT_PATTERN = /^(0|[1-9]\d?)(\.\d{1,4})?$/;

// The projects module's slug rule (migration 0006); pricing depends on no other module of ours.
const PROJECT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** True when `value` is a discount percent this file accepts. */
function isDiscountPercent(value: unknown): value is string {
  return typeof value === "string" && PERCENT_PATTERN.test(value);
}

function scopeOf(rule: Record<string, unknown>): string {
  const model = typeof rule.model === "string" ? rule.model : "";
  const project = typeof rule.project === "string" ? rule.project : "";
  return `${String(rule.provider)}\u0000${model}\u0000${project}`;
}

function checkRule(rule: unknown, path: string, problems: string[]): void {
  if (!isRecord(rule)) {
    problems.push(`${path}: expected an object with "provider" and "percent", got ${describe(rule)}`);
    return;
  }
  checkUnknownKeys(rule, DISCOUNT_KEYS, path, problems);
  if (!isProvider(rule.provider)) {
    problems.push(`${path}.provider: expected a provider slug, got ${describe(rule.provider)}`);
  }
  if (!isDiscountPercent(rule.percent)) {
    problems.push(
      `${path}.percent: expected a decimal string from "0" to below "100" with at most 4 decimal places (such as "12.5"), got ${describe(rule.percent)}`,
    );
  }
  if (rule.model !== undefined) {
    checkString(rule.model, `${path}.model`, problems, false);
    if (typeof rule.model === "string" && rule.model.trim() !== "") {
      try {
        new RegExp(rule.model, "i");
      } catch (error) {
        problems.push(`${path}.model: invalid regular expression (${(error as Error).message})`);
      }
    }
  }
  if (
    rule.project !== undefined &&
    (typeof rule.project !== "string" || !PROJECT_PATTERN.test(rule.project))
  ) {
    problems.push(
      `${path}.project: expected a project slug (1 to 63 lower-case letters, digits, '-' or '_'), got ${describe(rule.project)}`,
    );
  }
  checkString(rule.source, `${path}.source`, problems, false);
  checkString(rule.notes, `${path}.notes`, problems, false);
}

/**
 * Lists the problems of an overrides file's `discounts` (absent is fine), each as `<JSON path>: <what
 * is wrong>`. Two rules with the same provider, model pattern and project are refused: which one
 * applies would depend on their order.
 */
export function discountProblems(discounts: unknown): string[] {
  if (discounts === undefined) return [];
  if (!Array.isArray(discounts)) return [`$.discounts: expected an array, got ${describe(discounts)}`];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  discounts.forEach((rule: unknown, index) => {
    const path = `$.discounts[${index}]`;
    checkRule(rule, path, problems);
    if (!isRecord(rule)) return;
    const scope = scopeOf(rule);
    const first = seen.get(scope);
    if (first === undefined) seen.set(scope, index);
    else problems.push(`${path}: the same provider, model and project as $.discounts[${first}]`);
  });
  return problems;
}
