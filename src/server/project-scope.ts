import { checkProjectSlug, defaultProject, type ProjectStore } from "../projects/index.js";
import type { CostFilters } from "../query/index.js";
import type { Principal } from "./api-keys.js";
import type { MiddlewareHandler } from "hono";
import type { AuthVariables } from "./auth.js";
import { HttpError } from "./http-errors.js";

// What a key's project means for a request: which project an event it sends goes to, which rows a
// read may see, and whether it may manage every project. Every route decides through these.

/** Where an event goes, or why it may not: the answer of `writeProjectOf`. */
export type WriteProject = { ok: true; project: string } | { ok: false; reason: string };

/**
 * The project an event sent with `principal`'s key is written to. `named` is the event's own `project`
 * field (undefined when it names none). A key bound to A writes to A: an event naming none goes to A,
 * one naming another project is refused with the reason. A key of every project writes where the
 * event says (default `default`); whether that project exists is the caller's to check
 * (`ProjectStore.list`). Shared by every ingest route (`POST /v1/events`, OpenTelemetry).
 */
export function writeProjectOf(principal: Pick<Principal, "project">, named: unknown): WriteProject {
  if (named !== undefined && named !== null && typeof named !== "string") {
    return { ok: false, reason: "project must be a project slug (a string)" };
  }
  const bound = principal.project;
  if (named === undefined || named === null) return { ok: true, project: bound ?? defaultProject };
  if (bound !== null && named !== bound) {
    return {
      ok: false,
      reason: `this key writes to project "${bound}" only; the event names project ${JSON.stringify(named.slice(0, 80))}`,
    };
  }
  return { ok: true, project: named };
}

/**
 * `writeProjectOf` for the events of one request, knowing which projects exist: `named` is each
 * event's `project` field. A key bound to a project needs no read (its binding is a foreign key); a key
 * of every project reads the projects its events name, once, and an event naming one that does not
 * exist is refused (`no project "x"`).
 */
export async function writeProjectsOf(
  projects: Pick<ProjectStore, "list">,
  principal: Pick<Principal, "project">,
  named: readonly unknown[],
): Promise<(named: unknown) => WriteProject> {
  const wanted = new Set<string>([defaultProject]);
  if (principal.project === null) {
    for (const project of named) if (typeof project === "string") wanted.add(project);
  }
  const known =
    wanted.size === 1
      ? undefined
      : new Set((await projects.list([...wanted])).map((project) => project.slug));
  return (project) => {
    const target = writeProjectOf(principal, project);
    if (!target.ok || known === undefined || target.project === defaultProject || known.has(target.project)) {
      return target;
    }
    return { ok: false, reason: `no project ${JSON.stringify(target.project.slice(0, 80))}` };
  };
}

/**
 * The filters of a read narrowed to what `principal` may see: a key of every project reads as asked;
 * a key bound to A reads A, and a filter naming only other projects matches nothing (the same answer
 * as a project that does not exist, so nothing tells the two apart).
 */
export function readFiltersOf(
  principal: Pick<Principal, "project">,
  filters: CostFilters | undefined,
): CostFilters | undefined {
  const bound = principal.project;
  if (bound === null) return filters;
  const asked = filters?.project;
  const askedList = asked === undefined ? undefined : Array.isArray(asked) ? asked : [asked];
  const project = askedList === undefined || askedList.includes(bound) ? [bound] : [];
  return { ...filters, project };
}

/** The projects `principal` may see: its own, or undefined for every project. */
export function visibleProjectsOf(principal: Pick<Principal, "project">): string[] | undefined {
  return principal.project === null ? undefined : [principal.project];
}

/** Refuses (403 `E_PROJECT_SCOPE`) a key bound to one project where every project is at stake. */
export function requireEveryProject(principal: Pick<Principal, "project">, action: string): void {
  if (principal.project !== null) {
    throw new HttpError(
      "E_PROJECT_SCOPE",
      `this key is bound to project "${principal.project}"; ${action} needs a key of every project`,
    );
  }
}

/**
 * The owner of something a key creates (a budget, an alert target): a key bound to A creates A's
 * (naming A, or nothing); naming another project, or the organization (null), is refused with
 * 403 `E_PROJECT_SCOPE`, which says nothing of whether that project exists. A key of every project
 * creates what it names: a project, or by default (`asked` absent or null) the organization's.
 */
export function ownerProjectOf(
  principal: Pick<Principal, "project">,
  asked: unknown,
  what: string,
): string | null {
  const bound = principal.project;
  if (asked !== undefined && asked !== null && typeof asked !== "string") {
    throw new HttpError("E_BODY", "project: expected a project slug or null");
  }
  if (bound === null) return asked ?? null;
  if (asked === undefined || asked === bound) return bound;
  throw new HttpError(
    "E_PROJECT_SCOPE",
    `this key manages project "${bound}" only; it cannot create ${what} of ${asked === null ? "the organization" : "another project"}`,
  );
}

/** What a key sees of data owned by projects: `{ project }` for a key bound to one, `{}` for every project. */
export function ownViewOf(principal: Pick<Principal, "project">): { project?: string } {
  return principal.project === null ? {} : { project: principal.project };
}

/**
 * What a key sees of project-owned data (budgets) when a read names a project (`?project=A`, the
 * dashboard's project switcher): without one (or empty), `ownViewOf`. A key of every project sees A's;
 * a key bound to A sees its own, and naming another project sees nothing (undefined), the same answer
 * as a project that does not exist, as `readFiltersOf` answers cost reads. A value that is no project
 * slug is `E_PROJECT_SLUG` (400).
 */
export function namedViewOf(
  principal: Pick<Principal, "project">,
  asked: string | undefined,
): { project?: string } | undefined {
  if (asked === undefined || asked === "") return ownViewOf(principal);
  const project = checkProjectSlug(asked);
  if (principal.project !== null && principal.project !== project) return undefined;
  return { project };
}

/**
 * Middleware for routes whose data belongs to no project (the bills reconciliation): a key bound to
 * one project is refused (403 `E_PROJECT_SCOPE`) rather than shown the organization's figures.
 */
export function everyProjectOnly(what: string): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (context, next) => {
    // No principal: no guard matched (an unknown path), which answers for itself.
    const principal = context.get("principal") as Pick<Principal, "project"> | undefined;
    if (principal) requireEveryProject(principal, what);
    await next();
  };
}
