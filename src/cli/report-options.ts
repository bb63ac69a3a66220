import type { CommandContext, OptionDefinition } from "./command.js";
import { openCliDatabase } from "./database-option.js";
import { stringOption } from "./option-values.js";
import { UsageError } from "./usage-error.js";
import { didYouMean } from "./nearest-name.js";
import { isLedgerError } from "../errors.js";
import { splitFilterValues, type CostFilters, type Dimension } from "../query/index.js";
import { createTelemetryStore, type TelemetryStore } from "../store/index.js";

// Shared by the reporting commands (top, export, reprice, reconcile): the time window, dimension
// names as the command line spells them, filters, and opening the store.

/** The `--schema` flag. */
export const schemaOption = {
  schema: { type: "string", valueName: "NAME", description: "schema holding the tables (default public)" },
} as const satisfies Record<string, OptionDefinition>;

/** `--since`, `--from` and `--to`. */
export const windowOptions = {
  since: {
    type: "string",
    valueName: "AGE",
    description:
      "events of the last AGE: a number with h, d or w (12h = the last 12 hours; 30d = today so far and the 29 UTC days before it, as the dashboard counts; 2w = 14 days)",
  },
  from: {
    type: "string",
    valueName: "TIME",
    description: "inclusive start: an ISO date or time (2024-03-01, 2024-03-01T12:00:00Z)",
  },
  to: { type: "string", valueName: "TIME", description: "exclusive end: an ISO date or time" },
} as const satisfies Record<string, OptionDefinition>;

/** The `--filter DIMENSION=VALUE[,VALUE]` flag (repeatable). */
export const filterOption = {
  filter: {
    type: "string",
    valueName: "DIM=VALUES",
    multiple: true,
    description:
      "only events whose dimension has one of the values, e.g. --filter repo=api,web (repeatable; '-' is no value, '\\,' a comma in a value, '\\\\' a backslash)",
  },
} as const satisfies Record<string, OptionDefinition>;

const unitHours: Record<string, number> = { h: 1, d: 24, w: 24 * 7 };

/**
 * Parses `--since` into the window's start. Hours are rolling (`12h`: twelve hours before `now`); days
 * and weeks are calendar days, as "last N days" means everywhere (dashboard, CLI, API callers): today
 * so far plus the N−1 whole UTC days before it (`30d`, `2w` = 14 days). `0d` is refused.
 */
export function parseSince(text: string, now: Date, flag = "since"): Date {
  const match = /^(\d{1,6})([hdw])$/.exec(text.trim());
  if (!match || (match[2] !== "h" && Number(match[1]) === 0))
    throw new UsageError(`--${flag} must be a number followed by h, d or w (e.g. 30d), got '${text}'`);
  const hours = Number(match[1]) * unitHours[match[2]!]!;
  if (match[2] === "h") return new Date(now.getTime() - hours * 3_600_000);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (hours / 24 - 1) * 86_400_000);
}

/** Parses an ISO date or date-time flag value. */
export function parseTime(text: string, flag: string): Date {
  const trimmed = text.trim();
  const date = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)
    ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed)
    : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(
      `--${flag} must be an ISO date or time such as 2024-03-01 or 2024-03-01T12:00:00Z, got '${text}'`,
    );
  }
  return date;
}

/**
 * The window of `--since` or `--from`/`--to`; `defaultSince` applies when none is given
 * (undefined: all time). `label` says in words which time the figures cover, for the output.
 */
export function timeWindow(
  context: CommandContext,
  defaultSince: string | undefined,
  now = new Date(),
): { from: Date | undefined; to: Date | undefined; label: string } {
  const since = stringOption(context, "since");
  const fromText = stringOption(context, "from");
  const toText = stringOption(context, "to");
  if (since !== undefined && fromText !== undefined) {
    throw new UsageError("--since and --from cannot be used together; give one");
  }
  const usesDefault = since === undefined && fromText === undefined && toText === undefined;
  const from =
    since !== undefined
      ? parseSince(since, now)
      : fromText !== undefined
        ? parseTime(fromText, "from")
        : usesDefault && defaultSince !== undefined
          ? parseSince(defaultSince, now)
          : undefined;
  const to = toText === undefined ? undefined : parseTime(toText, "to");
  if (from && to && from.getTime() >= to.getTime()) {
    throw new UsageError(`--from must be before --to (from is inclusive, to exclusive)`);
  }
  const sinceText = since ?? (usesDefault ? defaultSince : undefined);
  const span = sinceText === undefined ? undefined : `the last ${ageWords(sinceText)}`;
  const bounds = `${from ? `from ${minute(from)}` : "from the first event"} to ${to ? minute(to) : "now"}`;
  const label =
    span === undefined
      ? `window: ${from || to ? bounds : "all time"}`
      : `window: ${span}, ${bounds}${usesDefault ? " (the default; --since or --from/--to to change)" : ""}`;
  return { from, to, label };
}

