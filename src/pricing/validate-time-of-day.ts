import { checkUnknownKeys, describe, isRecord } from "./json-checks.js";
import { clockMs, zoneOffset } from "./time-of-day.js";
import { PRICE_BUCKETS, WEEK_DAYS } from "./types.js";

// Checks of a period's `time_of_day` windows, for the shipped data, `pricing update` and overrides
// alike: each problem names the field (`$.models[3].prices[1].time_of_day[0].days[2]`).

const WINDOW_KEYS = new Set<string>([...PRICE_BUCKETS, "name", "days", "from", "to", "time_zone"]);
const DAY_NAMES = new Set<string>(WEEK_DAYS);
const NAME = /^[a-z][a-z0-9 _-]{0,31}$/i;

/** Checks one window's buckets at `path`, pushing problems (the catalog's own bucket check). */
type BucketCheck = (prices: Record<string, unknown>, path: string) => void;

interface CheckedWindow {
  index: number;
  days: Set<string>;
  fromMs: number;
  toMs: number;
}

function daysOf(value: unknown, path: string, problems: string[]): Set<string> | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(
      `${path}: expected a non-empty array of days (${WEEK_DAYS.join(", ")}), got ${describe(value)}`,
    );
    return undefined;
  }
  const days = new Set<string>();
  value.forEach((day: unknown, index) => {
    if (typeof day !== "string" || !DAY_NAMES.has(day)) {
      problems.push(`${path}[${index}]: ${describe(day)} is not a day (expected ${WEEK_DAYS.join(", ")})`);
    } else if (days.has(day)) {
      problems.push(`${path}[${index}]: "${day}" is listed twice`);
    } else {
      days.add(day);
    }
  });
  return days;
}

function hoursOf(window: Record<string, unknown>, path: string, problems: string[]) {
  const fromMs = clockMs(window.from);
  const toMs = clockMs(window.to);
  if (fromMs === undefined || fromMs === 86_400_000) {
    problems.push(`${path}.from: expected a time HH:MM from 00:00 to 23:59, got ${describe(window.from)}`);
  }
  if (toMs === undefined || toMs === 0) {
    problems.push(`${path}.to: expected a time HH:MM from 00:01 to 24:00, got ${describe(window.to)}`);
  }
  if (fromMs === undefined || toMs === undefined) return undefined;
  if (fromMs >= toMs) {
    problems.push(
      `${path}.to: ${String(window.to)} is not after from ${String(window.from)} (a window cannot cross midnight: split it in two)`,
    );
    return undefined;
  }
  return { fromMs, toMs };
}

function overlapProblems(checked: readonly CheckedWindow[], path: string): string[] {
  const problems: string[] = [];
  checked.forEach((window, position) => {
    for (const earlier of checked.slice(0, position)) {
      const shared = [...window.days].filter((day) => earlier.days.has(day));
      if (shared.length > 0 && window.fromMs < earlier.toMs && earlier.fromMs < window.toMs) {
        problems.push(
          `${path}[${window.index}]: overlaps ${path}[${earlier.index}] on ${shared.join(", ")} (an instant must have one price)`,
        );
      }
    }
  });
  return problems;
}

/** Problems with a period's `time_of_day`: shape, days, hours, zone, overlaps and buckets. */
export function timeOfDayProblems(
  period: Record<string, unknown>,
  path: string,
  checkBuckets: BucketCheck,
): string[] {
  const windows = period.time_of_day;
  if (windows === undefined) return [];
  const at = `${path}.time_of_day`;
  if (!Array.isArray(windows) || windows.length === 0) {
    return [`${at}: expected a non-empty array of windows, got ${describe(windows)}`];
  }
  const problems: string[] = [];
  // Context tiers and service tiers inside a window are not modelled: refused, never guessed.
  for (const key of ["tiers", "service_tiers"] as const) {
    if (period[key] !== undefined)
      problems.push(`${at}: cannot be combined with ${key} in one period (not modelled)`);
  }
  const checked: CheckedWindow[] = [];
  let zone: string | undefined;
  windows.forEach((window: unknown, index) => {
    const windowPath = `${at}[${index}]`;
    if (!isRecord(window)) {
      problems.push(`${windowPath}: expected an object, got ${describe(window)}`);
      return;
    }
    checkUnknownKeys(window, WINDOW_KEYS, windowPath, problems);
    if (typeof window.name !== "string" || !NAME.test(window.name)) {
      problems.push(`${windowPath}.name: expected a short name such as "peak", got ${describe(window.name)}`);
    }
    const timeZone = window.time_zone;
    if (typeof timeZone !== "string" || zoneOffset(timeZone) === undefined) {
      problems.push(
        `${windowPath}.time_zone: expected "UTC" or an IANA time zone, got ${describe(timeZone)}`,
      );
    } else if (zone !== undefined && timeZone !== zone) {
      problems.push(
        `${windowPath}.time_zone: "${timeZone}" differs from the first window's "${zone}" (a period's windows share one time zone)`,
      );
    } else {
      zone = timeZone;
    }
    const days = daysOf(window.days, `${windowPath}.days`, problems);
    const hours = hoursOf(window, windowPath, problems);
    if (days && hours) checked.push({ index, days, ...hours });
    checkBuckets(window, windowPath);
    for (const bucket of PRICE_BUCKETS) {
      if ((period[bucket] === undefined) !== (window[bucket] === undefined)) {
        problems.push(`${windowPath}.${bucket}: a window must price exactly the buckets its period prices`);
      }
    }
  });
  return [...problems, ...overlapProblems(checked, at)];
}
