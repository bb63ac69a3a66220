import type { CompiledPrices } from "./compile-catalog.js";
import { WEEK_DAYS, type TimeOfDayWindow, type WeekDay } from "./types.js";

// Time-of-day prices (DeepSeek's weekday peak hours): which window of a period, if any, holds an
// instant. Compiled once per period; the estimator asks only for periods that have windows, so
// every other entry pays one property read.

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** getUTCDay() numbering (Sunday 0) of each catalog day name. */
const DAY_NUMBER: Readonly<Record<WeekDay, number>> = {
  sun: 0,
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
};

/** A window as a kept rate set names it, so an explanation can say which hours were billed. */
export interface TimeOfDayRecord {
  name: string;
  days: readonly WeekDay[];
  from: string;
  to: string;
  timeZone: string;
  /** The window in words: `peak, weekdays 01:00-04:00 UTC`. */
  label: string;
}

/** A window in compiled form: a day mask and milliseconds of the local day. */
export interface CompiledWindow {
  dayMask: number;
  fromMs: number;
  toMs: number;
  prices: CompiledPrices;
  record: TimeOfDayRecord;
}

/** A period's windows and the clock of their (shared) time zone. */
export interface CompiledTimeOfDay {
  windows: readonly CompiledWindow[];
  /** Milliseconds to add to an instant to read the zone's wall clock as if it were UTC. */
  offsetAt: (ms: number) => number;
}

/** "HH:MM" (00:00 to 24:00) as milliseconds of the day, or undefined when it is not one. */
export function clockMs(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) return undefined;
  return (hours * 60 + minutes) * MINUTE_MS;
}

/** The days in words: `weekdays`, `weekends`, `every day`, else the names (`mon, wed`). */
function describeDays(days: readonly WeekDay[]): string {
  const set = new Set(days);
  const is = (wanted: readonly WeekDay[]) =>
    set.size === wanted.length && wanted.every((day) => set.has(day));
  if (is(WEEK_DAYS)) return "every day";
  if (is(["mon", "tue", "wed", "thu", "fri"])) return "weekdays";
  if (is(["sat", "sun"])) return "weekends";
  return WEEK_DAYS.filter((day) => set.has(day)).join(", ");
}

/**
 * A window in words, as estimates and explanations name it.
 *
 * @example
 * describeWindow({ name: "peak", days: ["mon", "tue", "wed", "thu", "fri"], from: "01:00", to: "04:00", time_zone: "UTC", input: "0.3" });
 * // "peak, weekdays 01:00-04:00 UTC"
 */
export function describeWindow(window: TimeOfDayWindow): string {
  return `${window.name}, ${describeDays(window.days)} ${window.from}-${window.to} ${window.time_zone}`;
}

/** The offset of a time zone's wall clock, or undefined when the runtime does not know the zone. */
export function zoneOffset(timeZone: string): ((ms: number) => number) | undefined {
  if (timeZone === "UTC") return () => 0;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
  } catch {
    return undefined;
  }
  // Offsets change on whole minutes, so the last minute asked is remembered: a batch of calls from
  // the same minute reads the zone's rules once.
  let lastMinute = Number.NaN;
  let lastOffset = 0;
  return (ms) => {
    const minute = Math.floor(ms / MINUTE_MS);
    if (minute === lastMinute) return lastOffset;
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(minute * MINUTE_MS)) parts[part.type] = Number(part.value);
    const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute);
    lastMinute = minute;
    lastOffset = wall - minute * MINUTE_MS;
    return lastOffset;
  };
}

/** Compiles a period's windows (validated: known zone, well-formed hours). */
export function compileTimeOfDay(
  windows: readonly TimeOfDayWindow[],
  compilePrices: (window: TimeOfDayWindow) => CompiledPrices,
): CompiledTimeOfDay | undefined {
  const first = windows[0];
  if (first === undefined) return undefined;
  const offsetAt = zoneOffset(first.time_zone);
  if (!offsetAt) throw new Error(`unknown time zone ${first.time_zone} (the catalog was not validated)`);
  return {
    offsetAt,
    windows: windows.map((window) => ({
      dayMask: window.days.reduce((mask, day) => mask | (1 << DAY_NUMBER[day]), 0),
      fromMs: clockMs(window.from)!,
      toMs: clockMs(window.to)!,
      prices: compilePrices(window),
      record: Object.freeze({
        name: window.name,
        days: Object.freeze([...window.days]),
        from: window.from,
        to: window.to,
        timeZone: window.time_zone,
        label: describeWindow(window),
      }),
    })),
  };
}

/** The window holding the instant `ms`, or undefined (the period's own prices apply). */
export function windowAt(timeOfDay: CompiledTimeOfDay, ms: number): CompiledWindow | undefined {
  const local = ms + timeOfDay.offsetAt(ms);
  const day = Math.floor(local / DAY_MS);
  const ofDay = local - day * DAY_MS;
  // 1970-01-01 was a Thursday (getUTCDay 4).
  const weekday = (((day + 4) % 7) + 7) % 7;
  for (const window of timeOfDay.windows) {
    if ((window.dayMask >> weekday) & 1 && ofDay >= window.fromMs && ofDay < window.toMs) return window;
  }
  return undefined;
}
