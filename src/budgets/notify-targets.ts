import { LedgerError } from "../errors.js";

/** Where an alert can go: a generic signed webhook, or a Slack incoming webhook (Slack's message format). */
export type AlertTargetKind = "webhook" | "slack";
export const alertTargetKinds: readonly AlertTargetKind[] = ["webhook", "slack"];

/** A target as budgets and the CLI spell it: `webhook:https://…` or `slack:https://hooks.slack.com/…`. */
export interface NotifyTarget {
  kind: AlertTargetKind;
  url: string;
}

const maxUrlLength = 2048;

/**
 * Parses `KIND:URL` (an http or https URL; credentials in it are refused, since they would be shown
 * in every listing). Whether the URL's host is an internal address is decided when delivering, where
 * the name is resolved. `field` names where the text came from, for the error.
 */
export function parseNotifyTarget(text: unknown, field: string): NotifyTarget {
  const fail = (why: string): never => {
    throw new LedgerError("E_BUDGET_SPEC", `${field}: ${why}`);
  };
  if (typeof text !== "string") return fail(`expected "webhook:URL" or "slack:URL", got ${typeof text}`);
  const separator = text.indexOf(":");
  const kind = separator > 0 ? text.slice(0, separator) : "";
  if (!(alertTargetKinds as readonly string[]).includes(kind)) {
    return fail(
      `unknown target scheme ${JSON.stringify(kind || text)}; accepted: ${alertTargetKinds.map((name) => `${name}:URL`).join(", ")}`,
    );
  }
  const rest = text.slice(separator + 1);
  if (rest.length > maxUrlLength) return fail(`the URL is longer than ${maxUrlLength} characters`);
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    return fail(`${JSON.stringify(rest)} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return fail(`the URL must be http or https`);
  if (url.username || url.password) return fail("the URL must not carry a user name or password");
  return { kind: kind as AlertTargetKind, url: url.toString() };
}

/** `KIND:URL`, the form budgets store and the CLI prints. */
export function formatNotifyTarget(target: NotifyTarget): string {
  return `${target.kind}:${target.url}`;
}