/** `7d` → `7 days`, `1w` → `1 week`, `12h` → `12 hours`. */
function ageWords(text: string): string {
  const match = /^(\d+)([hdw])$/.exec(text.trim());
  if (!match) return text;
  const unit = { h: "hour", d: "day", w: "week" }[match[2] as "h" | "d" | "w"];
  return `${match[1]} ${unit}${match[1] === "1" ? "" : "s"}`;
}

/** An instant to the minute, in UTC. */
function minute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * Dimension names on the command line → the library's names. The library's own spelling (`taskType`,
 * `userId`: what the HTTP API and the dashboard's URLs say) is accepted too, so a name copied from
 * either works here.
 */
const cliDimensions: Record<string, Dimension> = {
  repo: "repo",
  "task-type": "taskType",
  task: "taskType",
  model: "model",
  provider: "provider",
  sdk: "sdk",
  "delivery-id": "deliveryId",
  user: "userId",
  "user-id": "userId",
  session: "sessionId",
  "session-id": "sessionId",
  environment: "environment",
  project: "project",
  "service-tier": "serviceTier",
};
const libraryDimensions: readonly Dimension[] = [...new Set(Object.values(cliDimensions))];
export const cliDimensionList =
  "repo, task-type (task, taskType), model, provider, sdk, delivery-id (deliveryId), user (userId), session (sessionId), environment, project, service-tier (serviceTier), metadata.KEY";

/** Parses one dimension as the command line or the library spells it. */
export function parseDimension(text: string, flag: string): Dimension {
  const dimension =
    cliDimensions[text] ??
    libraryDimensions.find((name) => name === text) ??
    (/^metadata\..+/.test(text) ? (text as Dimension) : undefined);
  if (!dimension) {
    const known = [...Object.keys(cliDimensions), ...libraryDimensions];
    throw new UsageError(`--${flag} accepts ${cliDimensionList}; got '${text}'${didYouMean(text, known)}`);
  }
  return dimension;
}

/** The command-line spelling of a dimension (for headers). */
export function cliDimensionName(dimension: string): string {
  return Object.entries(cliDimensions).find(([, name]) => name === dimension)?.[0] ?? dimension;
}

/**
 * Parses the repeated `--filter DIM=V1,V2` flags; `-` stands for an absent value, `\,` for a comma
 * inside a value and `\\` for a backslash.
 */
export function parseFilters(context: CommandContext): CostFilters {
  const filters: Record<string, Array<string | null>> = {};
  const given = context.options.filter;
  for (const item of Array.isArray(given) ? given : typeof given === "string" ? [given] : []) {
    const separator = item.indexOf("=");
    if (separator <= 0 || separator === item.length - 1) {
      throw new UsageError(`--filter must be DIMENSION=VALUE[,VALUE…], e.g. repo=api,web; got '${item}'`);
    }
    const dimension = parseDimension(item.slice(0, separator), "filter");
    const values = filterValues(item.slice(0, separator), item.slice(separator + 1)).map((value) =>
      value === "-" ? null : value,
    );
    filters[dimension] = [...(filters[dimension] ?? []), ...values];
  }
  return filters;
}

/** The values of one `--filter`: `\,` is a comma inside a value and `\\` a backslash, as over HTTP. */
function filterValues(name: string, text: string): string[] {
  try {
    return splitFilterValues(name, text);
  } catch (error) {
    throw isLedgerError(error) ? new UsageError(`--filter ${error.message}`) : error;
  }
}

/** Turns a query option error into the usage error of the flag that carried it. */
export function flagError(error: unknown, flags: Record<string, string>): unknown {
  if (!isLedgerError(error) || !error.code.startsWith("E_QUERY_")) return error;
  const flag = flags[error.code];
  return flag ? new UsageError(`--${flag}: ${error.message.replace(/^\w+: /, "")}`) : error;
}

/**
 * Opens the database of `--database-url` and the store over `--schema` (migrated), with the read
 * replica of `--read-database-url` where the command has it, runs `work`, closes.
 */
export async function withStore<T>(
  context: CommandContext,
  work: (store: TelemetryStore) => Promise<T>,
): Promise<T> {
  const database = await openCliDatabase(context);
  try {
    const store = await createTelemetryStore({
      database,
      schema: stringOption(context, "schema"),
      readDatabaseUrl: stringOption(context, "read-database-url"),
    });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  } finally {
    await database.close();
  }
}
